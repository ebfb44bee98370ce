package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

func TestInInteriorIsFalseOnEveryRingAndInHoles(t *testing.T) {
	framed := orb.Polygon{
		{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}},
		{{1, 1}, {1, 2}, {2, 2}, {2, 1}, {1, 1}},
	}
	corner := orb.Polygon{{{4, 4}, {6, 4}, {6, 6}, {4, 6}, {4, 4}}} // meets framed at (4, 4) only
	open := orb.Polygon{{{10, 0}, {12, 0}, {12, 2}, {10, 2}}}       // its ring not closed
	mp := orb.MultiPolygon{framed, corner, open}
	for _, tc := range []struct {
		p    orb.Point
		want bool
	}{
		{orb.Point{0.5, 0.5}, true},
		{orb.Point{3, 3}, true},
		{orb.Point{5, 5}, true},
		{orb.Point{11, 1}, true},
		{orb.Point{2, 0}, false},     // on the outer ring's bottom edge
		{orb.Point{0, 2}, false},     // on its left edge
		{orb.Point{4, 0}, false},     // at a vertex
		{orb.Point{4, 4}, false},     // where two polygons meet
		{orb.Point{1.5, 1.5}, false}, // in the hole
		{orb.Point{1.5, 1}, false},   // on the hole's ring
		{orb.Point{2, 2}, false},     // at the hole's vertex
		{orb.Point{10, 1}, false},    // on the closing edge of the open ring
		{orb.Point{-1, 2}, false},
		{orb.Point{5, 2}, false},
		{orb.Point{math.NaN(), 2}, false},
	} {
		if got := InInterior(mp, tc.p); got != tc.want {
			t.Errorf("InInterior(%v) = %v, want %v", tc.p, got, tc.want)
		}
	}
}

// Points a few ulps off a slanted edge are where a rounded cross product errs: InInterior must say
// what exact arithmetic says, on the edge included.
func TestInInteriorIsExactNextToSlantedEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	tri := orb.Ring{{117.0011, 25.0007}, {117.0437, 25.0119}, {117.0123, 25.0391}, {117.0011, 25.0007}}
	mp := orb.MultiPolygon{{tri}}
	seen := map[bool]int{}
	for i := range 30000 {
		e := i % 3
		a, b := tri[e], tri[e+1]
		s := 0.05 + 0.9*rng.Float64()
		p := orb.Point{a[0] + s*(b[0]-a[0]), a[1] + s*(b[1]-a[1])}
		for range rng.IntN(3) {
			k := rng.IntN(2)
			p[k] = math.Nextafter(p[k], math.Inf(2*rng.IntN(2)-1))
		}
		want := refOrient(tri[0], tri[1], p) > 0 && refOrient(tri[1], tri[2], p) > 0 && refOrient(tri[2], tri[0], p) > 0
		if got := InInterior(mp, p); got != want {
			t.Fatalf("InInterior(%v) = %v, exact arithmetic says %v", p, got, want)
		}
		seen[want]++
	}
	if seen[true] == 0 || seen[false] == 0 {
		t.Fatalf("the points fell on one side only: %v", seen)
	}
}
