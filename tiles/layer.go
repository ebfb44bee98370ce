package tiles

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"

	"streetchief/geo"
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
	// MinArea, when set, is the smallest polygonal feature drawn at zoom z, in square tile units
	// (a square pixel of a 512-pixel tile is 64) of its whole area, not of the piece in the tile, so
	// a feature is drawn in all the tiles it crosses or in none. Below it a feature is left out rather
	// than drawn as a speck, which keeps low-zoom tiles over dense data small. Rings under one square
	// unit always go.
	MinArea func(z maptile.Zoom) float64
}

// Layer is an indexed source of one MVT layer: its features in world coordinates under an R-tree
// of their bounds, so a tile only touches the features that reach it. A Layer is immutable and
// safe for concurrent use; build a new one when the data changes.
type Layer struct {
	name  string
	opts  Options
	dict  *dict
	items []item
	tree  rtree.RTreeGN[float32, int32]
}

type item struct {
	f     *Feature
	props []prop       // f.Props in key order, converted once
	tags  []uint32     // props as index pairs into the layer's dict
	geom  orb.Geometry // world coordinates
	bound orb.Bound    // world coordinates
	area  float64      // world coordinates; -1 for points and lines
}

// NewLayer indexes features under the given MVT layer name. Features without geometry are left
// out; features keep their order, which is the order they are drawn in.
func NewLayer(name string, features []Feature, opts Options) *Layer {
	if opts.ClusterCell <= 0 || Extent%opts.ClusterCell != 0 {
		opts.ClusterCell = 512
	}
	l := &Layer{name: name, opts: opts, dict: newDict(), items: make([]item, 0, len(features))}
	for i := range features {
		f := &features[i]
		g := mapGeom(f.Geom, World)
		b, ok := boundOf(g)
		if !ok {
			continue
		}
		area := -1.0
		if g.Dimensions() == 2 {
			area = math.Abs(planar.Area(g))
		}
		props := propsOf(f.Props)
		l.items = append(l.items, item{f: f, props: props, tags: l.dict.tags(props), geom: g, bound: b, area: area})
	}
	l.dict.done()
	for i, it := range l.items {
		lo, hi := geo.Box32(it.bound)
		l.tree.Insert(lo, hi, int32(i))
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
func (l *Layer) Render(t maptile.Tile) *LayerTile {
	e := getEncoder()
	if t.Z < l.opts.MinZoom {
		return e.finish(l.name)
	}
	fr := frameOf(t)
	clustering := l.opts.ClusterBelow > 0 && t.Z < l.opts.ClusterBelow
	pad := float64(Buffer)
	if clustering {
		pad = 0 // cluster cells are aligned to the tile: only its own points count
	}
	hits := l.search(e.hits[:0], fr.world(orb.Point{-pad, -pad}), fr.world(orb.Point{Extent + pad, Extent + pad}))
	e.hits = hits
	if clustering {
		l.cluster(e, fr, hits)
		return e.finish(l.name)
	}
	tol, minArea := Tolerance(t.Z), 0.0
	if l.opts.MinArea != nil {
		minArea = l.opts.MinArea(t.Z) / (fr.scale * fr.scale) // in world units
	}
	for _, i := range hits {
		it := &l.items[i]
		if it.area >= 0 && it.area < minArea {
			continue
		}
		e.shape(it.geom, it.bound, fr, tol)
		e.endIndexed(it.f.ID, it.tags, l.dict)
	}
	return e.finish(l.name)
}

// search appends the indexes of the items whose bounds meet the world box to hits, in layer order
// so tiles come out byte-for-byte the same every time.
func (l *Layer) search(hits []int32, lo, hi orb.Point) []int32 {
	keyLo, keyHi := geo.Box32(orb.Bound{Min: lo, Max: hi})
	l.tree.Search(keyLo, keyHi,
		func(_, _ [2]float32, i int32) bool {
			hits = append(hits, i)
			return true
		})
	slices.Sort(hits)
	return hits
}
