package tiles

import (
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/tidwall/rtree"
)

// Options shape how a layer renders.
type Options struct {
	// MinZoom: below it the layer is empty, too dense to be of use.
	MinZoom maptile.Zoom
	// ClusterBelow, when set, aggregates the layer's point features at zooms below it into one point
	// per grid cell of ClusterCell tile units (default 512, a divisor of Extent).
	ClusterBelow maptile.Zoom
	ClusterCell  int
	// ClusterProps makes the properties of a cluster of two or more members; default {"count": n}.
	// A cell with one member draws that feature as it is.
	ClusterProps func(members []*Feature) map[string]any
}

// Layer is an indexed source of one MVT layer: its features in world coordinates under an R-tree
// of their bounds, so a tile only touches the features that reach it. A Layer is immutable and
// safe for concurrent use; build a new one when the data changes.
type Layer struct {
	name  string
	opts  Options
	items []item
	tree  rtree.RTreeGN[float32, int32]
}

type item struct {
	f     *Feature
	geom  orb.Geometry // world coordinates
	bound orb.Bound    // world coordinates
}

// NewLayer indexes features under the given MVT layer name. Features without geometry are left
// out; features keep their order, which is the order they are drawn in.
func NewLayer(name string, features []Feature, opts Options) *Layer {
	if opts.ClusterCell <= 0 || Extent%opts.ClusterCell != 0 {
		opts.ClusterCell = 512
	}
	l := &Layer{name: name, opts: opts, items: make([]item, 0, len(features))}
	for i := range features {
		f := &features[i]
		g := mapGeom(f.Geom, World)
		b, ok := boundOf(g)
		if !ok {
			continue
		}
		l.items = append(l.items, item{f: f, geom: g, bound: b})
	}
	for i, it := range l.items {
		l.tree.Insert([2]float32{down32(it.bound.Min[0]), down32(it.bound.Min[1])},
			[2]float32{up32(it.bound.Max[0]), up32(it.bound.Max[1])}, int32(i))
	}
	return l
}

// Name is the MVT layer name.
func (l *Layer) Name() string { return l.name }

// Len is the number of indexed features.
func (l *Layer) Len() int { return len(l.items) }

// Bound is the WGS-84 bound of all features; ok is false for an empty layer.
func (l *Layer) Bound() (b orb.Bound, ok bool) {
	if len(l.items) == 0 {
		return b, false
	}
	lo, hi := l.tree.Bounds()
	min, max := Unworld(orb.Point{float64(lo[0]), float64(hi[1])}), Unworld(orb.Point{float64(hi[0]), float64(lo[1])})
	return orb.Bound{Min: min, Max: max}, true
}

// Render draws the layer in tile t; the result may have no features.
func (l *Layer) Render(t maptile.Tile) *mvt.Layer {
	out := newLayer(l.name)
	if t.Z < l.opts.MinZoom {
		return out
	}
	fr := frameOf(t)
	clustering := l.opts.ClusterBelow > 0 && t.Z < l.opts.ClusterBelow
	pad := float64(Buffer)
	if clustering {
		pad = 0 // cluster cells are aligned to the tile: only its own points count
	}
	hits := l.search(fr.world(orb.Point{-pad, -pad}), fr.world(orb.Point{Extent + pad, Extent + pad}))
	if clustering {
		return l.cluster(out, fr, hits)
	}
	tol := Tolerance(t.Z)
	for _, i := range hits {
		it := &l.items[i]
		if g := shape(it.geom, it.bound, fr, tol); g != nil {
			out.Features = append(out.Features, feature(it.f, g))
		}
	}
	return out
}

// search returns the indexes of the items whose bounds meet the world box, in layer order so
// tiles come out byte-for-byte the same every time.
func (l *Layer) search(lo, hi orb.Point) []int32 {
	var hits []int32
	l.tree.Search([2]float32{down32(lo[0]), down32(lo[1])}, [2]float32{up32(hi[0]), up32(hi[1])},
		func(_, _ [2]float32, i int32) bool {
			hits = append(hits, i)
			return true
		})
	slices.Sort(hits)
	return hits
}

func feature(f *Feature, g orb.Geometry) *geojson.Feature {
	gf := &geojson.Feature{Type: "Feature", Geometry: g, Properties: f.Props}
	if f.ID != 0 {
		gf.ID = f.ID
	}
	return gf
}
