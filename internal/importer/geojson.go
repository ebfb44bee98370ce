package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"streetchief/internal/apperr"
	"streetchief/internal/registry"
)

// GeoJSONOptions say how features of a FeatureCollection become areas.
type GeoJSONOptions struct {
	Kind     string // every feature's kind; empty: each feature's properties.kind
	NameProp string // the property holding the name; default "name"
}

// defaultWidths are corridor widths in metres for LineString features without a width_m property.
var defaultWidths = map[string]float64{"main_road": 14, "secondary_road": 10, "back_lane": 5, "river": 10}

// reserved properties are not copied into attributes when a feature has no attributes object.
var reserved = map[string]bool{"kind": true, "centreline": true, "attributes": true, "width_m": true, "id": true,
	"subdistrict_id": true, "subdistrict": true, "community_id": true, "community": true,
	"responsible": true, "responsible_names": true}

type featureIn struct {
	Type       string                     `json:"type"`
	Geometry   json.RawMessage            `json:"geometry"`
	Properties map[string]json.RawMessage `json:"properties"`
}

// DecodeFeatureCollection reads a GeoJSON FeatureCollection as it streams in. A document that is not
// one is Malformed; a feature that cannot become an area is reported by its index and reason and the
// others go on.
func DecodeFeatureCollection(r io.Reader, opt GeoJSONOptions) ([]registry.ImportArea, []registry.ImportSkip, error) {
	if opt.NameProp == "" {
		opt.NameProp = "name"
	}
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return nil, nil, err
	}
	var (
		areas   []registry.ImportArea
		skipped []registry.ImportSkip
		typ     string
		sawList bool
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, malformed(err)
		}
		switch tok {
		case "type":
			if err := dec.Decode(&typ); err != nil {
				return nil, nil, malformed(err)
			}
			if typ != "FeatureCollection" {
				return nil, nil, apperr.New(apperr.Malformed, "expected a GeoJSON FeatureCollection, got type %q", typ)
			}
		case "features":
			sawList = true
			if err := expectDelim(dec, '['); err != nil {
				return nil, nil, err
			}
			for i := 0; dec.More(); i++ {
				var f featureIn
				if err := dec.Decode(&f); err != nil {
					return nil, nil, &apperr.Error{Code: apperr.Malformed, Message: fmt.Sprintf("feature %d: malformed JSON: %v", i, err), Err: err}
				}
				a, err := featureArea(i, f, opt)
				if err != nil {
					skipped = append(skipped, registry.ImportSkip{Target: "area", Index: i, Source: fmt.Sprintf("feature %d", i),
						Kind: a.Kind, Reason: err.Error()})
					continue
				}
				areas = append(areas, a)
			}
			if err := expectDelim(dec, ']'); err != nil {
				return nil, nil, err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, nil, malformed(err)
			}
		}
	}
	if typ != "FeatureCollection" || !sawList {
		return nil, nil, apperr.New(apperr.Malformed, `expected a GeoJSON FeatureCollection with "type" and "features"`)
	}
	return areas, skipped, nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return malformed(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return apperr.New(apperr.Malformed, "malformed GeoJSON: expected %q, found %v", want, tok)
	}
	return nil
}

func malformed(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return apperr.New(apperr.Malformed, "malformed GeoJSON: the document ends too early")
	}
	return &apperr.Error{Code: apperr.Malformed, Message: "malformed GeoJSON: " + err.Error(), Err: err}
}

// featureArea turns feature i into an area: a Polygon or MultiPolygon as it is, a LineString or
// MultiLineString as a corridor width_m wide.
func featureArea(i int, f featureIn, opt GeoJSONOptions) (registry.ImportArea, error) {
	a := registry.ImportArea{Index: i, Source: fmt.Sprintf("feature %d", i), Kind: opt.Kind}
	if f.Type != "Feature" {
		return a, fmt.Errorf("not a Feature (type %q)", f.Type)
	}
	if a.Kind == "" {
		if err := json.Unmarshal(f.Properties["kind"], &a.Kind); err != nil || a.Kind == "" {
			return a, errors.New("no kind: give --kind (?kind=) or a string properties.kind")
		}
	}
	a.Name = propString(f.Properties[opt.NameProp])
	if a.Name == "" {
		a.Name = fmt.Sprintf("%s feature %d", a.Kind, i)
	}
	if len(f.Geometry) == 0 || string(f.Geometry) == "null" {
		return a, errors.New("geometry is required")
	}
	g, err := geojson.UnmarshalGeometry(f.Geometry)
	if err != nil {
		return a, fmt.Errorf("geometry is not valid GeoJSON: %v", err)
	}
	switch c := g.Coordinates.(type) {
	case orb.Polygon, orb.MultiPolygon:
		a.Geom = c
	case orb.LineString:
		a.Centreline = orb.MultiLineString{c}
	case orb.MultiLineString:
		a.Centreline = c
	default:
		return a, fmt.Errorf("geometry must be a Polygon or MultiPolygon (or a LineString for a corridor), not %s", g.Type)
	}
	if a.Geom == nil {
		a.WidthM = defaultWidths[a.Kind]
		if a.WidthM == 0 {
			a.WidthM = 10
		}
		if raw, ok := f.Properties["width_m"]; ok {
			if err := json.Unmarshal(raw, &a.WidthM); err != nil {
				return a, fmt.Errorf("width_m is not a number: %s", raw)
			}
		}
	} else if raw, ok := f.Properties["centreline"]; ok && string(raw) != "null" {
		if a.Centreline, err = registry.DecodeLinear(raw); err != nil {
			return a, fmt.Errorf("centreline: %v", apperrMessage(err))
		}
	}
	if raw, ok := f.Properties["attributes"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &a.Attributes); err != nil {
			return a, errors.New("attributes must be an object")
		}
	} else {
		for k, raw := range f.Properties {
			if reserved[k] || k == opt.NameProp {
				continue
			}
			var v any
			if err := json.Unmarshal(raw, &v); err == nil {
				if a.Attributes == nil {
					a.Attributes = map[string]any{}
				}
				a.Attributes[k] = v
			}
		}
	}
	return a, nil
}

func propString(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	switch s := v.(type) {
	case string:
		return s
	case float64:
		return strconv.FormatFloat(s, 'f', -1, 64)
	}
	return ""
}

func apperrMessage(err error) string {
	var e *apperr.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}
