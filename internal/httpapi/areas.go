package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/paulmach/orb/geojson"

	"streetchief/internal/registry"
)

type areaProps struct {
	Kind          string          `json:"kind"`
	Name          string          `json:"name"`
	Attributes    map[string]any  `json:"attributes,omitempty"`
	Centreline    json.RawMessage `json:"centreline,omitempty"`
	SubdistrictID int64           `json:"subdistrict_id,omitempty"`
	CommunityID   int64           `json:"community_id,omitempty"`
	CreatedAt     *time.Time      `json:"created_at,omitempty"`
	UpdatedAt     *time.Time      `json:"updated_at,omitempty"`
}

func areaFeature(a registry.Area) featureOut {
	p := areaProps{Kind: a.Kind, Name: a.Name, Attributes: a.Attributes, SubdistrictID: a.SubdistrictID,
		CommunityID: a.CommunityID, CreatedAt: &a.CreatedAt, UpdatedAt: &a.UpdatedAt}
	if a.Centreline != nil {
		p.Centreline, _ = json.Marshal(geojson.NewGeometry(a.Centreline))
	}
	return featureOut{Type: "Feature", ID: a.ID, Geometry: geojson.NewGeometry(a.Geom), Properties: p}
}

func (s *Server) listAreas(w http.ResponseWriter, r *http.Request) error {
	if format := r.URL.Query().Get("format"); format != "" {
		return s.exportAreas(w, r, format)
	}
	q := &query{r: r}
	f := registry.AreaFilter{
		Kind:          r.URL.Query().Get("kind"),
		Name:          q.text("name", maxSearchText),
		SubdistrictID: q.int64("subdistrict"),
		CommunityID:   q.int64("community"),
		BBox:          q.bbox("bbox"),
		Page:          q.page(),
	}
	if q.err != nil {
		return q.err
	}
	areas, next, err := s.Registry.ListAreas(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	out := collectionOut{Type: "FeatureCollection", Features: make([]featureOut, 0, len(areas)), Next: next}
	for _, a := range areas {
		out.Features = append(out.Features, areaFeature(a))
	}
	setNextLink(w, r, next)
	return writeJSON(w, http.StatusOK, geoJSONType, out)
}

func (s *Server) getArea(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	a, err := s.Registry.Area(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, geoJSONType, areaFeature(a))
}

func (s *Server) decodeArea(w http.ResponseWriter, r *http.Request) (registry.AreaInput, error) {
	body, err := s.readBody(w, r)
	if err != nil {
		return registry.AreaInput{}, err
	}
	var p areaProps
	f, err := s.decodeFeature(body, &p)
	if err != nil {
		return registry.AreaInput{}, err
	}
	geom, err := registry.DecodePolygonal(f.Geometry)
	if err != nil {
		return registry.AreaInput{}, err
	}
	line, err := registry.DecodeLinear(p.Centreline)
	if err != nil {
		return registry.AreaInput{}, err
	}
	return registry.AreaInput{Kind: p.Kind, Name: p.Name, Geom: geom, Centreline: line, Attributes: p.Attributes}, nil
}

func (s *Server) createArea(w http.ResponseWriter, r *http.Request) error {
	in, err := s.decodeArea(w, r)
	if err != nil {
		return err
	}
	a, err := s.Registry.CreateArea(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/areas/"+itoa(a.ID))
	return writeJSON(w, http.StatusCreated, geoJSONType, areaFeature(a))
}

func (s *Server) updateArea(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	in, err := s.decodeArea(w, r)
	if err != nil {
		return err
	}
	a, err := s.Registry.UpdateArea(r.Context(), principal(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, geoJSONType, areaFeature(a))
}

func (s *Server) deleteArea(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	if err := s.Registry.DeleteArea(r.Context(), principal(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
