package tiles

import (
	"bytes"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
)

// FieldType is how a layer declares a property, in TileJSON's vector_layers wording.
type FieldType string

const (
	String  FieldType = "String"
	Number  FieldType = "Number"
	Boolean FieldType = "Boolean"
)

// Fields declares a layer's properties.
type Fields map[string]FieldType

// Check decodes a tile (gzipped or not) and verifies what clients rely on: every layer is declared
// in schema, is version 2 with extent 4096 and has features; every feature has geometry with
// integer coordinates inside the tile and its buffer; lines have two points or more; polygon rings
// are closed with four points or more and non-zero area, the first ring exterior (positive
// surveyor area in tile coordinates, i.e. clockwise on screen); every property is declared and has
// its declared type. It returns the decoded layers.
func Check(data []byte, schema map[string]Fields) (mvt.Layers, error) {
	var ls mvt.Layers
	var err error
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		ls, err = mvt.UnmarshalGzipped(data)
	} else {
		ls, err = mvt.Unmarshal(data)
	}
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	var errs []error
	for _, l := range ls {
		fields, ok := schema[l.Name]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("layer %q is not declared", l.Name))
			continue
		case l.Extent != Extent || l.Version != 2:
			errs = append(errs, fmt.Errorf("layer %q: extent %d version %d, want %d and 2", l.Name, l.Extent, l.Version, Extent))
		case len(l.Features) == 0:
			errs = append(errs, fmt.Errorf("layer %q has no features", l.Name))
		}
		for i, f := range l.Features {
			if err := checkGeometry(f.Geometry); err != nil {
				errs = append(errs, fmt.Errorf("layer %q feature %d: %w", l.Name, i, err))
			}
			for k, v := range f.Properties {
				if err := checkValue(fields, k, v); err != nil {
					errs = append(errs, fmt.Errorf("layer %q feature %d: %w", l.Name, i, err))
				}
			}
		}
	}
	return ls, errors.Join(errs...)
}

func checkValue(fields Fields, k string, v any) error {
	want, ok := fields[k]
	if !ok {
		return fmt.Errorf("property %q is not declared", k)
	}
	var good bool
	switch v.(type) {
	case string:
		good = want == String
	case float64:
		good = want == Number
	case bool:
		good = want == Boolean
	}
	if !good {
		return fmt.Errorf("property %q is %T, declared %s", k, v, want)
	}
	return nil
}

func checkGeometry(g orb.Geometry) error {
	var pts []orb.Point
	switch g := g.(type) {
	case nil:
		return errors.New("no geometry")
	case orb.Point:
		pts = []orb.Point{g}
	case orb.MultiPoint:
		pts = g
	case orb.LineString:
		if len(g) < 2 {
			return errors.New("line with fewer than two points")
		}
		pts = g
	case orb.MultiLineString:
		for _, ls := range g {
			if err := checkGeometry(ls); err != nil {
				return err
			}
		}
	case orb.Polygon:
		for i, r := range g {
			a := SurveyorArea(r)
			switch {
			case len(r) < 4 || !r.Closed():
				return fmt.Errorf("ring %d is not a closed ring of four points or more", i)
			case i == 0 && a <= 0:
				return fmt.Errorf("exterior ring has area %g: not clockwise in tile coordinates", a)
			case i > 0 && a >= 0:
				return fmt.Errorf("hole %d has area %g: not counter-clockwise in tile coordinates", i, a)
			}
			pts = append(pts, r...)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			if err := checkGeometry(p); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("geometry type %T", g)
	}
	for _, p := range pts {
		if p[0] != math.Trunc(p[0]) || p[1] != math.Trunc(p[1]) || !clipBox.Contains(p) {
			return fmt.Errorf("point %v is off the grid or outside the buffer", p)
		}
	}
	return nil
}
