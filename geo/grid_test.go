package geo

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// treeCoveringAll answers CoveringAll the way the index did before the
// grid: R-tree, slab ownership, exact test, sort. The grid must agree.
func treeCoveringAll(ix *Index, pt orb.Point) []*Entry {
	var out []*Entry
	lo, hi := pointBox(pt[0], pt[1])
	ix.tree.Search(lo, hi, func(_, _ [2]float32, it item) bool {
		if it.owns(pt[0], pt[1]) && it.p.covers(pt[0], pt[1]) {
			out = append(out, &it.p.Entry)
		}
		return true
	})
	sortSpecificFirst(out)
	return out
}

// gridProbes are points the grid finds hard: random, exact vertices, edge
// midpoints, and points on cell borders and corners and an ulp either side.
func gridProbes(rng *rand.Rand, ix *Index, n int) []orb.Point {
	g := ix.grid
	var pts []orb.Point
	for len(pts) < n {
		x := g.minX + rng.Float64()*(g.maxX-g.minX)
		y := g.minY + rng.Float64()*(g.maxY-g.minY)
		p := &g.entries[rng.IntN(len(g.entries))]
		switch rng.IntN(5) {
		case 0:
		case 1, 2: // a vertex, or an edge's midpoint, of a random entry
			poly := p.Geom[rng.IntN(len(p.Geom))]
			r := poly[rng.IntN(len(poly))]
			i := rng.IntN(len(r) - 1)
			x, y = r[i][0], r[i][1]
			if rng.IntN(2) == 0 {
				x, y = (r[i][0]+r[i+1][0])/2, (r[i][1]+r[i+1][1])/2
			}
		case 3: // on a column border
			x = g.minX + float64(rng.IntN(g.nx+1))*g.cellW
		case 4: // on a cell corner
			x = g.minX + float64(rng.IntN(g.nx+1))*g.cellW
			y = g.minY + float64(rng.IntN(g.ny+1))*g.cellH
		}
		pts = append(pts, orb.Point{x, y},
			orb.Point{math.Nextafter(x, math.Inf(-1)), math.Nextafter(y, math.Inf(1))},
			orb.Point{math.Nextafter(x, math.Inf(1)), math.Nextafter(y, math.Inf(-1))})
	}
	return pts
}

func checkGridAgreesWithTree(t *testing.T, ix *Index, pts []orb.Point) {
	t.Helper()
	for _, pt := range pts {
		got, want := ix.CoveringAll(pt, nil), treeCoveringAll(ix, pt)
		if !slices.Equal(got, want) {
			t.Fatalf("grid %dx%d: CoveringAll(%v) = %v, R-tree path %v", ix.grid.nx, ix.grid.ny, pt, ids(got), ids(want))
		}
	}
}

func TestGridAgreesWithRTreeInSyntheticCity(t *testing.T) {
	n, probes := 3000, 30000
	if testing.Short() || raceEnabled {
		n, probes = 800, 6000
	}
	ix := NewIndex(syntheticCity(n, 5))
	checkGridAgreesWithTree(t, ix, gridProbes(rand.New(rand.NewPCG(5, 6)), ix, probes))
}

// Polygons on a binary grid put vertices and edges exactly on cell
// borders when the cells are eighths of a degree, as with 32 × 32 here.
func TestGridAgreesWithRTreeOnBinaryGridPolygons(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	var entries []Entry
	for i := range 120 {
		entries = append(entries, Entry{ID: int64(i), Class: Class(1 + i%2), Geom: randomPolygon(rng, 1+rng.IntN(3))})
	}
	base := NewIndex(entries)
	probes := 3000
	if testing.Short() || raceEnabled {
		probes = 600
	}
	for _, size := range [][2]int{{0, 0}, {32, 32}, {64, 16}, {7, 13}, {1, 1}} {
		ix := NewIndex(nil)
		ix.tree, ix.byKey = base.tree, base.byKey
		ix.grid = newGrid(base.entries, size[0], size[1])
		pts := gridProbes(rng, ix, probes)
		for range probes / 3 {
			pts = append(pts, randomProbe(rng, entries[rng.IntN(len(entries))].Geom))
		}
		checkGridAgreesWithTree(t, ix, pts)
	}
}

func TestGridMarksFullCellsWithoutExactTest(t *testing.T) {
	ix := NewIndex([]Entry{{ID: 1, Class: ClassAdminUnit, Geom: square(117, 25, 0.1)}})
	ix.grid = newGrid(ix.grid.entries, 10, 10)
	g := ix.grid
	c, _ := g.cell(117.05, 25.05)
	if it := g.items[g.cellStart[c]:g.cellStart[c+1]]; len(it) != 1 || it[0]&fullBit == 0 {
		t.Errorf("centre cell items %x, want one FULL item", it)
	}
	c, _ = g.cell(117, 25.05)
	if it := g.items[g.cellStart[c]:g.cellStart[c+1]]; len(it) != 1 || it[0]&fullBit != 0 {
		t.Errorf("border cell items %x, want one PARTIAL item", it)
	}
}

