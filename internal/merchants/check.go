package merchants

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/geojson"

	"streetchief/internal/apperr"
	"streetchief/internal/database"
)

// Frontage limits: a shop front is a few dozen metres of pavement, drawn with a handful of vertices.
const (
	maxFrontageVertices = 2000
	maxFrontageFromShop = 100.0 // metres between the shop's point and the nearest part of its frontage
)

// checkText refuses invalid UTF-8, control characters and text over max characters.
func checkText(field, v string, max int) error {
	if !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return apperr.New(apperr.Invalid, "%s holds control characters or invalid UTF-8", field).With("field", field)
	}
	if n := utf8.RuneCountInString(v); n > max {
		return apperr.New(apperr.Invalid, "%s is %d characters, at most %d", field, n, max).With("field", field)
	}
	return nil
}

// checkPoint refuses a position that is not a finite longitude and latitude.
func checkPoint(field string, p orb.Point) error {
	lon, lat := p[0], p[1]
	if math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0) {
		return apperr.New(apperr.Invalid, "%s is not a finite position", field).With("field", field)
	}
	if lon < -180 || lon > 180 || lat < -90 || lat > 90 {
		return apperr.New(apperr.Invalid, "%s [%g, %g] is out of range (longitude -180..180, latitude -90..90)", field, lon, lat).With("field", field)
	}
	return nil
}

// DecodeFrontage reads an optional GeoJSON frontage: a LineString along the shop front, or a Polygon
// of pavement, or their multi forms. Validity (a self-crossing ring) is checked against PostGIS when
// the shop is stored.
func DecodeFrontage(raw json.RawMessage) (orb.Geometry, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	g, err := geojson.UnmarshalGeometry(raw)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "frontage is not a GeoJSON geometry: %v", clip(err.Error(), 200)).With("field", "frontage")
	}
	geom := g.Geometry()
	if err := checkFrontageShape(geom); err != nil {
		return nil, err
	}
	return geom, nil
}

// checkFrontageShape checks a frontage's type, positions, line lengths and closed rings.
func checkFrontageShape(g orb.Geometry) error {
	bad := func(format string, args ...any) error {
		return apperr.New(apperr.Invalid, "frontage: "+format, args...).With("field", "frontage")
	}
	var lines []orb.LineString
	var rings []orb.Ring
	switch c := g.(type) {
	case orb.LineString:
		lines = []orb.LineString{c}
	case orb.MultiLineString:
		lines = c
	case orb.Polygon:
		rings = c
	case orb.MultiPolygon:
		for _, p := range c {
			if len(p) == 0 {
				return bad("a polygon has no rings")
			}
			rings = append(rings, p...)
		}
	default:
		return bad("must be a LineString, MultiLineString, Polygon or MultiPolygon, not %s", g.GeoJSONType())
	}
	if len(lines) == 0 && len(rings) == 0 {
		return bad("is empty")
	}
	n := 0
	for i, l := range lines {
		if len(l) < 2 {
			return bad("line %d needs at least 2 positions", i)
		}
		for _, p := range l {
			if err := checkPoint("frontage", p); err != nil {
				return err
			}
		}
		n += len(l)
	}
	for i, r := range rings {
		if len(r) < 4 || r[0] != r[len(r)-1] {
			return bad("ring %d must be closed and have at least 4 positions", i)
		}
		for _, p := range r {
			if err := checkPoint("frontage", p); err != nil {
				return err
			}
		}
		n += len(r)
	}
	if n > maxFrontageVertices {
		return bad("%d positions, at most %d", n, maxFrontageVertices)
	}
	return nil
}

// checkFrontage asks PostGIS whether the frontage is valid and near enough to the shop to be its
// front, so a frontage drawn across the city by a slip of the hand is refused.
func checkFrontage(ctx context.Context, db database.Querier, at orb.Point, g orb.Geometry) error {
	if g == nil {
		return nil
	}
	var (
		valid  bool
		reason *string
		dist   float64
	)
	err := db.QueryRow(ctx, `SELECT d.valid, d.reason, ST_Distance(ST_GeomFromWKB($1, 4326)::geography, ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography)
		FROM ST_IsValidDetail(ST_GeomFromWKB($1, 4326)) d`, wkbOf(g), at[0], at[1]).Scan(&valid, &reason, &dist)
	if err != nil {
		return translate(err, "frontage")
	}
	if !valid {
		r := ""
		if reason != nil {
			r = *reason
		}
		return apperr.New(apperr.Invalid, "frontage is not valid: %s", r).With("field", "frontage")
	}
	if dist > maxFrontageFromShop {
		return apperr.New(apperr.Invalid, "frontage is %.0f m from the shop; a frontage lies within %.0f m of it", dist, maxFrontageFromShop).With("field", "frontage")
	}
	return nil
}

func wkbOf(g orb.Geometry) []byte {
	if g == nil {
		return nil
	}
	b, err := wkb.Marshal(g)
	if err != nil {
		panic(fmt.Sprintf("wkb marshal: %v", err)) // only unsupported types fail, and checkFrontageShape allows none
	}
	return b
}

// translate turns the database's refusals into errors a person can act on.
func translate(err error, what string) error {
	return database.Refused(err, what, database.Messages{
		"merchant_licence_no_key": "another shop is registered under this licence number",
		"XX000":                   "", // PostGIS refusing a geometry
	})
}
