package geo

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// itemBox is an item on its way into the R-tree, with the box it is filed under.
type itemBox struct {
	s  slab
	it item
}

// insertionOrder sorts items by box size class, then along a Hilbert curve
// over box centres. R-tree leaves then hold boxes of like size from one
// neighbourhood: a district's box does not stretch a leaf of small blocks,
// which every lookup nearby would then scan.
func insertionOrder(items []itemBox) {
	if len(items) < 2 {
		return
	}
	minX, minY := float32(math.Inf(1)), float32(math.Inf(1))
	maxX, maxY := float32(math.Inf(-1)), float32(math.Inf(-1))
	for _, it := range items {
		minX, minY = min(minX, it.s.min[0]), min(minY, it.s.min[1])
		maxX, maxY = max(maxX, it.s.max[0]), max(maxY, it.s.max[1])
	}
	span := max(float64(maxX-minX), float64(maxY-minY), 1e-12)
	const side = 1 << 16
	sx := float64(side-1) / max(float64(maxX-minX), 1e-12)
	sy := float64(side-1) / max(float64(maxY-minY), 1e-12)
	key := func(s slab) uint64 {
		size := max(float64(s.max[0]-s.min[0]), float64(s.max[1]-s.min[1]))
		// Class 0 holds boxes up to 1/1024 of the extent; each class doubles.
		class := uint64(max(0, min(31, 11+math.Ilogb(max(size, 1e-300)/span))))
		cx := (float64(s.min[0])+float64(s.max[0]))/2 - float64(minX)
		cy := (float64(s.min[1])+float64(s.max[1]))/2 - float64(minY)
		return class<<32 | uint64(hilbert(uint32(cx*sx), uint32(cy*sy)))
	}
	ks := make([]uint64, len(items))
	for i := range items {
		ks[i] = key(items[i].s)
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(ks[a], ks[b]) })
	sorted := make([]itemBox, len(items))
	for i, j := range idx {
		sorted[i] = items[j]
	}
	copy(items, sorted)
}

// CurveOrder returns the indexes of pts in the order of a Hilbert curve over their bounds, so that
// points close in the order are close on the ground: work done point by point in that order finds
// the polygons and cells it needs still in cache. NaN coordinates do not spoil the others' bounds;
// such points sort as if at the bounds' lower corner.
func CurveOrder(pts []orb.Point) []int {
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, p := range pts {
		if p[0] == p[0] && p[1] == p[1] {
			b = b.Extend(p)
		}
	}
	const side = 1 << 16
	sx := (side - 1) / max(b.Max[0]-b.Min[0], 1e-12)
	sy := (side - 1) / max(b.Max[1]-b.Min[1], 1e-12)
	cell := func(v float64) uint32 {
		if !(v > 0) {
			return 0
		}
		return uint32(min(v, side-1))
	}
	keys := make([]uint64, len(pts))
	for i, p := range pts {
		keys[i] = uint64(hilbert(cell((p[0]-b.Min[0])*sx), cell((p[1]-b.Min[1])*sy)))<<32 | uint64(i)
	}
	slices.Sort(keys)
	order := make([]int, len(pts))
	for i, k := range keys {
		order[i] = int(uint32(k))
	}
	return order
}

// hilbert maps (x, y) in [0, 2^16) to its distance along a Hilbert curve, two bits a level, with
// the curve's four states and their quadrant digits packed into two constants (Hacker's Delight,
// 2nd ed., fig. 16-8): no branches to mispredict, which matters when a million points are ordered.
func hilbert(x, y uint32) uint32 {
	var d, state uint32
	for i := 15; i >= 0; i-- {
		row := 4*state | 2*(x>>i&1) | y>>i&1
		d = d<<2 | 0x361E9CB4>>(2*row)&3
		state = 0x8FE65831 >> (2 * row) & 3
	}
	return d
}