func TestWithMovesReplacedPolygonAndDropsDeleted(t *testing.T) {
	old := NewIndex(nested())
	in1 := orb.Point{117.016, 25.076} // inside area 1 (and 2, 11, 10) only
	in3 := orb.Point{117.03, 25.08}   // inside area 3, 11, 10
	there := orb.Point{117.0355, 25.0625}
	nx := old.With([]Entry{{ID: 1, Class: ClassArea, Tag: "moved", Geom: square(117.035, 25.062, 0.001)}},
		[]Key{{Class: ClassArea, ID: 3}})
	tests := []struct {
		name string
		ix   *Index
		pt   orb.Point
		want []int64
	}{
		{"old index at the old place", old, in1, []int64{1, 2, 11, 10}},
		{"old place after the move", nx, in1, []int64{2, 11, 10}},
		{"new place after the move", nx, there, []int64{1, 10}},
		{"old index before the move", old, there, []int64{10}},
		{"deleted area gone", nx, in3, []int64{11, 10}},
		{"old index keeps the deleted area", old, in3, []int64{3, 11, 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(tt.ix.CoveringAll(tt.pt, nil)); !slices.Equal(got, tt.want) {
				t.Errorf("CoveringAll(%v) = %v, want %v", tt.pt, got, tt.want)
			}
			var n int
			tt.ix.Covering(tt.pt, func(*Entry) bool { n++; return true })
			if n != len(tt.want) {
				t.Errorf("Covering reported %d entries, want %d", n, len(tt.want))
			}
		})
	}
	if old.DeltaLen() != 0 || nx.DeltaLen() != 3 {
		t.Errorf("DeltaLen old %d new %d, want 0 and 3 (one upsert, two grid entries hidden)", old.DeltaLen(), nx.DeltaLen())
	}
	// Replacing and deleting what With added shrinks the delta again.
	nx2 := nx.With([]Entry{{ID: 1, Class: ClassArea, Geom: square(117.015, 25.075, 0.01)}}, nil)
	nx3 := nx2.With(nil, []Key{{Class: ClassArea, ID: 1}})
	if nx2.DeltaLen() != 3 || nx3.DeltaLen() != 2 {
		t.Errorf("DeltaLen after replace %d, after delete %d, want 3 and 2", nx2.DeltaLen(), nx3.DeltaLen())
	}
	if got := ids(nx2.CoveringAll(in1, nil)); !slices.Equal(got, []int64{1, 2, 11, 10}) {
		t.Errorf("moved back: %v", got)
	}
	if got := ids(nx3.CoveringAll(in1, nil)); !slices.Equal(got, []int64{2, 11, 10}) {
		t.Errorf("deleted from the delta: %v", got)
	}
}

// Any chain of With must answer exactly as a fresh index of the same
// entries, order included.
func TestWithChainMatchesFreshIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n, rounds, probes := 600, 12, 1500
	if testing.Short() || raceEnabled {
		rounds, probes = 6, 500
	}
	live := map[Key]Entry{}
	var all []Entry
	for _, e := range syntheticCity(n, 9) {
		live[e.Key()] = e
		all = append(all, e)
	}
	ix := NewIndex(all)
	nextID := int64(1_000_000)
	for r := range rounds {
		var ups []Entry
		var dels []Key
		for range 1 + rng.IntN(40) {
			src := all[rng.IntN(len(all))]
			dx, dy := (rng.Float64()-0.5)*0.01, (rng.Float64()-0.5)*0.01
			moved := orb.MultiPolygon{{slices.Clone(src.Geom[0][0])}}
			for i := range moved[0][0] {
				moved[0][0][i][0] += dx
				moved[0][0][i][1] += dy
			}
			e := Entry{ID: src.ID, Class: src.Class, Tag: "moved", Geom: moved}
			switch rng.IntN(3) {
			case 0:
				e.ID = nextID
				nextID++
			case 1:
				if k := src.Key(); rng.IntN(2) == 0 {
					dels = append(dels, k)
					continue
				}
			}
			ups = append(ups, e)
		}
		dels = append(dels, Key{Class: ClassArea, ID: -1}) // missing: ignored
		ix = ix.With(ups, dels)
		for _, k := range dels {
			delete(live, k)
		}
		for _, e := range ups {
			live[e.Key()] = e
			all = append(all, e)
		}
		fresh := NewIndex(slices.Collect(mapValues(live)))
		if ix.Len() != fresh.Len() {
			t.Fatalf("round %d: Len %d, fresh %d", r, ix.Len(), fresh.Len())
		}
		for _, pt := range gridProbes(rng, fresh, probes) {
			got, want := ix.CoveringAll(pt, nil), fresh.CoveringAll(pt, nil)
			if !slices.Equal(keys(got), keys(want)) {
				t.Fatalf("round %d: CoveringAll(%v) = %v, fresh index %v", r, pt, keys(got), keys(want))
			}
		}
	}
	if ix.DeltaLen() == 0 {
		t.Error("DeltaLen is 0 after changes")
	}
}

func keys(es []*Entry) []Key {
	out := make([]Key, len(es))
	for i, e := range es {
		out[i] = e.Key()
	}
	return out
}

func mapValues(m map[Key]Entry) func(func(Entry) bool) {
	return func(yield func(Entry) bool) {
		for _, e := range m {
			if !yield(e) {
				return
			}
		}
	}
}
