package httpapi

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
)

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
