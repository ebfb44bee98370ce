package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// A square 117.00–117.04 × 25.06–25.10 with a square hole 117.01–117.03 ×
// 25.07–25.09: decimal coordinates, as real data has.
var squareWithHole = orb.MultiPolygon{{
	rect(117.00, 25.06, 117.04, 25.10),
	rect(117.01, 25.07, 117.03, 25.09),
}}

func TestCoveringCountsBoundaryAsInside(t *testing.T) {
	p := mustPrepare(t, squareWithHole)
	tests := []struct {
		name string
		pt   orb.Point
		want bool
	}{
		{"interior", orb.Point{117.005, 25.08}, true},
		{"outer vertex", orb.Point{117.00, 25.06}, true},
		{"outer top-right vertex", orb.Point{117.04, 25.10}, true},
		{"outer bottom edge", orb.Point{117.02, 25.06}, true},
		{"outer top edge", orb.Point{117.02, 25.10}, true},
		{"outer left edge", orb.Point{117.00, 25.08}, true},
		{"outer right edge", orb.Point{117.04, 25.08}, true},
		{"hole vertex", orb.Point{117.01, 25.07}, true},
		{"hole left edge", orb.Point{117.01, 25.08}, true},
		{"hole top edge", orb.Point{117.02, 25.09}, true},
		{"inside hole", orb.Point{117.02, 25.08}, false},
		{"just inside hole", orb.Point{math.Nextafter(117.01, 118), 25.08}, false},
		{"just outside outer edge", orb.Point{math.Nextafter(117.04, 118), 25.08}, false},
		{"left of polygon at vertex height", orb.Point{116.99, 25.06}, false},
		{"right of polygon at vertex height", orb.Point{117.05, 25.10}, false},
		{"below", orb.Point{117.02, 25.05}, false},
		{"NaN", orb.Point{math.NaN(), 25.08}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.covers(tt.pt[0], tt.pt[1]); got != tt.want {
				t.Errorf("covers(%v) = %v, want %v", tt.pt, got, tt.want)
			}
			if ref := refCovers(squareWithHole, tt.pt); ref != tt.want {
				t.Errorf("reference disagrees with the test table at %v", tt.pt)
			}
		})
	}
}

func TestCoveringMultiPolygonCoversAnyPart(t *testing.T) {
	mp := orb.MultiPolygon{
		{rect(117.00, 25.00, 117.01, 25.01)},
		{rect(117.02, 25.00, 117.03, 25.01)},
	}
	p := mustPrepare(t, mp)
	tests := []struct {
		name string
		pt   orb.Point
		want bool
	}{
		{"in first part", orb.Point{117.005, 25.005}, true},
		{"in second part", orb.Point{117.025, 25.005}, true},
		{"on second part's edge", orb.Point{117.02, 25.005}, true},
		{"between the parts", orb.Point{117.015, 25.005}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.covers(tt.pt[0], tt.pt[1]); got != tt.want {
				t.Errorf("covers(%v) = %v, want %v", tt.pt, got, tt.want)
			}
		})
	}
}

func TestCoveringAcceptsUnclosedRings(t *testing.T) {
	open := orb.MultiPolygon{{orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}}}}
	p := mustPrepare(t, open)
	for _, pt := range []orb.Point{{0.5, 0.5}, {0, 0.5}, {0.5, 1}} {
		if !p.covers(pt[0], pt[1]) {
			t.Errorf("covers(%v) = false on an unclosed ring", pt)
		}
	}
}

func TestCoveringDropsNonFinitePolygons(t *testing.T) {
	bad := orb.MultiPolygon{{orb.Ring{{0, 0}, {math.NaN(), 0}, {1, 1}, {0, 0}}}}
	if p := mustPrepare(t, bad); len(p.slabs) != 0 || p.covers(0.5, 0.5) {
		t.Errorf("a polygon with a NaN vertex was kept")
	}
}

// Neighbouring polygons must leave no gap and, where a point is exactly on
// the shared edge, both must cover it, whichever way each walks the edge.
func TestCoveringSharedDiagonalEdgeCoveredByBoth(t *testing.T) {
	tests := []struct {
		name string
		a, b orb.Point
	}{
		{"decimal endpoints", orb.Point{117.0123, 25.0711}, orb.Point{117.0371, 25.0937}},
		// Binary fractions put many sampled points exactly on the edge.
		{"binary endpoints", orb.Point{117 + 1.0/64, 25 + 9.0/128}, orb.Point{117 + 7.0/128, 25 + 23.0/256}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkSharedEdge(t, tt.a, tt.b, tt.name == "binary endpoints")
		})
	}
}

