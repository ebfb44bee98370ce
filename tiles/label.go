package tiles

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// LabelPoint is where to write a polygon's name: the centroid of its largest part when that lies
// inside, else the middle of the widest inside span of the horizontal line through the centroid
// (a cheap stand-in for the pole of inaccessibility that never lands in a hole or outside).
func LabelPoint(mp orb.MultiPolygon) (orb.Point, bool) {
	best, bestArea := -1, 0.0
	for i, p := range mp {
		if len(p) == 0 || len(p[0]) < 4 {
			continue
		}
		if a := math.Abs(SurveyorArea(p[0])); best < 0 || a > bestArea {
			best, bestArea = i, a
		}
	}
	if best < 0 {
		return orb.Point{}, false
	}
	poly := mp[best]
	c := ringCentroid(poly[0])
	if polygonContains(poly, c) {
		return c, true
	}
	var xs []float64
	for _, r := range poly {
		for i := 0; i+1 < len(r); i++ {
			a, b := r[i], r[i+1]
			if (a[1] > c[1]) != (b[1] > c[1]) {
				xs = append(xs, a[0]+(c[1]-a[1])*(b[0]-a[0])/(b[1]-a[1]))
			}
		}
	}
	slices.Sort(xs)
	width := -1.0
	pt := poly[0][0]
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > width {
			width, pt = w, orb.Point{(xs[i] + xs[i+1]) / 2, c[1]}
		}
	}
	return pt, true
}

func ringCentroid(r orb.Ring) orb.Point {
	o := r[0] // near the origin for round-off
	var a, cx, cy float64
	for i := 0; i+1 < len(r); i++ {
		x0, y0 := r[i][0]-o[0], r[i][1]-o[1]
		x1, y1 := r[i+1][0]-o[0], r[i+1][1]-o[1]
		cross := x0*y1 - x1*y0
		a += cross
		cx += (x0 + x1) * cross
		cy += (y0 + y1) * cross
	}
	if a == 0 {
		return o
	}
	return orb.Point{o[0] + cx/(3*a), o[1] + cy/(3*a)}
}

// polygonContains is the even–odd rule over every ring, so holes exclude.
func polygonContains(p orb.Polygon, pt orb.Point) bool {
	in := false
	for _, r := range p {
		for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
			a, b := r[i], r[j]
			if (a[1] > pt[1]) != (b[1] > pt[1]) && pt[0] < (b[0]-a[0])*(pt[1]-a[1])/(b[1]-a[1])+a[0] {
				in = !in
			}
		}
	}
	return in
}
