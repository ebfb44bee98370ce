package tiles_test

import (
	"bytes"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"streetchief/tiles"
)

var testSchema = map[string]tiles.Fields{
	"shapes":  {"name": tiles.String, "n": tiles.Number, "on": tiles.Boolean, "big": tiles.Number},
	"points":  {"id": tiles.Number, "count": tiles.Number},
	"heat":    {"count": tiles.Number, "weight": tiles.Number},
	"covered": {"share": tiles.Number, "territory_share": tiles.Number},
}

// mustCheck marshals layers and checks every invariant of the decoded tile.
func mustCheck(t *testing.T, layers ...*tiles.LayerTile) mvt.Layers {
	t.Helper()
	raw, err := tiles.MarshalGzipped(layers...)
	if err != nil {
		t.Fatal(err)
	}
	if raw == nil {
		t.Fatal("empty tile")
	}
	ls, err := tiles.Check(raw, testSchema)
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

// square is a lon/lat square, counter-clockwise as GeoJSON has it unless cw.
func square(lon, lat, d float64, cw bool) orb.Polygon {
	r := orb.Ring{{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}, {lon, lat}}
	if cw {
		r.Reverse()
	}
	return orb.Polygon{r}
}

func TestRenderOrientsExteriorRingsClockwiseInTileCoordinates(t *testing.T) {
	z14 := maptile.At(orb.Point{117.03, 25.08}, 14)
	c := tiles.FromTile(z14, orb.Point{2048, 2048})
	const d = 0.001
	holed := square(c[0]-d, c[1]-d, 2*d, true)
	hole := square(c[0]-d/2, c[1]-d/2, d, false)[0]
	holed = append(holed, hole)
	feats := []tiles.Feature{
		{ID: 1, Geom: square(c[0], c[1], d, false), Props: map[string]any{"name": "ccw", "n": 1, "on": true}},
		{ID: 2, Geom: square(c[0]-d, c[1], d/2, true), Props: map[string]any{"name": "cw", "n": 2.5, "on": false}},
		{ID: 3, Geom: orb.MultiPolygon{holed}, Props: map[string]any{"name": "holed"}},
	}
	ls := mustCheck(t, tiles.NewLayer("shapes", feats, tiles.Options{}).Render(z14))
	if n := len(ls[0].Features); n != 3 {
		t.Fatalf("%d features, want 3", n)
	}
	p := ls[0].Features[2].Geometry.(orb.Polygon)
	if len(p) != 2 {
		t.Fatalf("holed square decoded as %d rings", len(p))
	}
}

func TestPropertyValuesSurviveTheEncoderAndSharedValuesAreWrittenOnce(t *testing.T) {
	z14 := maptile.At(orb.Point{117.03, 25.08}, 14)
	c := tiles.FromTile(z14, orb.Point{2048, 2048})
	const d = 0.0005
	feats := []tiles.Feature{
		{ID: 1, Geom: square(c[0], c[1], d, false), Props: map[string]any{"name": "街", "n": int64(-42), "on": true, "big": uint64(1) << 40}},
		{ID: 2, Geom: square(c[0]-d, c[1], d, false), Props: map[string]any{"name": "街", "n": -0.25, "on": false}},
		{ID: 3, Geom: square(c[0], c[1]-d, d, false), Props: map[string]any{"name": "巷", "n": 7}},
	}
	raw := tiles.Marshal(tiles.NewLayer("shapes", feats, tiles.Options{}).Render(z14))
	ls, err := tiles.Check(raw, testSchema)
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"name": "街", "n": -42.0, "on": true, "big": float64(uint64(1) << 40)},
		{"name": "街", "n": -0.25, "on": false},
		{"name": "巷", "n": 7.0},
	}
	for i, f := range ls[0].Features {
		if f.ID != float64(i+1) || len(f.Properties) != len(want[i]) {
			t.Fatalf("feature %d: id %v, properties %v; want id %d, %v", i, f.ID, f.Properties, i+1, want[i])
		}
		for k, v := range want[i] {
			if f.Properties[k] != v {
				t.Errorf("feature %d: %s = %v, want %v", i, k, f.Properties[k], v)
			}
		}
	}
	if n := bytes.Count(raw, []byte("街")); n != 1 {
		t.Errorf("the shared name is written %d times, want once in the value table", n)
	}
}

