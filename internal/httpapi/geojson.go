package httpapi

import (
	"encoding/json"

	"github.com/paulmach/orb/geojson"

	"streetchief/internal/apperr"
	"streetchief/internal/jsonlist"
)

// featureIn is a GeoJSON Feature as clients send it; properties are decoded per resource.
type featureIn struct {
	Type       string          `json:"type"`
	ID         any             `json:"id,omitempty"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
	BBox       []float64       `json:"bbox,omitempty"`
}

// decodeFeature reads a GeoJSON Feature and its properties into props (unknown properties refused).
func (s *Server) decodeFeature(body []byte, props any) (featureIn, error) {
	var f featureIn
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(body, &head); err == nil && head.Type != "Feature" {
		return f, apperr.New(apperr.Malformed, "expected a GeoJSON Feature, got type %q", head.Type)
	}
	if err := jsonlist.DecodeStrict(body, &f); err != nil {
		return f, err
	}
	if len(f.Properties) == 0 || string(f.Properties) == "null" {
		return f, apperr.New(apperr.Invalid, "properties are required")
	}
	if err := jsonlist.DecodeStrict(f.Properties, props); err != nil {
		return f, err
	}
	return f, nil
}

// featureOut is a GeoJSON Feature as the API answers (RFC 7946).
type featureOut struct {
	Type       string            `json:"type"`
	ID         int64             `json:"id"`
	Geometry   *geojson.Geometry `json:"geometry"`
	Properties any               `json:"properties"`
}

// collectionOut is a page of features; Next is the value of after= for the following page.
type collectionOut struct {
	Type     string       `json:"type"`
	Features []featureOut `json:"features"`
	Next     int64        `json:"next,omitempty"`
}

const geoJSONType = "application/geo+json"
