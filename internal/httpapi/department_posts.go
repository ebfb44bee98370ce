package httpapi

import (
	"bytes"
	"net/http"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/reports"
)

// departmentPosts answers the fixed-posts matrix (定岗定人) at=<RFC 3339> (default now), as JSON or,
// with format=xlsx, as the workbook the offices file.
func (s *Server) departmentPosts(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	at := q.time("at")
	format := q.text("format", 10)
	if q.err != nil {
		return q.err
	}
	if format != "" && format != "json" && format != "xlsx" {
		return apperr.New(apperr.Malformed, "format %q is not one of json, xlsx", format).With("field", "format")
	}
	var when time.Time
	if at != nil {
		when = *at
	}
	m, err := s.Registry.DepartmentMatrix(r.Context(), principal(r), when)
	if err != nil {
		return err
	}
	if format != "xlsx" {
		return writeJSON(w, http.StatusOK, "", m)
	}
	var buf bytes.Buffer
	if err := m.WriteXLSX(&buf); err != nil {
		return err
	}
	return writeXLSX(w, "department-posts-"+m.At.In(reports.Beijing).Format("2006-01-02"), &buf)
}
