package httpapi

import (
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/httprate"

	"streetchief/internal/apperr"
	"streetchief/internal/auth"
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

// keyLimits holds one rate limiter per api_key, made when the key is first used; there are as many
// as keys were issued, a handful.
type keyLimits struct {
	mu       sync.Mutex
	limiters map[int64]*httprate.RateLimiter
}

func (l *keyLimits) onLimit(w http.ResponseWriter, r *http.Request, k auth.Open311Key) bool {
	l.mu.Lock()
	if l.limiters == nil {
		l.limiters = map[int64]*httprate.RateLimiter{}
	}
	rl, ok := l.limiters[k.ID]
	if !ok {
		rl = httprate.NewRateLimiter(k.PerMinute, time.Minute)
		l.limiters[k.ID] = rl
	}
	l.mu.Unlock()
	return rl.OnLimit(w, r, "open311-key")
}

var errTooManyKeyedReports = apperr.New(apperr.RateLimited, "too many reports with this api_key; wait a minute or ask for a higher limit")

// beginOpen311Report is beginReport with the api_key's limit in place of the anonymous one.
func (s *Server) beginOpen311Report(w http.ResponseWriter, r *http.Request, c o311Call) (string, error) {
	if c.key == nil {
		return s.beginReport(w, r)
	}
	if s.open311Limits.onLimit(w, r, *c.key) {
		return "", errTooManyKeyedReports
	}
	key := r.Header.Get("Idempotency-Key")
	if key != "" && !idempotencyKey(key) {
		return "", apperr.New(apperr.Malformed, "Idempotency-Key must be 1 to 255 printable ASCII characters")
	}
	return key, nil
}
