package tiles_test

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"

	"streetchief/internal/demo"
	"streetchief/tiles"
)

// BenchmarkRenderAgainstOrb draws the demo city's areas into the 12 z14 tiles around its centre
// twice: with this package (R-tree search, clip, simplify and encode in one pass over integer
// points) and with orb's own MVT pipeline (project, clip, simplify, remove empties, marshal) over
// the same features, which orb is handed already selected for each tile. It is the measurement
// behind writing the encoder here instead of using orb's.
func BenchmarkRenderAgainstOrb(b *testing.B) {
	city, err := demo.Generate(demo.Options{Seed: 7, Scale: 1})
	if err != nil {
		b.Fatal(err)
	}
	var features []tiles.Feature
	var areaBounds []*orb.Bound
	var bounds orb.Bound
	for i, a := range city.Areas {
		features = append(features, tiles.Feature{ID: uint64(a.Key), Geom: a.Geom, Props: map[string]any{"kind": a.Kind, "name": a.Name}})
		ab := a.Geom.Bound()
		areaBounds = append(areaBounds, &ab)
		if i == 0 {
			bounds = ab
		}
		bounds = bounds.Union(ab)
	}
	layer := tiles.NewLayer("areas", features, tiles.Options{})
	centre := maptile.At(bounds.Center(), 14)
	var ts []maptile.Tile
	for dx := uint32(0); dx < 4; dx++ {
		for dy := uint32(0); dy < 3; dy++ {
			ts = append(ts, maptile.New(centre.X+dx-2, centre.Y+dy-1, 14))
		}
	}
	// orb is given each tile's features up front, with a buffer like ours: its search is not timed.
	selected := make([][]int, len(ts))
	for k, t := range ts {
		tb := t.Bound(float64(tiles.Buffer) / float64(tiles.Extent))
		for i, fb := range areaBounds {
			if fb.Intersects(tb) {
				selected[k] = append(selected[k], i)
			}
		}
	}

	var ourBytes, orbBytes int
	b.Run("streetchief", func(b *testing.B) {
		for b.Loop() {
			ourBytes = 0
			for _, t := range ts {
				ourBytes += len(tiles.Marshal(layer.Render(t)))
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ts))/1e3, "µs/tile")
		b.ReportMetric(float64(ourBytes)/float64(len(ts)), "B/tile")
	})
	b.Run("orb", func(b *testing.B) {
		for b.Loop() {
			orbBytes = 0
			for k, t := range ts {
				fs := make([]*geojson.Feature, 0, len(selected[k]))
				for _, i := range selected[k] {
					a := city.Areas[i]
					f := geojson.NewFeature(a.Geom.Clone()) // orb projects in place
					f.ID, f.Properties = uint64(a.Key), geojson.Properties{"kind": a.Kind, "name": a.Name}
					fs = append(fs, f)
				}
				orbBytes += len(marshalWithOrb(b, t, fs))
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ts))/1e3, "µs/tile")
		b.ReportMetric(float64(orbBytes)/float64(len(ts)), "B/tile")
	})
}

func marshalWithOrb(b *testing.B, t maptile.Tile, fs []*geojson.Feature) []byte {
	l := &mvt.Layer{Name: "areas", Version: 2, Extent: tiles.Extent, Features: fs}
	l.ProjectToTile(t)
	l.Clip(orb.Bound{Min: orb.Point{-tiles.Buffer, -tiles.Buffer}, Max: orb.Point{tiles.Extent + tiles.Buffer, tiles.Extent + tiles.Buffer}})
	l.Simplify(simplify.DouglasPeucker(tiles.Tolerance(t.Z)))
	l.RemoveEmpty(1, 1)
	data, err := mvt.Marshal(mvt.Layers{l})
	if err != nil {
		b.Fatal(err)
	}
	return data
}
