package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5/pgconn"

	"streetchief/internal/apperr"
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
		e = classifyInfrastructure(err)
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

// classifyInfrastructure recognises failures that are not bugs: a lost database answers 503 so
// clients retry, a client that left is not an internal error.
func classifyInfrastructure(err error) *apperr.Error {
	var connErr *pgconn.ConnectError
	switch {
	case errors.As(err, &connErr), pgconn.SafeToRetry(err), isConnectionLoss(err):
		return &apperr.Error{Code: apperr.Unavailable, Message: "the database is unavailable; retry shortly", Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &apperr.Error{Code: apperr.Unavailable, Message: "the request took too long; retry shortly", Err: err}
	}
	return &apperr.Error{Code: apperr.Internal, Message: "internal error", Err: err}
}

func isConnectionLoss(err error) bool {
	// The connection died under an exchange already begun (a primary lost in a failover).
	if errors.Is(err, pgconn.ErrConnClosed) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// admin_shutdown, crash_shutdown, cannot_connect_now: the server is restarting.
		return pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	return false
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
