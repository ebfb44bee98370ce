package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Nearest returns the entry of class nearest to pt within maxMetres, and
// its distance to pt: 0 when it covers pt, else the distance to its
// nearest ring. Ties go to the most specific entry (smallest AreaM2, then
// lowest ID), as in CoveringAll.
func (ix *Index) Nearest(pt orb.Point, class Class, maxMetres float64) (e *Entry, distMetres float64, ok bool) {
	if math.IsNaN(pt[0]) || math.IsNaN(pt[1]) || !(maxMetres >= 0) {
		return nil, 0, false
	}
	f := newLocalFrame(pt)
	// Pad the degree box a little: f is an approximation and must not
	// make the box miss a candidate that is just within range.
	dLat := maxMetres * 1.01 / f.ky
	dLon := 180.0
	if f.kx > 0 {
		dLon = min(dLon, maxMetres*1.01/f.kx)
	}
	lo := [2]float32{down32(pt[0] - dLon), down32(pt[1] - dLat)}
	hi := [2]float32{up32(pt[0] + dLon), up32(pt[1] + dLat)}

	var best *prepared
	bestD2 := maxMetres * maxMetres
	// A polygon cut into slabs may come up more than once; that only costs
	// time, and Nearest is not on the hot path.
	ix.tree.Search(lo, hi, func(bmin, bmax [2]float32, it item) bool {
		p := it.p
		if p.Class != class {
			return true
		}
		if boxDist2(f, bmin, bmax) > bestD2 {
			return true
		}
		d2 := 0.0
		if !p.covers(pt[0], pt[1]) {
			d2 = boundaryDist2(f, p.Geom)
		}
		if d2 < bestD2 || (d2 == bestD2 && (best == nil || moreSpecific(&p.Entry, &best.Entry))) {
			best, bestD2 = p, d2
		}
		return true
	})
	if best == nil {
		return nil, 0, false
	}
	return &best.Entry, math.Sqrt(bestD2), true
}

// boxDist2 is a lower bound of the squared distance from f's origin to
// anything in the box.
func boxDist2(f localFrame, bmin, bmax [2]float32) float64 {
	dx := max(float64(bmin[0])-f.x0, 0, f.x0-float64(bmax[0])) * f.kx
	dy := max(float64(bmin[1])-f.y0, 0, f.y0-float64(bmax[1])) * f.ky
	return dx*dx + dy*dy
}
