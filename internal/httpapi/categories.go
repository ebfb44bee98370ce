package httpapi

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
)

func (s *Server) categoryRoutes() {
	admin := Roles(access.Admin)
	s.handle("GET", "/api/v1/incident-categories", Public, "incidents", "The incident catalogue: 大类 and 小类 with departments, SLA hours and escalation (include_retired=true when signed in)", s.listCategories)
	s.handle("POST", "/api/v1/incident-categories", admin, "incidents", "Add a category or subcategory", s.createCategory)
	// PUT predates PATCH; it changes the fields it names too, so an older client that knows nothing of
	// parents or escalation cannot reset them by leaving them out.
	s.handle("PUT", "/api/v1/incident-categories/{code}", admin, "incidents", "Change a category (as PATCH; kept for older clients)", s.patchCategory)
	s.handle("PATCH", "/api/v1/incident-categories/{code}", admin, "incidents", "Change some of a category's names, parent, departments, SLA hours and escalation", s.patchCategory)
	s.handle("POST", "/api/v1/incident-categories/{code}:retire", admin, "incidents", "Retire a category (reason): no new incidents, old ones keep it", s.retireCategory)
}

func (s *Server) listCategories(w http.ResponseWriter, r *http.Request) error {
	q := incidents.CatalogueQuery{}
	switch v := r.URL.Query().Get("include_retired"); v {
	case "", "false":
	case "true":
		// Citizens choose from the active catalogue; the retired part is for staff reading old cases.
		q.IncludeRetired = principal(r).SignedIn()
	default:
		return apperr.New(apperr.Invalid, "include_retired %q is not true or false", v).With("field", "include_retired")
	}
	cats, err := s.Incidents.Catalogue(r.Context(), q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"categories": cats})
}

func (s *Server) createCategory(w http.ResponseWriter, r *http.Request) error {
	var in incidents.CategoryInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.Incidents.CreateCategory(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/incident-categories/"+c.Code)
	return writeJSON(w, http.StatusCreated, "", c)
}

func (s *Server) patchCategory(w http.ResponseWriter, r *http.Request) error {
	var p incidents.CategoryPatch
	if err := s.decodeJSON(w, r, &p); err != nil {
		return err
	}
	c, err := s.Incidents.PatchCategory(r.Context(), principal(r), chi.URLParam(r, "code"), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", c)
}

func (s *Server) retireCategory(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.Incidents.RetireCategory(r.Context(), principal(r), strings.TrimSpace(chi.URLParam(r, "code")), in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", c)
}
