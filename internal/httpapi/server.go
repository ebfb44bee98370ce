// Package httpapi is the thin HTTP layer: it decodes requests, asks the caller's identity of the
// Authenticator, calls the domain packages and encodes their answers (JSON, GeoJSON, problem+json).
// It holds no SQL and no business rules; every route is declared in routes() with its access rule.
package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/auth"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/maptiles"
	"streetchief/internal/registry"
	"streetchief/internal/reports"
)

// Deps are what the handlers need; cmd/streetchief wires them.
type Deps struct {
	DB        *pgxpool.Pool
	Registry  *registry.Store
	Auth      *auth.Service
	Lookup    *lookup.Engine
	Tiles     *maptiles.Service
	Incidents *incidents.Service
	Reports   *reports.Service
	Logger    *slog.Logger
	// MaxBodyBytes limits request bodies; 0 means 8 MiB.
	MaxBodyBytes int64
	// Version is reported by /healthz.
	Version string
}

// Server is the HTTP API.
type Server struct {
	Deps
	router  chi.Router
	table   []route
	metrics *metrics
	ids     *requestIDs
}

// New builds the server and its routes.
func New(d Deps) *Server {
	if d.MaxBodyBytes <= 0 {
		d.MaxBodyBytes = 8 << 20
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	s := &Server{Deps: d, metrics: newMetrics(d.DB), ids: newRequestIDs()}
	s.router = chi.NewRouter()
	s.router.Use(s.frameRequests)
	s.router.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.problem(w, r, errNotFoundRoute(r))
	})
	s.router.MethodNotAllowed(s.methodNotAllowed)
	s.routes()
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// principal is the caller of the request, set by the access check of every route.
func principal(r *http.Request) access.Principal {
	if f := frameOf(r); f != nil {
		return f.principal
	}
	return access.Principal{}
}