func checkSharedEdge(t *testing.T, a, b orb.Point, wantExact bool) {
	left := orb.MultiPolygon{{orb.Ring{a, b, {117.0, 25.1}, a}}}
	right := orb.MultiPolygon{{orb.Ring{b, a, {117.07, 25.06}, b}}} // reversed
	pl, pr := mustPrepare(t, left), mustPrepare(t, right)
	rng := rand.New(rand.NewPCG(1, 2))
	exact := 0
	for i := range 20000 {
		s := rng.Float64()
		if i%2 == 0 {
			s = float64(rng.IntN(1025)) / 1024
		}
		pt := orb.Point{a[0] + s*(b[0]-a[0]), a[1] + s*(b[1]-a[1])}
		inL, inR := pl.covers(pt[0], pt[1]), pr.covers(pt[0], pt[1])
		if !inL && !inR {
			t.Fatalf("%v near the shared edge is in neither polygon", pt)
		}
		onEdge := refOrient(a, b, pt) == 0
		if onEdge {
			exact++
		}
		if onEdge != (inL && inR) {
			t.Fatalf("%v: exactly on edge = %v, but covered by left %v, right %v", pt, onEdge, inL, inR)
		}
	}
	if wantExact && exact < 1000 {
		t.Fatalf("only %d samples fell exactly on the edge; the test proves little", exact)
	}
	for _, v := range []orb.Point{a, b} {
		if !pl.covers(v[0], v[1]) || !pr.covers(v[0], v[1]) {
			t.Errorf("shared vertex %v not covered by both", v)
		}
	}
}

// randomPolygon makes a random ring set (possibly self-intersecting, with
// a random hole) on a coarse binary grid, so that random points land on
// vertices and edges, and collinear triples are common.
func randomPolygon(rng *rand.Rand, nParts int) orb.MultiPolygon {
	grid := func() float64 { return float64(rng.IntN(33)) / 8 }
	ring := func(n int, x0, y0 float64) orb.Ring {
		r := make(orb.Ring, 0, n+1)
		for range n {
			r = append(r, orb.Point{117 + x0 + grid(), 25 + y0 + grid()})
		}
		return append(r, r[0])
	}
	mp := make(orb.MultiPolygon, nParts)
	for i := range mp {
		mp[i] = orb.Polygon{ring(3+rng.IntN(40), 0, 0)}
		if rng.IntN(2) == 0 {
			mp[i] = append(mp[i], ring(3+rng.IntN(6), 0, 0))
		}
	}
	return mp
}

func randomProbe(rng *rand.Rand, mp orb.MultiPolygon) orb.Point {
	switch rng.IntN(4) {
	case 0: // a vertex
		poly := mp[rng.IntN(len(mp))]
		r := poly[rng.IntN(len(poly))]
		return r[rng.IntN(len(r))]
	case 1: // on the grid, and so often on an edge
		return orb.Point{117 + float64(rng.IntN(33*4))/32, 25 + float64(rng.IntN(33*4))/32}
	case 2: // a midpoint of an edge
		poly := mp[rng.IntN(len(mp))]
		r := poly[rng.IntN(len(poly))]
		i := rng.IntN(len(r) - 1)
		return orb.Point{(r[i][0] + r[i+1][0]) / 2, (r[i][1] + r[i+1][1]) / 2}
	}
	return orb.Point{117 - 0.5 + rng.Float64()*5, 25 - 0.5 + rng.Float64()*5}
}

func TestCoveringMatchesBruteForceReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	polygons, points := 200, 200
	if testing.Short() || raceEnabled {
		polygons = 50
	}
	onBoundary := 0
	for range polygons {
		mp := randomPolygon(rng, 1+rng.IntN(3))
		p := mustPrepare(t, mp)
		for range points {
			pt := randomProbe(rng, mp)
			got, want := p.covers(pt[0], pt[1]), refCovers(mp, pt)
			if got != want {
				t.Fatalf("covers(%v) = %v, reference %v, polygon %v", pt, got, want, mp)
			}
			if want && refOnAnyRing(mp, pt) {
				onBoundary++
			}
		}
	}
	if onBoundary < polygons {
		t.Errorf("only %d probes on a boundary; the test is too weak", onBoundary)
	}
}

func refOnAnyRing(mp orb.MultiPolygon, p orb.Point) bool {
	for _, poly := range mp {
		for _, r := range poly {
			for i := 0; i+1 < len(r); i++ {
				if refOnSegment(r[i], r[i+1], p) {
					return true
				}
			}
		}
	}
	return false
}

func FuzzCovering(f *testing.F) {
	mp := orb.MultiPolygon{
		squareWithHole[0],
		{orb.Ring{{117.05, 25.05}, {117.09, 25.06}, {117.07, 25.095}, {117.06, 25.07}, {117.05, 25.05}}},
	}
	p := mustPrepare(f, mp)
	f.Add(117.01, 25.08)
	f.Add(117.04, 25.10)
	f.Add(117.07, 25.095)
	f.Add(117.065, 25.0825)
	f.Fuzz(func(t *testing.T, x, y float64) {
		if got, want := p.covers(x, y), refCovers(mp, orb.Point{x, y}); got != want {
			t.Errorf("covers(%v, %v) = %v, reference %v", x, y, got, want)
		}
	})
}
