package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"
)

// clipBox is the tile plus its buffer, in tile units.
var clipBox = orb.Bound{Min: orb.Point{-Buffer, -Buffer}, Max: orb.Point{Extent + Buffer, Extent + Buffer}}

// Tolerance is the Douglas–Peucker tolerance, in tile units, used at zoom z: at the zooms where a
// district is a few tiles wide a vertex more or less is invisible; from 15 on every vertex is kept.
func Tolerance(z maptile.Zoom) float64 {
	switch {
	case z <= 12:
		return 2
	case z <= 14:
		return 1
	}
	return 0
}

// shape is the tile pipeline for one geometry in world coordinates whose world bound is wb: project
// into tile units, clip to tile and buffer, snap to the integer grid, simplify, drop what has
// degenerated and orient rings as MVT 2.1 says (exterior rings have positive area by the surveyor's
// formula in tile coordinates — clockwise on screen, y pointing down — and holes negative). It
// returns nil when nothing drawable is left.
func shape(g orb.Geometry, wb orb.Bound, fr frame, tol float64) orb.Geometry {
	tg := mapGeom(g, fr.point)
	if tg == nil {
		return nil
	}
	if lo, hi := fr.point(wb.Min), fr.point(wb.Max); !clipBox.Contains(lo) || !clipBox.Contains(hi) {
		// mapGeom made a copy, so clip may use it as scratch space.
		if tg = clip.Geometry(clipBox, tg); tg == nil {
			return nil
		}
	}
	tg = clean(snap(tg))
	if tg != nil && tol > 0 && tg.Dimensions() > 0 {
		tg = clean(simplify.DouglasPeucker(tol).Simplify(tg))
	}
	return tg
}

// snap rounds every point to the tile grid in place.
func snap(g orb.Geometry) orb.Geometry {
	r := func(p orb.Point) orb.Point { return orb.Point{math.Round(p[0]), math.Round(p[1])} }
	switch g := g.(type) {
	case orb.Point:
		return r(g)
	case orb.MultiPoint:
		for i := range g {
			g[i] = r(g[i])
		}
	case orb.LineString:
		for i := range g {
			g[i] = r(g[i])
		}
	case orb.MultiLineString:
		for _, ls := range g {
			snap(ls)
		}
	case orb.Polygon:
		for _, ring := range g {
			snap(orb.LineString(ring))
		}
	case orb.MultiPolygon:
		for _, p := range g {
			snap(p)
		}
	}
	return g
}

// clean drops repeated points, lines shorter than two points, rings that enclose less than one
// square tile unit, polygons whose exterior went, and orients what is left. nil when empty.
func clean(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.Point:
		return g
	case orb.MultiPoint:
		if len(g) == 0 {
			return nil
		}
		return g
	case orb.LineString:
		if ls := dedupe(g); len(ls) >= 2 {
			return ls
		}
	case orb.MultiLineString:
		out := g[:0]
		for _, ls := range g {
			if ls = dedupe(ls); len(ls) >= 2 {
				out = append(out, ls)
			}
		}
		if len(out) > 0 {
			return out
		}
	case orb.Polygon:
		if p := cleanPolygon(g); p != nil {
			return p
		}
	case orb.MultiPolygon:
		out := g[:0]
		for _, p := range g {
			if p = cleanPolygon(p); p != nil {
				out = append(out, p)
			}
		}
		switch len(out) {
		case 0:
			return nil
		case 1:
			return out[0]
		}
		return out
	}
	return nil
}

func cleanPolygon(p orb.Polygon) orb.Polygon {
	if len(p) == 0 {
		return nil
	}
	out := p[:0]
	for i, r := range p {
		r = orb.Ring(dedupe(orb.LineString(r)))
		if len(r) > 0 && r[0] != r[len(r)-1] {
			r = append(r, r[0])
		}
		a := SurveyorArea(r)
		if len(r) < 4 || math.Abs(a) < 1 {
			if i == 0 {
				return nil // no exterior, no polygon
			}
			continue
		}
		if (i == 0) != (a > 0) { // exterior positive, holes negative
			r.Reverse()
		}
		out = append(out, r)
	}
	return out
}

// dedupe drops consecutive repeated points in place.
func dedupe(ls orb.LineString) orb.LineString {
	if len(ls) < 2 {
		return ls
	}
	out := ls[:1]
	for _, p := range ls[1:] {
		if p != out[len(out)-1] {
			out = append(out, p)
		}
	}
	return out
}

// SurveyorArea is the signed area of a ring by the surveyor's formula, as MVT 2.1 §4.3.4.4 defines
// it: positive for an exterior ring in tile coordinates.
func SurveyorArea(r orb.Ring) float64 {
	if len(r) < 3 {
		return 0
	}
	var s float64
	for i := 0; i < len(r)-1; i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	if last := len(r) - 1; r[last] != r[0] {
		s += r[last][0]*r[0][1] - r[0][0]*r[last][1]
	}
	return s / 2
}
