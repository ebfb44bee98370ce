package tiles

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
)

// cluster draws the point items among hits as one point per grid cell, at the mean position of
// the cell's members. Cells are aligned to the tile, so every cluster lies in exactly one tile of
// its zoom and looks the same whichever client asks. Items that are not points draw as they are.
func (l *Layer) cluster(out *mvt.Layer, fr frame, hits []int32) *mvt.Layer {
	cell := l.opts.ClusterCell
	per := Extent / cell
	type acc struct {
		sx, sy  float64
		members []*Feature
	}
	cells := map[int]*acc{}
	for _, i := range hits {
		it := &l.items[i]
		wp, ok := it.geom.(orb.Point)
		if !ok {
			if g := shape(it.geom, it.bound, fr, 0); g != nil {
				out.Features = append(out.Features, feature(it.f, g))
			}
			continue
		}
		p := fr.point(wp)
		if p[0] < 0 || p[1] < 0 || p[0] >= Extent || p[1] >= Extent {
			continue
		}
		k := int(p[1])/cell*per + int(p[0])/cell
		a := cells[k]
		if a == nil {
			a = &acc{}
			cells[k] = a
		}
		a.sx += p[0]
		a.sy += p[1]
		a.members = append(a.members, it.f)
	}
	keys := make([]int, 0, len(cells))
	for k := range cells {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		a := cells[k]
		n := float64(len(a.members))
		pt := orb.Point{math.Round(a.sx / n), math.Round(a.sy / n)}
		if len(a.members) == 1 {
			out.Features = append(out.Features, feature(a.members[0], pt))
			continue
		}
		props := map[string]any{"count": len(a.members)}
		if l.opts.ClusterProps != nil {
			props = l.opts.ClusterProps(a.members)
		}
		out.Features = append(out.Features, &geojson.Feature{Type: "Feature", Geometry: pt, Properties: props})
	}
	return out
}
