package httpapi

import (
	"net/http"
	"time"

	"github.com/paulmach/orb/geojson"

	"streetchief/internal/registry"
)

type adminUnitProps struct {
	Level      string         `json:"level"`
	ParentID   int64          `json:"parent_id,omitempty"`
	Code       string         `json:"code"`
	Name       string         `json:"name"`
	Attributes map[string]any `json:"attributes,omitempty"`
	CreatedAt  *time.Time     `json:"created_at,omitempty"`
	UpdatedAt  *time.Time     `json:"updated_at,omitempty"`
}

func adminUnitFeature(u registry.AdminUnit) featureOut {
	return featureOut{Type: "Feature", ID: u.ID, Geometry: geojson.NewGeometry(u.Boundary), Properties: adminUnitProps{
		Level: u.Level, ParentID: u.ParentID, Code: u.Code, Name: u.Name, Attributes: u.Attributes,
		CreatedAt: &u.CreatedAt, UpdatedAt: &u.UpdatedAt}}
}

func (s *Server) listAdminUnits(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	f := registry.AdminUnitFilter{Level: r.URL.Query().Get("level"), ParentID: q.int64("parent"), Page: q.page()}
	if q.err != nil {
		return q.err
	}
	units, next, err := s.Registry.ListAdminUnits(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	out := collectionOut{Type: "FeatureCollection", Features: make([]featureOut, 0, len(units)), Next: next}
	for _, u := range units {
		out.Features = append(out.Features, adminUnitFeature(u))
	}
	setNextLink(w, r, next)
	return writeJSON(w, http.StatusOK, geoJSONType, out)
}

func (s *Server) getAdminUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	u, err := s.Registry.AdminUnit(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, geoJSONType, adminUnitFeature(u))
}

func (s *Server) decodeAdminUnit(w http.ResponseWriter, r *http.Request) (registry.AdminUnitInput, error) {
	body, err := s.readBody(w, r)
	if err != nil {
		return registry.AdminUnitInput{}, err
	}
	var p adminUnitProps
	f, err := s.decodeFeature(body, &p)
	if err != nil {
		return registry.AdminUnitInput{}, err
	}
	geom, err := registry.DecodePolygonal(f.Geometry)
	if err != nil {
		return registry.AdminUnitInput{}, err
	}
	return registry.AdminUnitInput{Level: p.Level, ParentID: p.ParentID, Code: p.Code, Name: p.Name,
		Boundary: geom, Attributes: p.Attributes}, nil
}

func (s *Server) createAdminUnit(w http.ResponseWriter, r *http.Request) error {
	in, err := s.decodeAdminUnit(w, r)
	if err != nil {
		return err
	}
	u, err := s.Registry.CreateAdminUnit(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/admin-units/"+itoa(u.ID))
	return writeJSON(w, http.StatusCreated, geoJSONType, adminUnitFeature(u))
}

func (s *Server) updateAdminUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	in, err := s.decodeAdminUnit(w, r)
	if err != nil {
		return err
	}
	u, err := s.Registry.UpdateAdminUnit(r.Context(), principal(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, geoJSONType, adminUnitFeature(u))
}

func (s *Server) deleteAdminUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	if err := s.Registry.DeleteAdminUnit(r.Context(), principal(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
