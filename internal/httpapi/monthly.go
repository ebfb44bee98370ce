package httpapi

import (
	"bytes"
	"context"
	"net/http"

	"streetchief/internal/apperr"
	"streetchief/internal/monthly"
)

// monthlyReport answers the 月报 of the caller's district, or of one subdistrict, as printable HTML
// or as PDF rendered from that HTML.
func (s *Server) monthlyReport(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	mq := monthly.Query{Month: r.URL.Query().Get("month"), SubdistrictID: q.int64("subdistrict")}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "html"
	}
	if format != "html" && format != "pdf" {
		return apperr.New(apperr.Malformed, "format %q is not html or pdf", format).With("field", "format")
	}
	if q.err != nil {
		return q.err
	}
	if s.Monthly == nil {
		return apperr.New(apperr.Unavailable, "this server makes no monthly reports")
	}
	if err := s.canPrint(format); err != nil {
		return err
	}
	rep, err := s.Monthly.Make(r.Context(), principal(r), mq)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := rep.WriteHTML(&buf); err != nil {
		return err
	}
	return s.writePrinted(r.Context(), w, format, "monthly-"+rep.Period.Label, buf.Bytes())
}

// canPrint refuses a PDF the server cannot render before any report is made for it.
func (s *Server) canPrint(format string) error {
	if format != "pdf" {
		return nil
	}
	_, err := s.PDF.Available()
	return err
}

// writePrinted answers a printed report's HTML as it is, or rendered to PDF; the PDF is made in full
// before the first byte, so a failure is still a clean problem document.
func (s *Server) writePrinted(ctx context.Context, w http.ResponseWriter, format, name string, html []byte) error {
	if format == "html" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, err := w.Write(html)
		return err
	}
	doc, err := s.PDF.Render(ctx, html)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+name+`.pdf"`)
	_, err = w.Write(doc)
	return err
}
