package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/auth"
	"streetchief/internal/ratelimit"
)

// Open311 api_keys: admins issue them to integrators; a report sent with one counts against the
// key's own per-minute limit instead of the anonymous limit of its address.

func (s *Server) listOpen311Keys(w http.ResponseWriter, r *http.Request) error {
	keys, err := s.Auth.Open311Keys(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"open311_keys": keys})
}

func (s *Server) issueOpen311Key(w http.ResponseWriter, r *http.Request) error {
	var in auth.Open311KeyInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	secret, k, err := s.Auth.IssueOpen311Key(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, "", map[string]any{"api_key": secret, "open311_key": k})
}

func (s *Server) revokeOpen311Key(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	k, err := s.Auth.RevokeOpen311Key(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", k)
}

// setLimitHeaders tells the client its limit, what is left of it and when the window starts again.
func setLimitHeaders(w http.ResponseWriter, limit int, v ratelimit.Verdict) {
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(v.Remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(v.Reset.Unix(), 10))
}

func errTooManyKeyedReports(retryAfter int) error {
	return apperr.New(apperr.RateLimited, "too many reports with this api_key; wait a minute or ask for a higher limit").With("retry_after_seconds", retryAfter)
}

// beginOpen311Report is beginReport with the api_key's limit in place of the anonymous one.
func (s *Server) beginOpen311Report(w http.ResponseWriter, r *http.Request, c o311Call) (string, error) {
	if c.key == nil {
		return s.beginReport(w, r)
	}
	v, err := s.limits.Open311Keys.Take(r.Context(), strconv.FormatInt(c.key.ID, 10), c.key.PerMinute)
	if err != nil {
		return "", fmt.Errorf("api_key's limit: %w", err)
	}
	setLimitHeaders(w, c.key.PerMinute, v)
	if !v.Allowed {
		return "", errTooManyKeyedReports(v.RetryAfter(time.Now()))
	}
	key := r.Header.Get("Idempotency-Key")
	if key != "" && !idempotencyKey(key) {
		return "", apperr.New(apperr.Malformed, "Idempotency-Key must be 1 to 255 printable ASCII characters")
	}
	return key, nil
}
