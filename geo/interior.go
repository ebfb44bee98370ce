package geo

import "github.com/paulmach/orb"

// InInterior reports whether p lies in the interior of the valid multipolygon mp: inside one of
// its polygons and on none of its rings, as PostGIS ST_ContainsProperly has it for a point. The
// ray-crossing count and the on-edge test are those of part.covers, decided with the exact orient,
// so a point on a ring is never taken for an interior one, however close to the edge it is.
func InInterior(mp orb.MultiPolygon, p orb.Point) bool {
	for _, poly := range mp {
		inside := false
		for _, ring := range poly {
			switch crossesOrTouches(ring, p) {
			case onRing:
				return false
			case crossedOdd:
				inside = !inside
			}
		}
		if inside {
			return true // the polygons of a valid multipolygon meet at points at most: p is on neither's ring
		}
	}
	return false
}

const (
	crossedEven = iota
	crossedOdd
	onRing
)

// crossesOrTouches says whether a ray from p towards +x crosses the ring an odd or even number of
// times (half-open rule), or that p lies on the ring.
func crossesOrTouches(ring orb.Ring, p orb.Point) int {
	x, y := p[0], p[1]
	odd := false
	n := len(ring)
	edges := n - 1
	if n > 1 && ring[0] != ring[n-1] {
		edges = n // an open ring closes on its first position
	}
	for i := 0; i < edges; i++ {
		a, c := ring[i], ring[(i+1)%n]
		if a[0] < x && c[0] < x {
			continue
		}
		if (a[1] > y) != (c[1] > y) {
			if a[0] > x && c[0] > x {
				odd = !odd
				continue
			}
			o := orient(a, c, p)
			if o == 0 {
				return onRing
			}
			if c[1] < a[1] {
				o = -o
			}
			if o > 0 {
				odd = !odd
			}
			continue
		}
		if a[1] == y && c[1] == y {
			if (a[0] <= x && x <= c[0]) || (c[0] <= x && x <= a[0]) {
				return onRing
			}
		} else if a == p || c == p {
			return onRing
		}
	}
	if odd {
		return crossedOdd
	}
	return crossedEven
}
