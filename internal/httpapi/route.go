package httpapi

import (
	"net/http"
	"slices"

	"github.com/go-chi/chi/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// Rule says who may call a route at all. Which rows they then see or change is decided by the domain
// from the principal's scope. Every route must name one: routes() cannot register a route without it,
// and a test walks the router to check that nothing was registered behind routes()'s back.
type Rule struct {
	name   string
	public bool
	roles  []access.Role // empty with public false: any signed-in user
}

var (
	// Public routes answer anyone, signed in or not.
	Public = Rule{name: "public", public: true}
	// SignedIn routes answer any signed-in user.
	SignedIn = Rule{name: "signed-in"}
)

// Roles admits only the named roles.
func Roles(roles ...access.Role) Rule {
	name := "roles:"
	for i, r := range roles {
		if i > 0 {
			name += ","
		}
		name += string(r)
	}
	return Rule{name: name, roles: roles}
}

func (rule Rule) String() string { return rule.name }

// admits reports whether p passes the rule, or the error to answer with.
func (rule Rule) admits(p access.Principal) error {
	if rule.public {
		return nil
	}
	if !p.SignedIn() {
		return apperr.New(apperr.Unauthorized, "sign in first")
	}
	if len(rule.roles) > 0 && !slices.Contains(rule.roles, p.Role) {
		return apperr.New(apperr.Forbidden, "your role (%s) may not do this", p.Role)
	}
	return nil
}

// handlerFunc is a handler that returns its error instead of writing it; the wrapper answers
// problem+json and logs internal errors.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// route is one row of the route table; the OpenAPI document is generated from the same rows.
type route struct {
	Method  string
	Pattern string
	Rule    Rule
	Summary string
	Tag     string
}

// handle registers a route with its access rule.
func (s *Server) handle(method, pattern string, rule Rule, tag, summary string, h handlerFunc) {
	s.table = append(s.table, route{Method: method, Pattern: pattern, Rule: rule, Summary: summary, Tag: tag})
	s.router.Method(method, pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.Auth.Authenticate(r)
		if err == nil {
			p.RequestID = requestIDOf(r)
			err = rule.admits(p)
		}
		if err != nil {
			s.problem(w, r, err)
			return
		}
		if f := frameOf(r); f != nil {
			f.principal = p
		}
		if err := h(w, r); err != nil {
			s.problem(w, r, err)
		}
	}))
}

// Routes lists the registered routes (for the OpenAPI document and the access test).
func (s *Server) Routes() []route { return slices.Clone(s.table) }

// WalkRoutes lists "METHOD pattern" for every route the router really serves, however registered.
func (s *Server) WalkRoutes() ([]string, error) {
	var out []string
	err := chi.Walk(s.router, func(method, pattern string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		out = append(out, method+" "+pattern)
		return nil
	})
	return out, err
}
