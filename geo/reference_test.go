package geo

import (
	"math/big"

	"github.com/paulmach/orb"
)

// refCovers is the brute-force reference: every edge of every ring, exact
// rational arithmetic, even-odd crossings of a ray towards +x computed as
// explicit intersection abscissae (not orientations), plus an explicit
// on-segment check. Slow, obviously right, and independent of prepared.go.
func refCovers(mp orb.MultiPolygon, p orb.Point) bool {
	if !finite(p) {
		return false // nothing finite covers a non-finite point
	}
	for _, poly := range mp {
		if refPolygonCovers(poly, p) {
			return true
		}
	}
	return false
}

func refPolygonCovers(poly orb.Polygon, p orb.Point) bool {
	if len(poly) == 0 || len(poly[0]) == 0 {
		return false
	}
	px, py := rat(p[0]), rat(p[1])
	crossings := 0
	for _, r := range poly {
		for i := range r {
			a, c := r[i], r[(i+1)%len(r)]
			if refOnSegment(a, c, p) {
				return true
			}
			if (a[1] > p[1]) == (c[1] > p[1]) {
				continue
			}
			// x = ax + (py-ay)*(cx-ax)/(cy-ay)
			ax, ay, cx, cy := rat(a[0]), rat(a[1]), rat(c[0]), rat(c[1])
			t := new(big.Rat).Sub(py, ay)
			t.Mul(t, new(big.Rat).Sub(cx, ax))
			t.Quo(t, new(big.Rat).Sub(cy, ay))
			t.Add(t, ax)
			if t.Cmp(px) > 0 {
				crossings++
			}
		}
	}
	return crossings%2 == 1
}

func refOnSegment(a, c, p orb.Point) bool {
	if p[0] < min(a[0], c[0]) || p[0] > max(a[0], c[0]) ||
		p[1] < min(a[1], c[1]) || p[1] > max(a[1], c[1]) {
		return false
	}
	return refOrient(a, c, p) == 0
}

func refOrient(a, b, c orb.Point) int {
	l := new(big.Rat).Mul(new(big.Rat).Sub(rat(a[0]), rat(c[0])), new(big.Rat).Sub(rat(b[1]), rat(c[1])))
	r := new(big.Rat).Mul(new(big.Rat).Sub(rat(a[1]), rat(c[1])), new(big.Rat).Sub(rat(b[0]), rat(c[0])))
	return l.Cmp(r)
}

func rat(v float64) *big.Rat { return new(big.Rat).SetFloat64(v) }

// mustPrepare prepares a single entry for direct tests of covers.
func mustPrepare(tb interface{ Helper() }, mp orb.MultiPolygon) *prepared {
	tb.Helper()
	p := new(prepared)
	prepare(Entry{ID: 1, Class: ClassArea, Geom: mp}, p, new(arena))
	return p
}

// rect is a closed counter-clockwise rectangle ring.
func rect(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}