func TestMinAreaLeavesSmallPolygonsOutWholeAndKeepsLargeOnesInEveryTileTheyCross(t *testing.T) {
	z12 := maptile.At(orb.Point{117.03, 25.08}, 12)
	right := maptile.New(z12.X+1, z12.Y, z12.Z)
	at := func(x, y float64) orb.Point { return tiles.FromTile(z12, orb.Point{x, y}) }
	ring := func(x0, y0, x1, y1 float64) orb.Polygon { // counter-clockwise in lon/lat
		return orb.Polygon{{at(x0, y1), at(x1, y1), at(x1, y0), at(x0, y0), at(x0, y1)}}
	}
	feats := []tiles.Feature{
		{ID: 1, Geom: ring(100, 100, 110, 110)},   // 100 units²: a speck at z12
		{ID: 2, Geom: ring(3000, 100, 4100, 300)}, // large, but only a 4×200-unit sliver in right
	}
	l := tiles.NewLayer("shapes", feats, tiles.Options{MinArea: func(z maptile.Zoom) float64 {
		if z < 13 {
			return 1024
		}
		return 0
	}})
	ids := func(tile maptile.Tile) []float64 {
		var out []float64
		if raw := tiles.Marshal(l.Render(tile)); raw != nil {
			ls, err := tiles.Check(raw, testSchema)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range ls[0].Features {
				out = append(out, f.ID.(float64))
			}
		}
		return out
	}
	if got := ids(z12); len(got) != 1 || got[0] != 2 {
		t.Errorf("z12: features %v, want only the large one", got)
	}
	if got := ids(right); len(got) != 1 || got[0] != 2 {
		t.Errorf("z12 right neighbour: features %v, want the large one's sliver", got)
	}
	z13 := maptile.New(2*z12.X, 2*z12.Y, 13)
	if got := ids(z13); len(got) != 1 || got[0] != 1 {
		t.Errorf("z13: features %v, want the small one back", got)
	}
}

func TestPolygonCrossingATileEdgeAppearsInBothNeighboursAndTheirUnionMatchesTheSource(t *testing.T) {
	left := maptile.At(orb.Point{117.03, 25.08}, 15)
	right := maptile.New(left.X+1, left.Y, left.Z)
	// An L-shaped polygon from the middle of left to the middle of right, with a notch on the edge.
	tp := orb.Ring{{1000, 1000}, {7000, 1000}, {7000, 2000}, {4500, 2000}, {4500, 3000}, {1000, 3000}, {1000, 1000}}
	lonlat := make(orb.Ring, len(tp))
	for i, p := range tp {
		lonlat[i] = tiles.FromTile(left, p)
	}
	lonlat.Reverse() // counter-clockwise in lon/lat, as GeoJSON has it
	layer := tiles.NewLayer("shapes", []tiles.Feature{{ID: 9, Geom: orb.Polygon{lonlat}}}, tiles.Options{})

	var area float64
	union := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for i, tile := range []maptile.Tile{left, right} {
		ls := mustCheck(t, layer.Render(tile))
		if len(ls) != 1 || len(ls[0].Features) != 1 {
			t.Fatalf("tile %v: want the polygon once, got %v", tile, ls)
		}
		piece := ls[0].Features[0].Geometry.(orb.Polygon)
		// Back into left's frame, cut to the tile proper (the buffer belongs to the neighbour).
		shift := float64(i * tiles.Extent)
		for _, r := range piece {
			for j := range r {
				r[j][0] += shift
			}
		}
		own := orb.Bound{Min: orb.Point{shift, 0}, Max: orb.Point{shift + tiles.Extent, tiles.Extent}}
		piece = clip.Polygon(own, piece)
		area += tiles.SurveyorArea(piece[0])
		union = union.Union(piece.Bound())
	}
	want := tiles.SurveyorArea(tp)
	if want < 0 {
		want = -want
	}
	if math.Abs(area-want) > 2*(6000+2000) { // half a unit of rounding along the whole perimeter
		t.Errorf("pieces cover %.0f units², source %.0f", area, want)
	}
	src := tp.Bound()
	for k := 0; k < 2; k++ {
		if math.Abs(union.Min[k]-src.Min[k]) > 1 || math.Abs(union.Max[k]-src.Max[k]) > 1 {
			t.Fatalf("union of pieces %v, source %v: more than a unit apart", union, src)
		}
	}
}

func TestRenderDropsFeaturesTooSmallToDrawAndEmptyTilesMarshalToNothing(t *testing.T) {
	z10 := maptile.At(orb.Point{117.03, 25.08}, 10)
	c := tiles.FromTile(z10, orb.Point{100, 100})
	feats := []tiles.Feature{{ID: 1, Geom: square(c[0], c[1], 1e-6, false)}}
	l := tiles.NewLayer("shapes", feats, tiles.Options{}).Render(z10)
	if l.Features != 0 {
		t.Fatalf("a polygon of a thousandth of a unit survived: %d features", l.Features)
	}
	if raw := tiles.Marshal(l); raw != nil {
		t.Fatalf("empty tile marshalled to %d bytes", len(raw))
	}
	far := maptile.New(0, 0, 10)
	if n := tiles.NewLayer("shapes", feats, tiles.Options{}).Render(far).Features; n != 0 {
		t.Fatalf("%d features in a tile far away", n)
	}
}

