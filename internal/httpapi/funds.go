package httpapi

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/funds"
)

// fundsService is cheap to build: the ledger keeps no state beside the pool.
func (s *Server) fundsService() *funds.Service { return funds.NewService(s.DB) }

// fundsYear reads year=, defaulting to this year in Beijing.
func fundsYear(q *query) int {
	raw := q.text("year", 4)
	if q.err != nil {
		return 0
	}
	if raw == "" {
		return time.Now().In(time.FixedZone("CST", 8*3600)).Year()
	}
	y, err := strconv.Atoi(raw)
	if err != nil {
		q.err = apperr.New(apperr.Malformed, "year %q is not a year", raw).With("field", "year")
	}
	return y
}

// fundsSubdistrict reads subdistrict=: an id, or "district" for the district-wide budget alone.
func fundsSubdistrict(q *query) int64 {
	if q.r.URL.Query().Get("subdistrict") == "district" {
		return -1
	}
	return q.int64("subdistrict")
}

func fundsFormat(q *query, allowed ...string) (string, funds.Lang, error) {
	format, rawLang := q.text("format", 10), q.text("lang", 10)
	if q.err != nil {
		return "", "", q.err
	}
	if format == "" {
		format = "json"
	}
	ok := false
	for _, a := range allowed {
		ok = ok || a == format
	}
	if !ok {
		return "", "", apperr.New(apperr.Malformed, "format %q is not one of %v", format, allowed).With("field", "format")
	}
	lang, err := funds.ParseLang(rawLang)
	return format, lang, err
}

func (s *Server) fundsBalances(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	year, sub := fundsYear(q), fundsSubdistrict(q)
	format, lang, err := fundsFormat(q, "json", "xlsx")
	if err != nil {
		return err
	}
	b, err := s.fundsService().Balances(r.Context(), principal(r), year, sub)
	if err != nil {
		return err
	}
	if format == "json" {
		return writeJSON(w, http.StatusOK, "", b)
	}
	var buf bytes.Buffer
	if err := b.WriteXLSX(&buf, lang); err != nil {
		return err
	}
	return writeXLSX(w, "funds-balances-"+strconv.Itoa(year), &buf)
}

func (s *Server) fundsEntries(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	var f funds.Filter
	if r.URL.Query().Get("year") != "" {
		f.Year = fundsYear(q)
	}
	f.SubdistrictID, f.SourceID, f.Limit = fundsSubdistrict(q), q.int64("source_id"), int(q.int64("limit"))
	f.Fund, f.Kind, f.SourceType = funds.Fund(q.text("fund", 40)), funds.Kind(q.text("kind", 40)), q.text("source", 40)
	format, lang, err := fundsFormat(q, "json", "csv", "xlsx")
	if err != nil {
		return err
	}
	list, err := s.fundsService().Entries(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	name := "funds-entries"
	if f.Year != 0 {
		name += "-" + strconv.Itoa(f.Year)
	}
	switch format {
	case "csv":
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		w.Header().Set("Content-Type", kpiContentTypes["csv"])
		return funds.EntryList(list).WriteCSV(w, lang)
	case "xlsx":
		var buf bytes.Buffer
		if err := funds.EntryList(list).WriteXLSX(&buf, lang); err != nil {
			return err
		}
		return writeXLSX(w, name, &buf)
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"entries": list})
}

func (s *Server) fundsAllocate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Year int `json:"year"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.fundsService().Allocate(r.Context(), principal(r), in.Year)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if len(out.Booked) == 0 {
		status = http.StatusOK
	}
	return writeJSON(w, status, "", out)
}

func (s *Server) fundsBook(w http.ResponseWriter, r *http.Request) error {
	var in funds.Manual
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.fundsService().Book(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", out)
}

func (s *Server) fundsCorrect(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Yuan   *funds.Amount `json:"yuan"`
		Reason string        `json:"reason"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Yuan == nil {
		return apperr.New(apperr.Invalid, "yuan, what the entry should amount to, is required (0 cancels it)").With("field", "yuan")
	}
	out, err := s.fundsService().Correct(r.Context(), principal(r), id, int64(*in.Yuan), in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", out)
}
