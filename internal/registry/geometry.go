package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/geojson"

	"streetchief/internal/apperr"
	"streetchief/internal/database"
	"streetchief/internal/jsonlist"
)

// DecodePolygonal reads a GeoJSON Polygon or MultiPolygon geometry and checks what can be checked
// without the database: types, coordinate ranges and closed rings. Self-intersections are found by
// checkValid, which asks PostGIS.
func DecodePolygonal(raw json.RawMessage) (orb.MultiPolygon, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, apperr.New(apperr.Invalid, "geometry is required")
	}
	if err := jsonlist.CheckText(raw); err != nil {
		return nil, err
	}
	g, err := geojson.UnmarshalGeometry(raw)
	if err != nil {
		return nil, geoJSONError("geometry", raw, err)
	}
	var mp orb.MultiPolygon
	switch c := g.Coordinates.(type) {
	case orb.Polygon:
		mp = orb.MultiPolygon{c}
	case orb.MultiPolygon:
		mp = c
	default:
		return nil, apperr.New(apperr.Invalid, "geometry must be a Polygon or MultiPolygon, not %s", g.Type)
	}
	if len(mp) == 0 {
		return nil, apperr.New(apperr.Invalid, "geometry is empty")
	}
	for i, poly := range mp {
		if len(poly) == 0 {
			return nil, apperr.New(apperr.Invalid, "polygon %d has no rings", i)
		}
		for j, ring := range poly {
			if err := checkRing(ring); err != nil {
				return nil, apperr.New(apperr.Invalid, "polygon %d ring %d: %s", i, j, err).
					With("polygon", i).With("ring", j)
			}
		}
	}
	return mp, nil
}

// DecodeLinear reads an optional GeoJSON LineString or MultiLineString (a road's or river's centreline).
func DecodeLinear(raw json.RawMessage) (orb.MultiLineString, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	g, err := geojson.UnmarshalGeometry(raw)
	if err != nil {
		return nil, geoJSONError("centreline", raw, err)
	}
	var ml orb.MultiLineString
	switch c := g.Coordinates.(type) {
	case orb.LineString:
		ml = orb.MultiLineString{c}
	case orb.MultiLineString:
		ml = c
	default:
		return nil, apperr.New(apperr.Invalid, "centreline must be a LineString or MultiLineString, not %s", g.Type)
	}
	for i, ls := range ml {
		if len(ls) < 2 {
			return nil, apperr.New(apperr.Invalid, "centreline line %d needs at least 2 positions", i)
		}
		for _, p := range ls {
			if err := checkPosition(p); err != nil {
				return nil, apperr.New(apperr.Invalid, "centreline line %d: %s", i, err)
			}
		}
	}
	return ml, nil
}

// nonFinite finds what JSON cannot carry as a coordinate: NaN and Infinity written out, or a number
// too large for a float64.
var nonFinite = regexp.MustCompile(`(?i)\b(nan|infinity)\b|[-+]?\d+(\.\d+)?e[+]?\d{3,}`)

// geoJSONError tells a non-finite coordinate (a rule broken: 422) from unreadable GeoJSON (400).
func geoJSONError(what string, raw []byte, err error) error {
	if m := nonFinite.Find(raw); m != nil {
		if f, perr := strconv.ParseFloat(string(m), 64); perr != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return apperr.New(apperr.Invalid, "%s has a coordinate that is not a finite number: %s", what, m)
		}
	}
	return &apperr.Error{Code: apperr.Malformed, Message: what + " is not valid GeoJSON: " + jsonlist.Describe(err), Err: err}
}

func checkRing(ring orb.Ring) error {
	if len(ring) < 4 {
		return fmt.Errorf("a ring needs at least 4 positions, has %d", len(ring))
	}
	for _, p := range ring {
		if err := checkPosition(p); err != nil {
			return err
		}
	}
	if ring[0] != ring[len(ring)-1] {
		return fmt.Errorf("ring is not closed: first position %v differs from last %v", ring[0], ring[len(ring)-1])
	}
	return nil
}

func checkPosition(p orb.Point) error {
	lon, lat := p[0], p[1]
	if math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0) {
		return fmt.Errorf("position %v is not a finite number", p)
	}
	if lon < -180 || lon > 180 || lat < -90 || lat > 90 {
		return fmt.Errorf("position [%g, %g] is out of range (longitude -180..180, latitude -90..90)", lon, lat)
	}
	return nil
}

// checkValid asks PostGIS whether g is valid and, if not, why and where, as ST_IsValidDetail says.
func checkValid(ctx context.Context, db database.Querier, what string, g orb.Geometry) error {
	var (
		valid    bool
		reason   *string
		lon, lat *float64
	)
	err := db.QueryRow(ctx, `SELECT d.valid, d.reason, ST_X(d.location), ST_Y(d.location)
		FROM ST_IsValidDetail(ST_GeomFromWKB($1, 4326)) d`, wkbOf(g)).Scan(&valid, &reason, &lon, &lat)
	if err != nil {
		return fmt.Errorf("validate %s: %w", what, err)
	}
	if valid {
		return nil
	}
	e := apperr.New(apperr.Invalid, "%s is not valid: %s", what, deref(reason))
	if lon != nil && lat != nil {
		e = e.With("location", []float64{*lon, *lat})
		e.Message += fmt.Sprintf(" at [%g, %g]", *lon, *lat)
	}
	return e
}

// wkbOf and ewkbOf encode geometry for PostgreSQL: wkbOf as a parameter to ST_GeomFromWKB($n,
// 4326) in a statement, ewkbOf with the SRID inside, for a value COPY puts straight into a geometry
// column.
func wkbOf(g orb.Geometry) []byte {
	if g == nil {
		return nil
	}
	b, err := wkb.Marshal(g)
	if err != nil {
		// Only unsupported geometry types fail, and callers pass polygons and lines.
		panic(fmt.Sprintf("wkb marshal: %v", err))
	}
	return b
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func ewkbOf(g orb.Geometry) []byte {
	b, err := ewkb.Marshal(g, 4326)
	if err != nil {
		// Only unsupported geometry types fail, and callers pass polygons and lines.
		panic(fmt.Sprintf("ewkb marshal: %v", err))
	}
	return b
}
