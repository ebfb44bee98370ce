package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/apperr"
	"streetchief/internal/jsonlist"
	"streetchief/internal/registry"
)

// readBody reads a request body up to the server's limit; over it is 413.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && mt != "application/geo+json" && !strings.HasSuffix(mt, "+json")) {
			return nil, apperr.New(apperr.Malformed, "send JSON (Content-Type: application/json), not %q", ct)
		}
	}
	return readAll(http.MaxBytesReader(w, r.Body, s.MaxBodyBytes))
}

// readAll reads rd to the end; an http.MaxBytesReader over its limit answers 413.
func readAll(rd io.Reader) ([]byte, error) {
	b, err := io.ReadAll(rd)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, apperr.New(apperr.TooLarge, "request body is over the limit of %d bytes", tooBig.Limit)
	}
	if err != nil {
		return nil, apperr.New(apperr.Malformed, "could not read the request body: %v", err)
	}
	return b, nil
}

// decodeJSON reads the body into v, refusing unknown fields so typos do not pass silently.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	return jsonlist.DecodeStrict(body, v)
}

func writeJSON(w http.ResponseWriter, status int, contentType string, v any) error {
	if contentType == "" {
		contentType = "application/json"
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// idParam reads a positive integer id from the URL path.
func idParam(r *http.Request, name string) (int64, error) {
	raw := chi.URLParam(r, name)
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "%q is not an id", raw)
	}
	return id, nil
}

// query reads optional query parameters, collecting the first error so handlers stay linear.
type query struct {
	r   *http.Request
	err error
}

func (q *query) fail(name, format string, args ...any) {
	if q.err == nil {
		q.err = apperr.New(apperr.Malformed, "query parameter %s: %s", name, fmt.Sprintf(format, args...))
	}
}

func (q *query) int64(name string) int64 {
	raw := q.r.URL.Query().Get(name)
	if raw == "" {
		return 0
	}
	v, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || v < 0 {
		q.fail(name, "%q is not a non-negative integer", raw)
	}
	return v
}

func (q *query) bool(name string) bool {
	raw := q.r.URL.Query().Get(name)
	if raw == "" {
		return false
	}
	v, err := strconv.ParseBool(raw)
	if err != nil {
		q.fail(name, "%q is not true or false", raw)
	}
	return v
}

func (q *query) time(name string) *time.Time {
	raw := q.r.URL.Query().Get(name)
	if raw == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		q.fail(name, "%q is not an RFC 3339 time such as 2026-03-03T09:00:00+08:00", raw)
		return nil
	}
	return &t
}

// maxSearchText bounds a search text: names are short, and a long pattern only costs the database.
const maxSearchText = 100

// text reads a free-text parameter of at most max characters, trimmed, without control characters.
func (q *query) text(name string, max int) string {
	raw := strings.TrimSpace(q.r.URL.Query().Get(name))
	if utf8.RuneCountInString(raw) > max {
		q.fail(name, "at most %d characters", max)
		return ""
	}
	if !utf8.ValidString(raw) || strings.IndexFunc(raw, unicode.IsControl) >= 0 {
		q.fail(name, "control characters or invalid UTF-8")
		return ""
	}
	return raw
}

func (q *query) page() registry.Page {
	return registry.Page{After: q.int64("after"), Limit: int(q.int64("limit"))}
}

// bbox reads minLon,minLat,maxLon,maxLat.
func (q *query) bbox(name string) *orb.Bound {
	raw := q.r.URL.Query().Get(name)
	if raw == "" {
		return nil
	}
	parts := strings.Split(raw, ",")
	if len(parts) != 4 {
		q.fail(name, "want minLon,minLat,maxLon,maxLat")
		return nil
	}
	var v [4]float64
	for i, p := range parts {
		f, ok := parseNumber(strings.TrimSpace(p))
		if !ok {
			q.fail(name, "%q is not a finite number", p)
			return nil
		}
		v[i] = f
	}
	if v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90 || v[0] > v[2] || v[1] > v[3] {
		if q.err == nil {
			q.err = apperr.New(apperr.Invalid, "query parameter %s: %v is not a box within longitude -180..180, latitude -90..90", name, v)
		}
		return nil
	}
	return &orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}
}

// parseNumber reads a finite decimal number. strconv also reads "NaN" and "Inf", which compare false
// with every bound and so pass range checks that were meant to refuse them.
func parseNumber(raw string) (float64, bool) {
	v, err := strconv.ParseFloat(raw, 64)
	return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
}

// setNextLink advertises the next page of a keyset-paginated list.
func setNextLink(w http.ResponseWriter, r *http.Request, next int64) {
	if next == 0 {
		return
	}
	u := *r.URL
	qs := u.Query()
	qs.Set("after", strconv.FormatInt(next, 10))
	u.RawQuery = qs.Encode()
	w.Header().Set("Link", fmt.Sprintf("<%s>; rel=\"next\"", u.String()))
}
