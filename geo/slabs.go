package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// A long thin polygon — a street corridor, above all a diagonal one — has a
// bounding box that is mostly empty. In the R-tree such a box stretches a
// leaf over hundreds of small blocks and every lookup nearby scans them. So
// a polygon that fills little of its box is cut across its longer axis into
// slabs, each with the tight box of the polygon's part inside it, and each
// stored as its own R-tree item.
//
// A slab answers only for points in its own half-open range [lo, hi) along
// the axis: a point on the line between two slabs meets both boxes, but
// only one reports the polygon. If the polygon covers a point, the slab
// owning it has a box holding it, so nothing is missed.
type slab struct {
	min, max [2]float32
	lo, hi   float64
}

// item is what the R-tree stores: the polygon and which of its slabs the box is. 16 bytes, where
// copying the slab's range and axis in made 32: the R-tree keeps one per slab of every polygon, and
// only the delta's lookups read the range.
type item struct {
	p    *prepared
	slab int32
}

// owns reports whether the item's slab answers for (x, y): its half-open range along the axis.
func (it item) owns(x, y float64) bool {
	v := x
	if it.p.axis == 1 {
		v = y
	}
	s := &it.p.slabs[it.slab]
	return v >= s.lo && v < s.hi
}

const (
	// Slabs are cut until each is about as long as twice the polygon's
	// mean width, at most maxSlabs of them.
	slabAspect = 8
	maxSlabs   = 16
)

func (p *prepared) bounds() (minX, minY, maxX, maxY float64) {
	minX, minY = math.Inf(1), math.Inf(1)
	maxX, maxY = math.Inf(-1), math.Inf(-1)
	p.parts(func(pp *part) {
		minX, minY = min(minX, pp.minX), min(minY, pp.minY)
		maxX, maxY = max(maxX, pp.maxX), max(maxY, pp.maxY)
	})
	return minX, minY, maxX, maxY
}

func cutSlabs(p *prepared, ar *arena) {
	minX, minY, maxX, maxY := p.bounds()
	// Compare in metres: a degree of longitude shrinks with latitude.
	f := newLocalFrame(orb.Point{(minX + maxX) / 2, (minY + maxY) / 2})
	w, h := (maxX-minX)*f.kx, (maxY-minY)*f.ky
	p.axis = 0
	long, short := w, h
	lo, hi := minX, maxX
	if h > w {
		p.axis, long, short = 1, h, w
		lo, hi = minY, maxY
	}
	// The mean width of the polygon across the long axis: area over length,
	// and never more than the box's short side.
	width := short
	if long > 0 && p.AreaM2 > 0 {
		width = min(short, p.AreaM2/long)
	}
	k := 1
	if long > 2*slabAspect*width {
		k = min(maxSlabs, int(math.Ceil(long/(slabAspect*max(width, long/maxSlabs)))))
	}
	if k == 1 {
		p.slabs = append(ar.slabs(1), slab{
			min: [2]float32{down32(minX), down32(minY)},
			max: [2]float32{up32(maxX), up32(maxY)},
			lo:  math.Inf(-1), hi: math.Inf(1),
		})
		return
	}
	cuts := make([]float64, k+1)
	for i := range cuts {
		cuts[i] = lo + (hi-lo)*float64(i)/float64(k)
	}
	cuts[k] = hi
	cross := make([][2]float64, k)
	for i := range cross {
		cross[i] = [2]float64{math.Inf(1), math.Inf(-1)}
	}
	ax := int(p.axis)
	p.parts(func(pp *part) {
		pp.edges(func(a, c orb.Point) {
			if a[ax] > c[ax] {
				a, c = c, a
			}
			i0 := max(0, int((a[ax]-lo)/(hi-lo)*float64(k))-1)
			i1 := min(k-1, int((c[ax]-lo)/(hi-lo)*float64(k))+1)
			for i := i0; i <= i1; i++ {
				if cuts[i] > c[ax] || cuts[i+1] < a[ax] {
					continue
				}
				for _, v := range [2]float64{max(a[ax], cuts[i]), min(c[ax], cuts[i+1])} {
					u := crossAt(a, c, ax, v)
					cross[i][0] = min(cross[i][0], u)
					cross[i][1] = max(cross[i][1], u)
				}
			}
		})
	})
	p.slabs = ar.slabs(k)
	for i := range k {
		if cross[i][0] > cross[i][1] {
			continue // a gap between the parts of a multipolygon
		}
		s := slab{lo: cuts[i], hi: cuts[i+1]}
		if i == 0 {
			s.lo = math.Inf(-1)
		}
		if i == k-1 {
			s.hi = math.Inf(1)
		}
		// Interpolated values may be an ulp or two inside the true ones.
		cLo, cHi := cross[i][0], cross[i][1]
		cLo -= 1e-12 * (1 + math.Abs(cLo))
		cHi += 1e-12 * (1 + math.Abs(cHi))
		s.min[ax], s.max[ax] = down32(cuts[i]), up32(cuts[i+1])
		s.min[1-ax], s.max[1-ax] = down32(cLo), up32(cHi)
		p.slabs = append(p.slabs, s)
	}
}

// crossAt is the coordinate across axis ax of the edge a–c where its
// coordinate along ax is v (a[ax] <= v <= c[ax]).
func crossAt(a, c orb.Point, ax int, v float64) float64 {
	switch v {
	case a[ax]:
		return a[1-ax]
	case c[ax]:
		return c[1-ax]
	}
	t := (v - a[ax]) / (c[ax] - a[ax])
	return a[1-ax] + t*(c[1-ax]-a[1-ax])
}
