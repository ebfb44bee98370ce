package tiles

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// cluster draws the point items among hits as one point per grid cell, at the mean position of
// the cell's members. Cells are aligned to the tile, so every cluster lies in exactly one tile of
// its zoom and looks the same whichever client asks. Items that are not points draw as they are.
func (l *Layer) cluster(e *encoder, fr frame, hits []int32) {
	cell := l.opts.ClusterCell
	per := Extent / cell
	type acc struct {
		sx, sy  float64
		first   *item
		members []*Feature
	}
	cells := map[int]*acc{}
	for _, i := range hits {
		it := &l.items[i]
		wp, ok := it.geom.(orb.Point)
		if !ok {
			e.shape(it.geom, it.bound, fr, 0)
			e.end(it.f.ID, it.props)
			continue
		}
		p := fr.point(wp)
		if p[0] < 0 || p[1] < 0 || p[0] >= Extent || p[1] >= Extent {
			continue
		}
		k := int(p[1])/cell*per + int(p[0])/cell
		a := cells[k]
		if a == nil {
			a = &acc{first: it}
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
		e.begin(typePoint)
		e.points([]ipoint{{int32(math.Round(a.sx / n)), int32(math.Round(a.sy / n))}})
		if len(a.members) == 1 {
			e.end(a.first.f.ID, a.first.props)
			continue
		}
		props := map[string]any{"count": len(a.members)}
		if l.opts.ClusterProps != nil {
			props = l.opts.ClusterProps(a.members)
		}
		e.end(0, propsOf(props))
	}
}
