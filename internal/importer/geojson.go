package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"streetchief/internal/apperr"
	"streetchief/internal/jsonlist"
	"streetchief/internal/registry"
)

// GeoJSONOptions say how features of a FeatureCollection become areas.
type GeoJSONOptions struct {
	Kind     string // every feature's kind; empty: each feature's properties.kind
	NameProp string // the property holding the name; default "name"
	// KeyProp, when set, is the property holding each feature's lasting key in its source (a
	// surveying bureau's parcel number, say): importing the file again changes the areas stored under
	// those keys in place instead of adding them twice. Every feature must have one.
	KeyProp string
}

// defaultWidths are corridor widths in metres for LineString features without a width_m property.
var defaultWidths = map[string]float64{"main_road": 14, "secondary_road": 10, "back_lane": 5, "river": 10}

// reserved properties are not copied into attributes when a feature has no attributes object.
var reserved = map[string]bool{"kind": true, "centreline": true, "attributes": true, "width_m": true, "id": true,
	"subdistrict_id": true, "subdistrict": true, "community_id": true, "community": true,
	"responsible": true, "responsible_names": true, "source_key": true}

type featureIn struct {
	Type       string                     `json:"type"`
	Geometry   json.RawMessage            `json:"geometry"`
	Properties map[string]json.RawMessage `json:"properties"`

	// What readFeature already read, when it could: the geometry, and the properties as slices of
	// the feature's JSON in their order (then Properties is nil).
	parsed     orb.Geometry
	parsedType string
	props      []property
}

type property struct {
	key []byte
	raw json.RawMessage
}

// prop is the raw value of property k; as in encoding/json, the last of duplicates counts.
func (f *featureIn) prop(k string) (json.RawMessage, bool) {
	if f.Properties != nil {
		raw, ok := f.Properties[k]
		return raw, ok
	}
	for i := len(f.props) - 1; i >= 0; i-- {
		if string(f.props[i].key) == k {
			return f.props[i].raw, true
		}
	}
	return nil, false
}

func (f *featureIn) eachProp(fn func(k string, raw json.RawMessage)) {
	for k, raw := range f.Properties {
		fn(k, raw)
	}
	for _, p := range f.props {
		fn(string(p.key), p.raw)
	}
}

// plainString is the value of a JSON string without escapes, which needs no decoding.
func plainString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	for _, c := range raw[1 : len(raw)-1] {
		if c == '\\' || c == '"' || c < 0x20 {
			return "", false
		}
	}
	if !utf8.Valid(raw) {
		return "", false // encoding/json puts U+FFFD in place of what is not UTF-8
	}
	return string(raw[1 : len(raw)-1]), true
}

// DecodeFeatureCollection reads a GeoJSON FeatureCollection as it streams in. A document that is not
// one is Malformed; a feature that cannot become an area is reported by its index and reason and the
// others go on.
func DecodeFeatureCollection(r io.Reader, opt GeoJSONOptions) ([]registry.ImportArea, []registry.ImportSkip, error) {
	st := newFeatureStream(r, opt, false)
	defer st.close()
	var areas []registry.ImportArea
	for {
		a, err := st.next()
		if err != nil {
			return nil, nil, err
		}
		if a == nil {
			return areas, st.skipped, nil
		}
		areas = append(areas, *a)
	}
}

func malformed(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return apperr.New(apperr.Malformed, "malformed GeoJSON: the document ends too early")
	}
	return &apperr.Error{Code: apperr.Malformed, Message: "malformed GeoJSON: " + jsonlist.Describe(err), Err: err}
}

// featureArea turns feature i into an area: a Polygon or MultiPolygon as it is, a LineString or
// MultiLineString as a corridor width_m wide. On error the area holds what was read before it (the
// source and, if known, the kind), for the report's skipped feature.
func featureArea(i int, f featureIn, opt GeoJSONOptions) (registry.ImportArea, error) {
	a := registry.ImportArea{Index: i, Source: fmt.Sprintf("feature %d", i), Kind: opt.Kind}
	if f.Type != "Feature" {
		return a, fmt.Errorf("not a Feature (type %q)", f.Type)
	}
	if a.Kind == "" {
		if err := featureKind(&a, &f); err != nil {
			return a, err
		}
	}
	if err := featureNameKey(&a, &f, opt); err != nil {
		return a, err
	}
	if err := featureGeometry(&a, &f); err != nil {
		return a, err
	}
	if err := featureCorridor(&a, &f); err != nil {
		return a, err
	}
	return a, featureAttributes(&a, &f, opt)
}

