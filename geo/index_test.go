package geo

import (
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/paulmach/orb"
)

func square(x0, y0, side float64) orb.MultiPolygon {
	return orb.MultiPolygon{{rect(x0, y0, x0+side, y0+side)}}
}

// nested builds, around (117.02, 25.08), two nested areas, two admin units
// and a neighbour sharing the small area's east edge.
func nested() []Entry {
	return []Entry{
		{ID: 10, Class: ClassAdminUnit, Tag: "subdistrict", Geom: square(117.00, 25.06, 0.04)},
		{ID: 11, Class: ClassAdminUnit, Tag: "community", Geom: square(117.01, 25.07, 0.02)},
		{ID: 1, Class: ClassArea, Tag: "street", Geom: square(117.015, 25.075, 0.01)},
		{ID: 2, Class: ClassArea, Tag: "grid", Geom: square(117.012, 25.072, 0.016)},
		{ID: 3, Class: ClassArea, Tag: "street", Geom: square(117.025, 25.075, 0.01)},
	}
}

func ids(es []*Entry) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func TestCoveringAllOrdersAreasThenAdminUnitsSmallestFirst(t *testing.T) {
	ix := NewIndex(nested())
	tests := []struct {
		name string
		pt   orb.Point
		want []int64
	}{
		{"inside everything", orb.Point{117.02, 25.08}, []int64{1, 2, 11, 10}},
		{"on the edge shared by areas 1 and 3", orb.Point{117.025, 25.08}, []int64{1, 3, 2, 11, 10}},
		{"subdistrict only", orb.Point{117.005, 25.065}, []int64{10}},
		{"on the subdistrict's corner", orb.Point{117.00, 25.06}, []int64{10}},
		{"outside", orb.Point{116.9, 25.0}, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(ix.CoveringAll(tt.pt, nil)); !slices.Equal(got, tt.want) {
				t.Errorf("CoveringAll(%v) = %v, want %v", tt.pt, got, tt.want)
			}
		})
	}
}

func TestCoveringAllBreaksAreaTiesByID(t *testing.T) {
	ix := NewIndex([]Entry{
		{ID: 9, Class: ClassArea, Geom: square(0, 0, 1), AreaM2: 5},
		{ID: 4, Class: ClassArea, Geom: square(0, 0, 1), AreaM2: 5},
		{ID: 7, Class: ClassArea, Geom: square(0, 0, 1), AreaM2: 5},
	})
	if got := ids(ix.CoveringAll(orb.Point{0.5, 0.5}, nil)); !slices.Equal(got, []int64{4, 7, 9}) {
		t.Errorf("got %v, want [4 7 9]", got)
	}
}

func TestCoveringStopsWhenCallbackReturnsFalse(t *testing.T) {
	ix := NewIndex(nested())
	n := 0
	ix.Covering(orb.Point{117.02, 25.08}, func(*Entry) bool { n++; return false })
	if n != 1 {
		t.Errorf("callback ran %d times after returning false, want 1", n)
	}
}

func TestCoveringAllAllocatesOnlyToGrowDst(t *testing.T) {
	ix := NewIndex(nested())
	dst := make([]*Entry, 0, 8)
	pts := []orb.Point{{117.02, 25.08}, {117.025, 25.08}, {117.00, 25.06}, {0, 0}}
	allocs := testing.AllocsPerRun(200, func() {
		for _, pt := range pts {
			dst = ix.CoveringAll(pt, dst[:0])
		}
	})
	if allocs != 0 {
		t.Errorf("CoveringAll allocated %.1f times per run with room in dst", allocs)
	}
}

func TestNewIndexComputesAreaAndKeepsTag(t *testing.T) {
	ix := NewIndex(nested())
	e, ok := ix.Get(1, ClassArea)
	if !ok {
		t.Fatal("Get(1, ClassArea) found nothing")
	}
	// 0.01° × 0.01° at 25.08°N: 1111.95 m × 1007.76 m.
	if want := 1111.95 * 1007.76; math.Abs(e.AreaM2-want)/want > 0.002 {
		t.Errorf("AreaM2 = %.0f, want about %.0f", e.AreaM2, want)
	}
	if e.Tag != "street" {
		t.Errorf("Tag = %q, want street", e.Tag)
	}
	if _, ok := ix.Get(1, ClassAdminUnit); ok {
		t.Error("Get found ID 1 in the wrong class")
	}
	if ix.Len() != 5 {
		t.Errorf("Len = %d, want 5", ix.Len())
	}
}

