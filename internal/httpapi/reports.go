package httpapi

import (
	"bytes"
	"net/http"
	"strings"

	"streetchief/internal/apperr"
	"streetchief/internal/reports"
)

// parseGapQuery reads a gap report request's parameters.
func parseGapQuery(r *http.Request) (reports.Query, string, error) {
	q := &query{r: r}
	v := r.URL.Query()
	scope, err := reports.ParseScope(v.Get("scope"))
	if err != nil {
		return reports.Query{}, "", err
	}
	rq := reports.Query{Scope: scope}
	if at := q.time("at"); at != nil {
		rq.At = *at
	}
	if raw := v.Get("kinds"); raw != "" {
		rq.Kinds = strings.Split(raw, ",")
	}
	if raw := v.Get("min_sliver_m2"); raw != "" {
		m, ok := parseNumber(raw)
		if !ok || m < 0 {
			return rq, "", apperr.New(apperr.Malformed, "min_sliver_m2 %q must be a non-negative number", raw)
		}
		rq.MinSliverM2 = m
	}
	for _, n := range []struct {
		name string
		dst  *int
	}{{"not_inspected_days", &rq.NotInspectedDays}, {"off_site_days", &rq.OffSiteDays}, {"silent_days", &rq.SilentDays}} {
		if raw := v.Get(n.name); raw != "" {
			d, ok := parseNumber(raw)
			if !ok || d < 1 || d > 366 || d != float64(int(d)) {
				return rq, "", apperr.New(apperr.Malformed, "%s %q must be a whole number of days, 1 to 366", n.name, raw)
			}
			*n.dst = int(d)
		}
	}
	if raw := v.Get("off_site_share"); raw != "" {
		m, ok := parseNumber(raw)
		if !ok || m <= 0 || m >= 1 {
			return rq, "", apperr.New(apperr.Malformed, "off_site_share %q must be a fraction between 0 and 1", raw)
		}
		rq.OffSiteShare = m
	}
	if raw := v.Get("service_point_distance_m"); raw != "" {
		m, ok := parseNumber(raw)
		if !ok || m < 50 || m > 20000 {
			return rq, "", apperr.New(apperr.Malformed, "service_point_distance_m %q must be 50 to 20,000 metres", raw)
		}
		rq.ServicePointDistanceM = m
	}
	format := v.Get("format")
	if format == "" {
		format = "json"
	}
	if _, ok := reports.ContentTypes[format]; !ok && format != "pdf" {
		return rq, "", apperr.New(apperr.Malformed, "format %q is not one of json, geojson, csv, xlsx, html, pdf", format)
	}
	return rq, format, q.err
}

func (s *Server) gapReport(w http.ResponseWriter, r *http.Request) error {
	rq, format, err := parseGapQuery(r)
	if err != nil {
		return err
	}
	lang, ok := reports.ParseLang(r.URL.Query().Get("lang"))
	if !ok {
		return apperr.New(apperr.Malformed, "lang %q is not zh or en", r.URL.Query().Get("lang")).With("field", "lang")
	}
	if err := s.canPrint(format); err != nil {
		return err
	}
	printed := format == "html" || format == "pdf"
	rq.WithMap = printed
	rep, err := s.Reports.Gaps(r.Context(), principal(r), rq)
	if err != nil {
		return err
	}
	// Rendered in full before the first byte, so a failure still answers a clean problem document.
	var buf bytes.Buffer
	if printed {
		if err := rep.WriteHTMLIn(&buf, lang); err != nil {
			return err
		}
		return s.writePrinted(r.Context(), w, format, "gaps", buf.Bytes())
	}
	if err := rep.Write(&buf, format); err != nil {
		return err
	}
	if format == "xlsx" {
		w.Header().Set("Content-Disposition", `attachment; filename="gaps.xlsx"`)
	}
	w.Header().Set("Content-Type", reports.ContentTypes[format])
	_, err = buf.WriteTo(w)
	return err
}
