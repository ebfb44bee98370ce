package tiles

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/maptile"
)

// clipBox is the tile plus its buffer, in tile units.
var clipBox = orb.Bound{Min: orb.Point{-Buffer, -Buffer}, Max: orb.Point{Extent + Buffer, Extent + Buffer}}

// identity is the frame of geometry already in tile units (what clipping returns).
var identity = frame{scale: 1}

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

// shape is the tile pipeline for one feature whose geometry g is in world coordinates with world
// bound wb: project into tile units, clip to tile and buffer, snap to the integer grid, drop
// repeated points, simplify, drop what has degenerated, orient rings as MVT 2.1 says (exterior
// rings have positive area by the surveyor's formula in tile coordinates — clockwise on screen, y
// pointing down — and holes negative), and write the result as the current feature's geometry.
// A feature that lies inside the
// buffered tile, as most do from zoom 13 on, is written straight from its world coordinates: no
// copy, no clipping.
func (e *encoder) shape(g orb.Geometry, wb orb.Bound, fr frame, tol float64) {
	if lo, hi := fr.point(wb.Min), fr.point(wb.Max); !clipBox.Contains(lo) || !clipBox.Contains(hi) {
		// mapGeom makes a copy, so clip may use it as scratch space.
		if g = clip.Geometry(clipBox, mapGeom(g, fr.point)); g == nil {
			return
		}
		fr = identity
	}
	switch g := g.(type) {
	case orb.Point:
		e.begin(typePoint)
		e.pts = append(e.pts[:0], snapPoint(fr.point(g)))
		e.points(e.pts)
	case orb.MultiPoint:
		e.begin(typePoint)
		e.pts = e.pts[:0]
		for _, p := range g {
			if q := fr.point(p); clipBox.Contains(q) {
				e.pts = append(e.pts, snapPoint(q))
			}
		}
		e.points(e.pts)
	case orb.LineString:
		e.begin(typeLine)
		e.linePart(g, fr, tol)
	case orb.MultiLineString:
		e.begin(typeLine)
		for _, ls := range g {
			e.linePart(ls, fr, tol)
		}
	case orb.Ring:
		e.begin(typePolygon)
		e.polygonPart(orb.Polygon{g}, fr, tol)
	case orb.Polygon:
		e.begin(typePolygon)
		e.polygonPart(g, fr, tol)
	case orb.MultiPolygon:
		e.begin(typePolygon)
		for _, p := range g {
			e.polygonPart(p, fr, tol)
		}
	default:
		e.begin(typePoint) // nothing written: the feature is dropped
	}
}

func snapPoint(p orb.Point) ipoint {
	return ipoint{int32(math.Round(p[0])), int32(math.Round(p[1]))}
}

func (e *encoder) linePart(ls orb.LineString, fr frame, tol float64) {
	if pts := e.prepare(ls, fr, tol); len(pts) >= 2 {
		e.line(pts)
	}
}

// polygonPart writes a polygon's rings; a polygon whose exterior ring degenerates is left out
// with its holes, and a hole that degenerates is dropped.
func (e *encoder) polygonPart(p orb.Polygon, fr frame, tol float64) {
	for i, r := range p {
		pts := e.prepare(orb.LineString(r), fr, tol)
		if len(pts) > 0 && pts[0] != pts[len(pts)-1] {
			pts = append(pts, pts[0])
			e.pts = pts
		}
		a := area2(pts)
		if len(pts) < 4 || a < 2 && a > -2 { // under one square unit (area2 is doubled)
			if i == 0 {
				return // no exterior, no polygon
			}
			continue
		}
		e.ring(pts, (i == 0) != (a > 0)) // exterior positive, holes negative
	}
}

// prepare projects ls with fr into e.pts, snapped to the grid, without repeated points and
// simplified by Douglas–Peucker with tolerance tol (none when 0).
func (e *encoder) prepare(ls orb.LineString, fr frame, tol float64) []ipoint {
	pts := e.pts[:0]
	for _, p := range ls {
		q := snapPoint(fr.point(p))
		if len(pts) == 0 || q != pts[len(pts)-1] {
			pts = append(pts, q)
		}
	}
	if tol > 0 && len(pts) > 2 {
		pts = e.simplify(pts, tol)
	}
	e.pts = pts
	return pts
}

// simplify is Douglas–Peucker in place: it keeps the ends and every point farther than tol from
// the chord of the stretch it lies in, and drops repeated points that the removal brought together.
func (e *encoder) simplify(pts []ipoint, tol float64) []ipoint {
	keep := slices.Grow(e.keep[:0], len(pts))[:len(pts)]
	clear(keep)
	e.keep = keep
	keep[0], keep[len(pts)-1] = true, true
	stack := append(e.stack[:0], 0, len(pts)-1)
	tol2 := tol * tol
	for len(stack) > 0 {
		lo, hi := stack[len(stack)-2], stack[len(stack)-1]
		stack = stack[:len(stack)-2]
		if hi-lo < 2 {
			continue
		}
		far, farD := -1, tol2
		for i := lo + 1; i < hi; i++ {
			if d := segmentDist2(pts[i], pts[lo], pts[hi]); d > farD {
				far, farD = i, d
			}
		}
		if far >= 0 {
			keep[far] = true
			stack = append(stack, lo, far, far, hi)
		}
	}
	e.stack = stack
	out := pts[:0]
	for i, p := range pts {
		if keep[i] && (len(out) == 0 || p != out[len(out)-1]) {
			out = append(out, p)
		}
	}
	return out
}

// segmentDist2 is the squared distance from p to the segment ab.
func segmentDist2(p, a, b ipoint) float64 {
	ax, ay := float64(a.x), float64(a.y)
	dx, dy := float64(b.x)-ax, float64(b.y)-ay
	px, py := float64(p.x)-ax, float64(p.y)-ay
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t := (px*dx + py*dy) / l2
		t = math.Max(0, math.Min(1, t))
		px, py = px-t*dx, py-t*dy
	}
	return px*px + py*py
}

// area2 is twice the signed surveyor area of a closed ring (exact in integers).
func area2(r []ipoint) int64 {
	var s int64
	for i := 0; i+1 < len(r); i++ {
		s += int64(r[i].x)*int64(r[i+1].y) - int64(r[i+1].x)*int64(r[i].y)
	}
	return s
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