func TestNewIndexLaterDuplicateReplacesEarlier(t *testing.T) {
	ix := NewIndex([]Entry{
		{ID: 1, Class: ClassArea, Tag: "old", Geom: square(0, 0, 1)},
		{ID: 1, Class: ClassArea, Tag: "new", Geom: square(5, 5, 1)},
	})
	if ix.Len() != 1 {
		t.Fatalf("Len = %d, want 1", ix.Len())
	}
	if got := ix.CoveringAll(orb.Point{0.5, 0.5}, nil); len(got) != 0 {
		t.Errorf("the replaced geometry still covers: %v", ids(got))
	}
	if got := ix.CoveringAll(orb.Point{5.5, 5.5}, nil); len(got) != 1 || got[0].Tag != "new" {
		t.Errorf("the replacing entry is missing")
	}
}

func TestNearest(t *testing.T) {
	ix := NewIndex(nested())
	tests := []struct {
		name     string
		pt       orb.Point
		class    Class
		max      float64
		wantID   int64
		wantDist float64 // metres, ±0.5%
		wantOK   bool
	}{
		{"covering area is at distance zero", orb.Point{117.02, 25.08}, ClassArea, 100, 1, 0, true},
		// 0.001° east of area 3's east edge at 25.08°N is 100.78 m.
		{"area to the west", orb.Point{117.036, 25.08}, ClassArea, 200, 3, 100.78, true},
		{"nothing within range", orb.Point{117.036, 25.08}, ClassArea, 90, 0, 0, false},
		// 0.001° north of the subdistrict's top edge is 111.2 m.
		{"admin unit to the south", orb.Point{117.02, 25.101}, ClassAdminUnit, 500, 10, 111.2, true},
		{"class filters", orb.Point{117.02, 25.101}, ClassArea, 500, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, d, ok := ix.Nearest(tt.pt, tt.class, tt.max)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if !ok {
				return
			}
			if e.ID != tt.wantID {
				t.Errorf("ID = %d, want %d", e.ID, tt.wantID)
			}
			if math.Abs(d-tt.wantDist) > 0.005*tt.wantDist+1e-9 {
				t.Errorf("distance = %.2f m, want %.2f m", d, tt.wantDist)
			}
		})
	}
}

func TestWithLeavesOldIndexUnchanged(t *testing.T) {
	old := NewIndex(nested())
	pt := orb.Point{117.02, 25.08}
	before := ids(old.CoveringAll(pt, nil))

	nx := old.With(
		[]Entry{
			{ID: 2, Class: ClassArea, Tag: "moved", Geom: square(118, 26, 0.01)},
			{ID: 4, Class: ClassArea, Tag: "new", Geom: square(117.019, 25.079, 0.002)},
		},
		[]Key{{Class: ClassArea, ID: 1}, {Class: ClassArea, ID: 404}},
	)

	if got := ids(old.CoveringAll(pt, nil)); !slices.Equal(got, before) {
		t.Errorf("old index changed: %v, was %v", got, before)
	}
	if e, _ := old.Get(2, ClassArea); e.Tag != "grid" {
		t.Errorf("old Get(2) sees %q", e.Tag)
	}
	if got, want := ids(nx.CoveringAll(pt, nil)), []int64{4, 11, 10}; !slices.Equal(got, want) {
		t.Errorf("new index covers %v, want %v", got, want)
	}
	if got := ids(nx.CoveringAll(orb.Point{118.005, 26.005}, nil)); !slices.Equal(got, []int64{2}) {
		t.Errorf("moved area not found at its new place: %v", got)
	}
	if old.Len() != 5 || nx.Len() != 5 {
		t.Errorf("Len old %d new %d, want 5 and 5", old.Len(), nx.Len())
	}
}