// featureKind is properties.kind, for a file given no kind of its own.
func featureKind(a *registry.ImportArea, f *featureIn) error {
	raw, _ := f.prop("kind")
	var ok bool
	if a.Kind, ok = plainString(raw); !ok {
		if err := json.Unmarshal(raw, &a.Kind); err != nil {
			a.Kind = ""
		}
	}
	if a.Kind == "" {
		return errors.New("no kind: give --kind (?kind=) or a string properties.kind")
	}
	return nil
}

// featureNameKey reads the name (else one made of the kind and the index) and, when the file is
// keyed, the key every feature must have.
func featureNameKey(a *registry.ImportArea, f *featureIn, opt GeoJSONOptions) error {
	raw, _ := f.prop(opt.NameProp)
	a.Name = propString(raw)
	if a.Name == "" {
		a.Name = fmt.Sprintf("%s feature %d", a.Kind, a.Index)
	}
	if opt.KeyProp != "" {
		raw, _ := f.prop(opt.KeyProp)
		if a.Key = propString(raw); a.Key == "" {
			return fmt.Errorf("no key: properties.%s is missing, empty or not a string or number", opt.KeyProp)
		}
	}
	return nil
}

// featureGeometry reads the geometry: a polygon is the area itself, a line its centreline.
func featureGeometry(a *registry.ImportArea, f *featureIn) error {
	if len(f.Geometry) == 0 || string(f.Geometry) == "null" {
		return errors.New("geometry is required")
	}
	g, typ, err := f.parsed, f.parsedType, error(nil)
	if g == nil {
		g, typ, err = parseGeometry(f.Geometry)
	}
	if err != nil {
		return fmt.Errorf("geometry is not valid GeoJSON: %s", jsonlist.Describe(err))
	}
	switch c := g.(type) {
	case orb.Polygon, orb.MultiPolygon:
		a.Geom = c
	case orb.LineString:
		a.Centreline = orb.MultiLineString{c}
	case orb.MultiLineString:
		a.Centreline = c
	default:
		return fmt.Errorf("geometry must be a Polygon or MultiPolygon (or a LineString for a corridor), not %s", typ)
	}
	return nil
}

// featureCorridor gives a line its width (properties.width_m, else the kind's), and a polygon the
// centreline it may carry in properties.centreline (as exports write roads and rivers).
func featureCorridor(a *registry.ImportArea, f *featureIn) error {
	if a.Geom == nil {
		a.WidthM = defaultWidths[a.Kind]
		if a.WidthM == 0 {
			a.WidthM = 10
		}
		if raw, ok := f.prop("width_m"); ok {
			if err := json.Unmarshal(raw, &a.WidthM); err != nil {
				return fmt.Errorf("width_m is not a number: %s", raw)
			}
		}
	} else if raw, ok := f.prop("centreline"); ok && string(raw) != "null" {
		var err error
		if a.Centreline, err = decodeLinear(raw); err != nil {
			return fmt.Errorf("centreline: %v", apperr.Message(err))
		}
	}
	return nil
}

// featureAttributes is properties.attributes, or else every property that is not one of the
// area's own fields.
func featureAttributes(a *registry.ImportArea, f *featureIn, opt GeoJSONOptions) error {
	if raw, ok := f.prop("attributes"); ok && string(raw) != "null" {
		// Kept as JSON: decoding the object only to encode it again cost a fifth of the decoding.
		if len(raw) == 0 || raw[0] != '{' {
			return errors.New("attributes must be an object")
		}
		a.AttributesJSON = raw
		return nil
	}
	f.eachProp(func(k string, raw json.RawMessage) {
		if reserved[k] || k == opt.NameProp {
			return
		}
		var v any
		if err := json.Unmarshal(raw, &v); err == nil {
			if a.Attributes == nil {
				a.Attributes = map[string]any{}
			}
			a.Attributes[k] = v
		}
	})
	return nil
}

func propString(raw json.RawMessage) string {
	if s, ok := plainString(raw); ok {
		return s
	}
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
