package httpapi

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/cadres"
	"streetchief/internal/incidents"
)

// cadreYear reads year=, defaulting to last year (Beijing), whose opinions the personnel review asks for.
func cadreYear(q *query) int {
	raw := q.text("year", 4)
	if q.err != nil {
		return 0
	}
	if raw == "" {
		return time.Now().In(incidents.Beijing).Year() - 1
	}
	y, err := strconv.Atoi(raw)
	if err != nil {
		q.err = apperr.New(apperr.Malformed, "year %q is not a year", raw).With("field", "year")
	}
	return y
}

func (s *Server) listCadreOpinions(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	year, sub := 0, q.int64("subdistrict")
	if r.URL.Query().Get("year") != "" {
		year = cadreYear(q)
	}
	if q.err != nil {
		return q.err
	}
	list, err := s.Cadres.Opinions(r.Context(), principal(r), year, sub)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"opinions": list})
}

func (s *Server) recordCadreOpinion(w http.ResponseWriter, r *http.Request) error {
	var in cadres.OpinionInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	o, err := s.Cadres.Record(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", o)
}

func (s *Server) correctCadreOpinion(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in cadres.Correction
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	o, err := s.Cadres.Correct(r.Context(), principal(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", o)
}

func (s *Server) cadreBonusBasis(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	year, sub := cadreYear(q), q.int64("subdistrict")
	format, rawLang := q.text("format", 10), q.text("lang", 10)
	if q.err != nil {
		return q.err
	}
	if format != "" && format != "json" && format != "xlsx" {
		return apperr.New(apperr.Malformed, "format %q is not one of json, xlsx", format).With("field", "format")
	}
	lang, err := cadres.ParseLang(rawLang)
	if err != nil {
		return err
	}
	table, err := s.Cadres.BonusBasis(r.Context(), principal(r), year, sub)
	if err != nil {
		return err
	}
	if format != "xlsx" {
		return writeJSON(w, http.StatusOK, "", table)
	}
	var buf bytes.Buffer
	if err := table.WriteXLSX(&buf, lang); err != nil {
		return err
	}
	return writeXLSX(w, "cadre-bonus-basis-"+strconv.Itoa(year), &buf)
}
