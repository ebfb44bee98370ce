package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// maxLat is where Web Mercator stops: the world is square there.
const maxLat = 85.05112877980659

// World projects WGS-84 to Web Mercator scaled to the unit square, x east and y south (0 at the
// top), the frame every tile is a sub-square of. Layers keep their geometry in it so a tile costs
// one multiply-add per vertex instead of a logarithm.
func World(p orb.Point) orb.Point {
	lat := math.Max(-maxLat, math.Min(maxLat, p[1]))
	s := math.Sin(lat * math.Pi / 180)
	return orb.Point{(p[0] + 180) / 360, 0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)}
}

// Unworld is World's inverse.
func Unworld(p orb.Point) orb.Point {
	return orb.Point{p[0]*360 - 180, math.Atan(math.Sinh(math.Pi*(1-2*p[1]))) * 180 / math.Pi}
}

// frame maps world coordinates into one tile's units (0 … Extent, y down).
type frame struct{ scale, x0, y0 float64 }

func frameOf(t maptile.Tile) frame {
	n := float64(uint64(1) << t.Z)
	return frame{scale: n * Extent, x0: float64(t.X) * Extent, y0: float64(t.Y) * Extent}
}

func (f frame) point(p orb.Point) orb.Point {
	return orb.Point{p[0]*f.scale - f.x0, p[1]*f.scale - f.y0}
}

func (f frame) world(p orb.Point) orb.Point {
	return orb.Point{(p[0] + f.x0) / f.scale, (p[1] + f.y0) / f.scale}
}

// ToTile returns where a WGS-84 point falls in tile t's units (unrounded).
func ToTile(t maptile.Tile, p orb.Point) orb.Point { return frameOf(t).point(World(p)) }

// FromTile returns the WGS-84 point at tile units p of tile t.
func FromTile(t maptile.Tile, p orb.Point) orb.Point { return Unworld(frameOf(t).world(p)) }

// mapGeom returns a copy of g with f applied to every point; nil for types tiles cannot carry.
func mapGeom(g orb.Geometry, f func(orb.Point) orb.Point) orb.Geometry {
	switch g := g.(type) {
	case orb.Point:
		return f(g)
	case orb.MultiPoint:
		out := make(orb.MultiPoint, len(g))
		for i, p := range g {
			out[i] = f(p)
		}
		return out
	case orb.LineString:
		return mapPoints(g, f)
	case orb.MultiLineString:
		out := make(orb.MultiLineString, len(g))
		for i, ls := range g {
			out[i] = mapPoints(ls, f)
		}
		return out
	case orb.Ring:
		return orb.Polygon{orb.Ring(mapPoints(orb.LineString(g), f))}
	case orb.Polygon:
		return mapPolygon(g, f)
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, len(g))
		for i, p := range g {
			out[i] = mapPolygon(p, f)
		}
		return out
	}
	return nil
}

func mapPolygon(p orb.Polygon, f func(orb.Point) orb.Point) orb.Polygon {
	out := make(orb.Polygon, len(p))
	for i, r := range p {
		out[i] = orb.Ring(mapPoints(orb.LineString(r), f))
	}
	return out
}

func mapPoints(ls orb.LineString, f func(orb.Point) orb.Point) orb.LineString {
	out := make(orb.LineString, len(ls))
	for i, p := range ls {
		out[i] = f(p)
	}
	return out
}

// boundOf is a geometry's bound; orb.Bound of an empty geometry would claim the origin.
func boundOf(g orb.Geometry) (orb.Bound, bool) {
	switch g := g.(type) {
	case nil:
		return orb.Bound{}, false
	case orb.MultiPoint:
		if len(g) == 0 {
			return orb.Bound{}, false
		}
	case orb.LineString:
		if len(g) == 0 {
			return orb.Bound{}, false
		}
	case orb.MultiLineString:
		if len(g) == 0 {
			return orb.Bound{}, false
		}
	case orb.Polygon:
		if len(g) == 0 || len(g[0]) == 0 {
			return orb.Bound{}, false
		}
	case orb.MultiPolygon:
		if len(g) == 0 {
			return orb.Bound{}, false
		}
	}
	return g.Bound(), true
}
