package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"streetchief/internal/apperr"
	"streetchief/internal/assessment"
)

func assessedPeriod(r *http.Request) (assessment.Period, error) {
	p, err := assessment.ParsePeriod(chi.URLParam(r, "kind"), chi.URLParam(r, "period"))
	if err != nil {
		return p, apperr.New(apperr.NotFound, "%s", err.Error())
	}
	return p, nil
}

func (s *Server) assessmentSheets(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Assessment.Sheets(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"sheets": list, "metrics": assessment.Metrics})
}

func (s *Server) createAssessmentSheet(w http.ResponseWriter, r *http.Request) error {
	var sh assessment.Sheet
	if err := s.decodeJSON(w, r, &sh); err != nil {
		return err
	}
	created, err := s.Assessment.CreateSheet(r.Context(), principal(r), sh)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", created)
}

func (s *Server) assessmentPeriods(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	kind := q.text("kind", 10)
	if q.err != nil {
		return q.err
	}
	if kind != "" && kind != string(assessment.Month) && kind != string(assessment.Quarter) {
		return apperr.New(apperr.Invalid, "kind %q is not month or quarter", kind).With("field", "kind")
	}
	list, err := s.Assessment.Periods(r.Context(), principal(r), assessment.Kind(kind))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"periods": list})
}

func (s *Server) assessmentResult(w http.ResponseWriter, r *http.Request) error {
	p, err := assessedPeriod(r)
	if err != nil {
		return err
	}
	q := &query{r: r}
	revision := q.int64("revision")
	format, rawLang := q.text("format", 10), q.text("lang", 10)
	if q.err != nil {
		return q.err
	}
	switch format {
	case "", "json", "xlsx", "html", "pdf":
	default:
		return apperr.New(apperr.Malformed, "format %q is not one of json, xlsx, html, pdf", format).With("field", "format")
	}
	lang, err := assessment.ParseLang(rawLang)
	if err != nil {
		return err
	}
	if err := s.canPrint(format); err != nil {
		return err
	}
	if revision < 0 || revision > 1000 {
		return apperr.New(apperr.Invalid, "revision %d is not a revision number", revision).With("field", "revision")
	}
	res, err := s.Assessment.Result(r.Context(), principal(r), p, int(revision))
	if err != nil {
		return err
	}
	name := "assessment-" + p.Label
	if res.Revision > 0 {
		name += "-r" + strconv.Itoa(res.Revision)
	}
	var buf bytes.Buffer
	switch format {
	case "xlsx":
		if err := res.WriteXLSX(&buf, lang); err != nil {
			return err
		}
		return writeXLSX(w, name, &buf)
	case "html", "pdf":
		if err := res.WriteHTML(&buf, lang); err != nil {
			return err
		}
		return s.writePrinted(r.Context(), w, format, name, buf.Bytes())
	}
	return writeJSON(w, http.StatusOK, "", res)
}

func (s *Server) recordAssessmentMark(w http.ResponseWriter, r *http.Request) error {
	p, err := assessedPeriod(r)
	if err != nil {
		return err
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	in, err := assessment.DecodeMark(body)
	if err != nil {
		return err
	}
	m, err := s.Assessment.RecordMark(r.Context(), principal(r), p, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", m)
}

func (s *Server) voidAssessmentMark(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.Assessment.VoidMark(r.Context(), principal(r), id, in.Reason); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) drawAssessmentSample(w http.ResponseWriter, r *http.Request) error {
	p, err := assessedPeriod(r)
	if err != nil {
		return err
	}
	var in struct {
		SubdistrictID int64  `json:"subdistrict_id"`
		ItemCode      string `json:"item_code"`
		Count         int    `json:"count"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	areas, err := s.Assessment.DrawSample(r.Context(), principal(r), p, in.SubdistrictID, in.ItemCode, in.Count)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", map[string]any{"areas": areas})
}

func (s *Server) publishAssessment(w http.ResponseWriter, r *http.Request) error {
	p, err := assessedPeriod(r)
	if err != nil {
		return err
	}
	res, err := s.Assessment.Publish(r.Context(), principal(r), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", res)
}

func (s *Server) amendAssessment(w http.ResponseWriter, r *http.Request) error {
	p, err := assessedPeriod(r)
	if err != nil {
		return err
	}
	var in struct {
		Changes []assessment.Change `json:"changes"`
		Reason  string              `json:"reason"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	res, err := s.Assessment.Amend(r.Context(), principal(r), p, in.Changes, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", res)
}

func (s *Server) assessmentTrend(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	kind, from, to := q.text("kind", 10), q.text("from", 10), q.text("to", 10)
	if q.err != nil {
		return q.err
	}
	if kind == "" {
		kind = string(assessment.Quarter)
	}
	fp, err := assessment.ParsePeriod(kind, from)
	if err != nil {
		return apperr.New(apperr.Invalid, "from: %s", err.Error()).With("field", "from")
	}
	tp, err := assessment.ParsePeriod(kind, to)
	if err != nil {
		return apperr.New(apperr.Invalid, "to: %s", err.Error()).With("field", "to")
	}
	t, err := s.Assessment.Trend(r.Context(), principal(r), fp, tp)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", t)
}

func (s *Server) assessmentYear(w http.ResponseWriter, r *http.Request) error {
	year, err := strconv.Atoi(chi.URLParam(r, "year"))
	if err != nil {
		return apperr.New(apperr.NotFound, "%q is not a year", chi.URLParam(r, "year"))
	}
	q := &query{r: r}
	format := q.text("format", 10)
	if q.err != nil {
		return q.err
	}
	if format != "" && format != "json" && format != "xlsx" {
		return apperr.New(apperr.Invalid, "format %q is not json or xlsx", format).With("field", "format")
	}
	t, err := s.Assessment.Year(r.Context(), principal(r), year)
	if err != nil {
		return err
	}
	if format == "xlsx" {
		var buf bytes.Buffer
		if err := t.WriteXLSX(&buf); err != nil {
			return err
		}
		return writeXLSX(w, fmt.Sprintf("assessment-%d", year), &buf)
	}
	return writeJSON(w, http.StatusOK, "", t)
}
