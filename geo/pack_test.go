package geo

import (
	"testing"

	"github.com/paulmach/orb"
)

func TestPackMultiPolygonsKeepsEveryGeometryAndSeparatesThem(t *testing.T) {
	square := func(x0 float64) orb.Polygon {
		return orb.Polygon{{{x0, 0}, {x0 + 1, 0}, {x0 + 1, 1}, {x0, 1}, {x0, 0}}}
	}
	withHole := orb.Polygon{square(10)[0], {{10.2, 0.2}, {10.4, 0.2}, {10.4, 0.4}, {10.2, 0.2}}}
	a := orb.MultiPolygon{square(0)}
	b := orb.MultiPolygon{square(2), withHole}
	var none orb.MultiPolygon
	want := []orb.MultiPolygon{clone(a), clone(b), nil}

	geoms := []*orb.MultiPolygon{&a, &b, &none}
	PackMultiPolygons(geoms)
	for i, mp := range geoms {
		if !orb.Equal(*mp, want[i]) {
			t.Errorf("geometry %d: got %v, want %v", i, *mp, want[i])
		}
	}
	if none != nil {
		t.Errorf("a nil geometry stays nil, got %v", none)
	}
	if &a[0][0][0] == &want[0][0][0][0] {
		t.Fatal("packing did not copy")
	}
	// Appending to one packed ring or polygon must not overwrite its neighbour.
	_ = append(a[0][0], orb.Point{99, 99})
	_ = append(a[0], orb.Ring{})
	_ = append(a, orb.Polygon{})
	if !orb.Equal(b, want[1]) {
		t.Errorf("appending to a packed geometry changed the next one: %v", b)
	}
}

func clone(mp orb.MultiPolygon) orb.MultiPolygon { return mp.Clone() }
