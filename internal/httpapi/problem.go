package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5/pgconn"

	"streetchief/internal/apperr"
	"streetchief/internal/database"
)

// statusOf is the one place that maps application error codes to HTTP statuses.
var statusOf = map[apperr.Code]int{
	apperr.Malformed:    http.StatusBadRequest,
	apperr.Invalid:      http.StatusUnprocessableEntity,
	apperr.NotFound:     http.StatusNotFound,
	apperr.Conflict:     http.StatusConflict,
	apperr.Unauthorized: http.StatusUnauthorized,
	apperr.Forbidden:    http.StatusForbidden,
	apperr.TooLarge:     http.StatusRequestEntityTooLarge,
	apperr.Unavailable:  http.StatusServiceUnavailable,
	apperr.RateLimited:  http.StatusTooManyRequests,
	apperr.Misdirected:  http.StatusMisdirectedRequest,
	apperr.Internal:     http.StatusInternalServerError,
}

// problem writes err as an RFC 9457 problem document. Internal errors reach the client only as
// "internal error" and the request id; the detail goes to the log.
func (s *Server) problem(w http.ResponseWriter, r *http.Request, err error) {
	if isOpen311(r) {
		s.open311Problem(w, r, err) // Open311 clients read only the spec's error form
		return
	}
	var e *apperr.Error
	if !errors.As(err, &e) {
		e = classifyInfrastructure(r.Context(), err)
	}
	status := statusOf[e.Code]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	doc := map[string]any{
		"type":       "about:blank",
		"title":      http.StatusText(status),
		"status":     status,
		"detail":     e.Message,
		"code":       string(e.Code),
		"request_id": requestIDOf(r),
	}
	for k, v := range e.Fields {
		if _, taken := doc[k]; !taken {
			doc[k] = v
		}
	}
	switch e.Code {
	case apperr.Internal:
		doc["detail"] = "internal error; quote the request id when you report it"
		s.Logger.ErrorContext(r.Context(), "request failed", "request_id", requestIDOf(r),
			"method", r.Method, "path", r.URL.Path, "err", err)
	case apperr.Unavailable:
		w.Header().Set("Retry-After", "2")
		s.Logger.WarnContext(r.Context(), "dependency unavailable", "request_id", requestIDOf(r), "err", err)
	case apperr.RateLimited:
		if secs, ok := e.Fields["retry_after_seconds"].(int); ok {
			w.Header().Set("Retry-After", strconv.Itoa(secs))
		}
	case apperr.Unauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="streetchief"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(doc)
}

// classifyInfrastructure recognises failures that are not bugs: a lost database (database.Gone)
// answers 503 so clients retry, and so does a request its client left or the server stopping
// ended (ctx is the request's). Anything else is an internal error.
func classifyInfrastructure(ctx context.Context, err error) *apperr.Error {
	switch {
	case isStatementTimeout(err):
		// The database's statement limit (--statement-timeout) ended it: not a bug, and the
		// client learns the request is too big for the server rather than "internal error".
		return &apperr.Error{Code: apperr.Unavailable, Message: "the database gave up on this request: it ran past the server's statement time limit; narrow it or retry later", Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &apperr.Error{Code: apperr.Unavailable, Message: "the request took too long; retry shortly", Err: err}
	case database.Gone(err):
		return &apperr.Error{Code: apperr.Unavailable, Message: "the database is unavailable; retry shortly", Err: err}
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return &apperr.Error{Code: apperr.Unavailable, Message: "the request was cancelled before it was answered", Err: err}
	}
	return &apperr.Error{Code: apperr.Internal, Message: "internal error", Err: err}
}

func isStatementTimeout(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "57014" // query_canceled
}

func errNotFoundRoute(r *http.Request) error {
	return apperr.New(apperr.NotFound, "no such endpoint: %s %s", r.Method, r.URL.Path)
}

// methodNotAllowed answers 405, which has no application error code: it is a fact of the router.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	if isOpen311(r) {
		writeOpen311Error(w, r, http.StatusMethodNotAllowed, "method "+r.Method+" is not allowed on "+r.URL.Path)
		return
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusMethodNotAllowed)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": "Method Not Allowed",
		"status": http.StatusMethodNotAllowed, "detail": "method " + r.Method + " is not allowed on " + r.URL.Path,
		"request_id": requestIDOf(r)})
}
