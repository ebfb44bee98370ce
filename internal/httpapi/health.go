package httpapi

import (
	"context"
	"net/http"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/database"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, "", map[string]string{"status": "ok", "version": s.Version})
}

// readyz says whether this replica can serve: the database answers and its schema is the one this
// binary was built for.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	pending, err := database.PendingMigrations(ctx, s.DB)
	if err != nil {
		return &apperr.Error{Code: apperr.Unavailable, Message: "database unreachable", Err: err}
	}
	if len(pending) > 0 {
		return apperr.New(apperr.Unavailable, "database schema is behind: %d migrations pending; run streetchief migrate", len(pending))
	}
	if s.Lookup != nil && !s.Lookup.Ready() {
		return apperr.New(apperr.Unavailable, "the responsibility index is still loading")
	}
	return writeJSON(w, http.StatusOK, "", map[string]string{"status": "ready"})
}

func (s *Server) metricsHandler(w http.ResponseWriter, r *http.Request) error {
	s.metrics.handler().ServeHTTP(w, r)
	return nil
}