func TestPointsClusterBelowTheClusterZoomAndStandAloneAbove(t *testing.T) {
	at := orb.Point{117.03, 25.08}
	var feats []tiles.Feature
	for i := range 100 {
		p := orb.Point{at[0] + float64(i%10)*1e-5, at[1] + float64(i/10)*1e-5}
		feats = append(feats, tiles.Feature{ID: uint64(i + 1), Geom: p, Props: map[string]any{"id": i + 1, "count": 1}})
	}
	feats = append(feats, tiles.Feature{ID: 500, Geom: orb.Point{at[0] + 0.3, at[1]}, Props: map[string]any{"id": 500, "count": 1}})
	l := tiles.NewLayer("points", feats, tiles.Options{ClusterBelow: 14})
	z10 := maptile.At(at, 10)
	ls := mustCheck(t, l.Render(z10))
	total := 0
	for _, f := range ls[0].Features {
		total += int(f.Properties["count"].(float64))
	}
	if len(ls[0].Features) != 1 || total != 100 {
		t.Fatalf("z10: %d features counting %d, want one cluster of 100", len(ls[0].Features), total)
	}
	z16 := maptile.At(at, 16)
	if ls := mustCheck(t, l.Render(z16)); len(ls[0].Features) != 100 {
		t.Fatalf("z16: %d features, want 100 single points", len(ls[0].Features))
	}
}

func TestHeatGridCountsEveryPointOfTheTileOnce(t *testing.T) {
	z12 := maptile.At(orb.Point{117.03, 25.08}, 12)
	var pts []tiles.WeightedPoint
	for i := range 1000 {
		p := tiles.FromTile(z12, orb.Point{float64(i*37%4096) + 0.5, float64(i*91%4096) + 0.5})
		pts = append(pts, tiles.WeightedPoint{Point: p, Weight: 2})
	}
	pts = append(pts, tiles.WeightedPoint{Point: tiles.FromTile(z12, orb.Point{-10, 5}), Weight: 1})
	ls := mustCheck(t, tiles.HeatGrid("heat", z12, 256, pts))
	var n, w float64
	for _, f := range ls[0].Features {
		n += f.Properties["count"].(float64)
		w += f.Properties["weight"].(float64)
	}
	if n != 1000 || w != 2000 {
		t.Fatalf("cells count %v points weighing %v, want 1000 and 2000", n, w)
	}
}

func TestCoverageGridSharesFollowTheSampledArea(t *testing.T) {
	z14 := maptile.At(orb.Point{117.03, 25.08}, 14)
	// Covered west of the tile's middle, territory everywhere north of it.
	mid := tiles.FromTile(z14, orb.Point{2048, 2048})
	l := tiles.CoverageGrid("covered", z14, 1024, 8, func(p orb.Point) (bool, bool) {
		return p[1] > mid[1], p[1] > mid[1] && p[0] < mid[0]
	})
	ls := mustCheck(t, l)
	if len(ls[0].Features) != 8 { // the northern two rows of a 4×4 grid
		t.Fatalf("%d cells, want 8", len(ls[0].Features))
	}
	var sum float64
	for _, f := range ls[0].Features {
		sum += f.Properties["share"].(float64)
	}
	if sum != 4 {
		t.Fatalf("shares add up to %v, want 4 cells' worth", sum)
	}
}

func TestLabelPointLiesInsideAUShape(t *testing.T) {
	u := orb.MultiPolygon{{{{0, 0}, {3, 0}, {3, 3}, {2, 3}, {2, 1}, {1, 1}, {1, 3}, {0, 3}, {0, 0}}}}
	p, ok := tiles.LabelPoint(u)
	inGap := p[0] >= 1 && p[0] <= 2 && p[1] >= 1
	if !ok || inGap || !u.Bound().Contains(p) {
		t.Fatalf("label at %v, outside the U", p)
	}
}

func TestTileRefusesCoordinatesOutsideTheWorld(t *testing.T) {
	for _, tc := range []struct {
		name    string
		z, x, y uint64
		ok      bool
	}{
		{"world", 0, 0, 0, true},
		{"last tile of z14", 14, 16383, 16383, true},
		{"x past the edge", 14, 16384, 0, false},
		{"y past the edge", 3, 0, 8, false},
		{"too deep", 23, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tiles.Tile(tc.z, tc.x, tc.y); (err == nil) != tc.ok {
				t.Fatalf("Tile(%d,%d,%d): %v", tc.z, tc.x, tc.y, err)
			}
		})
	}
}
