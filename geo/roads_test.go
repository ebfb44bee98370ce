package geo_test

import (
	"math"
	"testing"

	"github.com/paulmach/orb"

	"streetchief/geo"
)

// roadFixture is hand-drawn in metres: a main road A along y=0 from 0 to 1000 turning north as B to
// (1000, 1000); C crossing A at x=500 with no shared vertex; E, a lane from (200, 300) ending on A;
// F, a street stopping at A's kerb, 12 m short of its centreline; D, a road of its own from 2000 to
// 3000 that nothing joins (40 m beyond the join distance of A's end).
var roadFixture = []orb.LineString{
	{{0, 0}, {1000, 0}},
	{{1000, 0}, {1000, 1000}},
	{{500, -200}, {500, 200}},
	{{200, 300}, {200, 0}},
	{{800, -300}, {800, -12}},
	{{1060, 0}, {3000, 0}},
}

func TestRoadDistancesFollowTheRoads(t *testing.T) {
	n := geo.NewRoadNetwork(roadFixture, 0.5, 20)
	from, ok := n.Snap(orb.Point{100, 10}, 50)
	if !ok || from.LegM != 10 {
		t.Fatalf("snap of the origin: %+v %v", from, ok)
	}
	d := n.From(from)
	for _, c := range []struct {
		name string
		to   orb.Point
		want float64 // both legs and the way along
		ok   bool
	}{
		{"round the corner", orb.Point{990, 800}, 10 + 900 + 800 + 10, true},
		{"across the junction a lane makes", orb.Point{300, -5}, 10 + 200 + 5, true},
		{"up the crossing road with no shared vertex", orb.Point{510, 150}, 10 + 400 + 150 + 10, true},
		{"up the lane ending on the road", orb.Point{210, 250}, 10 + 100 + 250 + 10, true},
		{"along the same stretch", orb.Point{90, -2}, 10 + 10 + 2, true},
		{"down the street stopping at the kerb", orb.Point{790, -200}, 10 + 700 + 12 + 188 + 10, true},
		{"the road nothing joins", orb.Point{2500, 5}, 0, false},
	} {
		to, snapped := n.Snap(c.to, 50)
		if !snapped {
			t.Errorf("%s: %v did not snap", c.name, c.to)
			continue
		}
		got, ok := d.To(to)
		if ok != c.ok || math.Abs(got-c.want) > 1e-6 {
			t.Errorf("%s: %.3f %v, want %.3f %v", c.name, got, ok, c.want, c.ok)
		}
	}
	if _, ok := n.Snap(orb.Point{600, 600}, 50); ok {
		t.Error("a point 400 m from every road snapped within 50 m")
	}
}

func TestRoadNetworkWeldsNearbyVertices(t *testing.T) {
	// Two halves of one road drawn 0.3 m apart at their meeting: one road.
	n := geo.NewRoadNetwork([]orb.LineString{{{0, 0}, {100, 0}}, {{100.3, 0}, {200, 0}}}, 0.5, 0.5)
	a, _ := n.Snap(orb.Point{0, 0}, 1)
	b, _ := n.Snap(orb.Point{200, 0}, 1)
	if got, ok := n.From(a).To(b); !ok || math.Abs(got-200) > 0.5 {
		t.Errorf("across the weld: %.2f %v, want about 200", got, ok)
	}
}

func TestFromNearestFindsTheNearestOfManyAlongTheRoads(t *testing.T) {
	n := geo.NewRoadNetwork(roadFixture, 0.5, 20)
	var sources []geo.RoadSnap
	// The near one as the crow flies (100, 300) is far along the roads: down the lane E and back.
	for _, p := range []orb.Point{{990, 800}, {210, 250}, {790, -200}} {
		s, ok := n.Snap(p, 50)
		if !ok {
			t.Fatalf("%v did not snap", p)
		}
		sources = append(sources, s)
	}
	d := n.FromNearest(sources)
	for _, c := range []struct {
		at   orb.Point
		want float64
		src  int
	}{
		{orb.Point{995, 900}, 5 + 100 + 10, 0},
		{orb.Point{150, 5}, 5 + 50 + 250 + 10, 1},
		{orb.Point{700, 3}, 3 + 100 + 12 + 188 + 10, 2},
		{orb.Point{205, 260}, 5 + 10 + 10, 1}, // on the same stretch of E: no node between them
	} {
		to, _ := n.Snap(c.at, 50)
		got, src, ok := d.Nearest(to)
		if !ok || src != c.src || math.Abs(got-c.want) > 1e-6 {
			t.Errorf("from %v: %.3f to source %d (%v), want %.3f to %d", c.at, got, src, ok, c.want, c.src)
		}
	}
}