// Run with -race: readers of a snapshot never synchronise with a writer.
func TestWithDoesNotDisturbConcurrentReaders(t *testing.T) {
	var cur atomic.Pointer[Index]
	cur.Store(NewIndex(nested()))
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			var dst []*Entry
			for !stop.Load() {
				dst = cur.Load().CoveringAll(orb.Point{117.02, 25.08}, dst[:0])
				if len(dst) < 3 {
					t.Errorf("reader saw %v", ids(dst))
					return
				}
			}
		})
	}
	base := cur.Load()
	wg.Go(func() { // a second writer deriving from the same snapshot
		for range 200 {
			base.With([]Entry{{ID: 99, Class: ClassArea, Geom: square(117, 25, 0.1)}}, nil)
		}
	})
	for i := range 200 {
		e := Entry{ID: 100 + int64(i%7), Class: ClassArea, Geom: square(117.0+float64(i%10)*0.001, 25.07, 0.005)}
		cur.Store(cur.Load().With([]Entry{e}, []Key{{ClassArea, 100 + int64((i+3)%7)}}))
	}
	stop.Store(true)
	wg.Wait()
}

// A long thin diagonal street is stored as several slabs; a point on the
// cut between two slabs meets both boxes but must be reported once.
func TestCoveringReportsSlabbedStreetOnce(t *testing.T) {
	street := orb.MultiPolygon{{orb.Ring{
		{117.000, 25.000}, {117.0002, 25.000}, {117.0302, 25.030}, {117.0300, 25.030}, {117.000, 25.000},
	}}}
	ix := NewIndex([]Entry{{ID: 1, Class: ClassArea, Geom: street}})
	e, _ := ix.Get(1, ClassArea)
	p := ix.byKey[e.Key()]
	if len(p.slabs) < 2 {
		t.Fatalf("a 4 km × 20 m diagonal street was not cut (%d slab)", len(p.slabs))
	}
	var probes []orb.Point
	for _, s := range p.slabs[1:] {
		// On the cut, on either side of it, and across the street there.
		x := s.lo
		for _, dy := range []float64{-0.0002, -0.0001, 0, 0.00005, 0.0001} {
			y := 25.0 + (x - 117.0) + dy
			probes = append(probes, orb.Point{x, y}, orb.Point{math.Nextafter(x, 0), y}, orb.Point{math.Nextafter(x, 200), y})
		}
	}
	for _, pt := range probes {
		n := 0
		ix.Covering(pt, func(*Entry) bool { n++; return true })
		want := 0
		if refCovers(street, pt) {
			want = 1
		}
		if n != want {
			t.Errorf("Covering(%v) reported the street %d times, want %d", pt, n, want)
		}
	}
}

func TestCurveOrderIsAPermutationThatWalksNeighbourToNeighbour(t *testing.T) {
	// A 64 × 64 grid of points given row by row, and a NaN that must not spoil the bounds.
	var pts []orb.Point
	for y := range 64 {
		for x := range 64 {
			pts = append(pts, orb.Point{117 + float64(x)*0.001, 25 + float64(y)*0.001})
		}
	}
	pts = append(pts, orb.Point{math.NaN(), 25})
	order := CurveOrder(pts)
	seen := make([]bool, len(pts))
	for _, i := range order {
		if seen[i] {
			t.Fatalf("index %d twice", i)
		}
		seen[i] = true
	}
	if len(order) != len(pts) {
		t.Fatalf("%d indexes for %d points", len(order), len(pts))
	}
	far := 0
	prev := -1
	for _, i := range order {
		if i == len(pts)-1 {
			continue
		}
		if prev >= 0 && math.Abs(pts[i][0]-pts[prev][0])+math.Abs(pts[i][1]-pts[prev][1]) > 0.0011 {
			far++
		}
		prev = i
	}
	if far != 0 {
		t.Fatalf("%d steps between points that are not grid neighbours; a Hilbert curve over a grid has none", far)
	}
}
