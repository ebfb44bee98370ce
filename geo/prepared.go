package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// prepared is an Entry plus what answers "does it cover this point?"
// without walking every vertex. The Entry is embedded so that the *Entry
// handed to callers points into the index and costs no allocation.
type prepared struct {
	Entry
	first part   // most entries have one polygon: keep it inline
	rest  []part // the other polygons of a multipolygon
	slabs []slab // its R-tree keys, kept so that With can delete them
	axis  uint8  // the axis the slabs cut: 0 x, 1 y
	// slot is the entry's number in the grid NewIndex built, -1 for an
	// entry With added.
	slot int32
}

// part is one polygon (outer ring plus holes) with its edges bucketed into
// horizontal bands: a point's band lists every edge whose y-range meets the
// band, so a ray cast from the point needs only those edges.
type part struct {
	minX, minY, maxX, maxY float64
	bandScale              float64 // bands per unit of y
	nBands                 int
	pts                    []orb.Point // edge i runs pts[i] → pts[i+1]
	// idx[b]..idx[b+1] delimits band b's edge numbers, stored in idx itself
	// after the nBands+1 offsets: one allocation, one slice header.
	idx []uint32
}

func (p *prepared) covers(x, y float64) bool {
	if p.first.covers(x, y) {
		return true
	}
	for i := range p.rest {
		if p.rest[i].covers(x, y) {
			return true
		}
	}
	return false
}

// covers reports whether (x, y) is inside the polygon or on any of its
// rings, like PostGIS ST_Covers. It counts crossings of a ray towards +x
// with the half-open rule (an edge counts when exactly one endpoint is
// above y), and decides "on the edge" with the exact orientation test, as
// GEOS's RayCrossingCounter does.
func (pp *part) covers(x, y float64) bool {
	// Written negated so that NaN falls out here rather than as a wild band.
	if !(x >= pp.minX && x <= pp.maxX && y >= pp.minY && y <= pp.maxY) {
		return false
	}
	b := pp.band(y)
	refs := pp.idx[pp.idx[b]:pp.idx[b+1]]
	pts := pp.pts
	inside := false
	for _, i := range refs {
		a, c := pts[i], pts[i+1]
		if a[0] < x && c[0] < x {
			continue // wholly left: neither touched nor crossed
		}
		if (a[1] > y) != (c[1] > y) {
			if a[0] > x && c[0] > x {
				inside = !inside // wholly right: crossed, cannot touch
				continue
			}
			o := orient(a, c, [2]float64{x, y})
			if o == 0 {
				return true
			}
			if c[1] < a[1] {
				o = -o
			}
			if o > 0 {
				inside = !inside
			}
			continue
		}
		// Not straddling: the point can only lie on the edge at a vertex or
		// along a horizontal edge at its own height.
		if a[1] == y && c[1] == y {
			if (a[0] <= x && x <= c[0]) || (c[0] <= x && x <= a[0]) {
				return true
			}
		} else if (a[0] == x && a[1] == y) || (c[0] == x && c[1] == y) {
			return true
		}
	}
	return inside
}

// band is monotone in y, and edges are filed with the same function, so a
// point whose y lies in an edge's y-range always finds that edge.
func (pp *part) band(y float64) int {
	b := int((y - pp.minY) * pp.bandScale)
	if b >= pp.nBands {
		b = pp.nBands - 1
	}
	return b
}

// edgesPerBand trades memory (an edge spanning several bands is listed in
// each) against the edges a lookup must test.
const edgesPerBand = 4

// arena hands out sub-slices of large chunks: preparing 100k polygons then
// costs a few hundred allocations instead of hundreds of thousands.
type arena struct {
	u32 []uint32
	pts []orb.Point
	sl  []slab
}

const arenaChunk = 1 << 16

// carve takes n items off the front of *chunk, starting a new chunk of size
// items when too few are left; a request over a quarter of size gets a slice
// of its own. The result is capped at n, so appending to it never writes into
// the next one's items.
func carve[T any](chunk *[]T, n, size int) []T {
	if n > size/4 {
		return make([]T, n)
	}
	if len(*chunk) < n {
		*chunk = make([]T, size)
	}
	s := (*chunk)[:n:n]
	*chunk = (*chunk)[n:]
	return s
}

func (ar *arena) uint32s(n int) []uint32 { return carve(&ar.u32, n, arenaChunk) }

// points and slabs return empty slices with room for n items.
func (ar *arena) points(n int) []orb.Point { return carve(&ar.pts, n, arenaChunk/4)[:0] }
func (ar *arena) slabs(n int) []slab       { return carve(&ar.sl, n, arenaChunk/32)[:0] }

// prepare fills p from e. Polygons with a non-finite coordinate or without
// an outer ring are dropped: they can cover nothing.
func prepare(e Entry, p *prepared, ar *arena) {
	p.Entry = e
	p.slot = -1
	if p.AreaM2 == 0 {
		p.AreaM2 = AreaM2(e.Geom)
	}
	p.first = part{minX: math.Inf(1), minY: math.Inf(1), maxX: math.Inf(-1), maxY: math.Inf(-1)}
	p.rest, p.slabs = nil, nil
	n := 0
	for _, poly := range e.Geom {
		var pp part
		if !preparePart(poly, &pp, ar) {
			continue
		}
		if n == 0 {
			p.first = pp
		} else {
			p.rest = append(p.rest, pp)
		}
		n++
	}
	if n > 0 {
		cutSlabs(p, ar)
	}
}

// parts calls fn with each prepared polygon.
func (p *prepared) parts(fn func(pp *part)) {
	if p.first.nBands == 0 {
		return
	}
	fn(&p.first)
	for i := range p.rest {
		fn(&p.rest[i])
	}
}

func preparePart(poly orb.Polygon, pp *part, ar *arena) bool {
	if len(poly) == 0 || len(poly[0]) == 0 {
		return false
	}
	n := 0
	for _, r := range poly {
		for _, q := range r {
			if !finite(q) {
				return false
			}
		}
		n += len(r) + 2 // closing point and seam marker
	}
	// A lone closed ring is used as it is; anything else is flattened into
	// one slice, closing each ring, and the seams between rings are simply
	// never filed as edges.
	if len(poly) == 1 && len(poly[0]) > 1 && poly[0][0] == poly[0][len(poly[0])-1] {
		pp.pts = poly[0]
	} else {
		pts := ar.points(n)
		for _, r := range poly {
			if len(r) == 0 {
				continue
			}
			pts = append(pts, r...)
			if r[0] != r[len(r)-1] {
				pts = append(pts, r[0])
			}
			pts = append(pts, orb.Point{math.NaN(), math.NaN()}) // seam marker
		}
		pp.pts = pts
	}
	pp.minX, pp.minY = math.Inf(1), math.Inf(1)
	pp.maxX, pp.maxY = math.Inf(-1), math.Inf(-1)
	nEdges := 0
	for i, q := range pp.pts {
		if isSeam(q) {
			continue
		}
		pp.minX, pp.minY = math.Min(pp.minX, q[0]), math.Min(pp.minY, q[1])
		pp.maxX, pp.maxY = math.Max(pp.maxX, q[0]), math.Max(pp.maxY, q[1])
		if i+1 < len(pp.pts) && !isSeam(pp.pts[i+1]) {
			nEdges++
		}
	}
	if nEdges == 0 {
		return false
	}
	pp.nBands = max(1, min(nEdges/edgesPerBand, 1<<16))
	if pp.nBands > 1 && pp.maxY > pp.minY {
		pp.bandScale = float64(pp.nBands) / (pp.maxY - pp.minY)
	} else {
		pp.nBands = 1
	}
	fileEdges(pp, ar)
	return true
}

// fileEdges builds the band lists in compressed-row form: count, prefix-sum,
// fill, shift.
func fileEdges(pp *part, ar *arena) {
	nb := pp.nBands
	total := 0
	pp.forEachEdge(func(_ int, lo, hi int) { total += hi - lo + 1 })
	idx := ar.uint32s(nb + 1 + total)
	clear(idx[:nb+1])
	pp.forEachEdge(func(_ int, lo, hi int) {
		for b := lo; b <= hi; b++ {
			idx[b+1]++
		}
	})
	idx[0] = uint32(nb + 1)
	for b := 1; b <= nb; b++ {
		idx[b] += idx[b-1]
	}
	// idx[b] is band b's start; use it as a cursor, then shift back.
	pp.forEachEdge(func(i int, lo, hi int) {
		for b := lo; b <= hi; b++ {
			idx[idx[b]] = uint32(i)
			idx[b]++
		}
	})
	for b := nb - 1; b > 0; b-- {
		idx[b] = idx[b-1]
	}
	idx[0] = uint32(nb + 1)
	pp.idx = idx
}

func isSeam(q orb.Point) bool { return q[0] != q[0] }

func finite(q orb.Point) bool {
	return !math.IsNaN(q[0]) && !math.IsNaN(q[1]) && !math.IsInf(q[0], 0) && !math.IsInf(q[1], 0)
}

// edges calls fn with each edge's endpoints.
func (pp *part) edges(fn func(a, c orb.Point)) {
	pts := pp.pts
	for i := 0; i+1 < len(pts); i++ {
		if !isSeam(pts[i]) && !isSeam(pts[i+1]) {
			fn(pts[i], pts[i+1])
		}
	}
}

// forEachEdge calls fn with each edge's index and the range of bands its
// y-extent meets.
func (pp *part) forEachEdge(fn func(i int, lo, hi int)) {
	pts := pp.pts
	for i := 0; i+1 < len(pts); i++ {
		a, c := pts[i], pts[i+1]
		if isSeam(a) || isSeam(c) {
			continue
		}
		lo, hi := a[1], c[1]
		if lo > hi {
			lo, hi = hi, lo
		}
		fn(i, pp.band(lo), pp.band(hi))
	}
}

// Box32 is b rounded outward to float32, the keys of a float32 R-tree: half the memory of float64
// boxes, and the box never shrinks, so no candidate is missed.
func Box32(b orb.Bound) (lo, hi [2]float32) {
	return [2]float32{down32(b.Min[0]), down32(b.Min[1])}, [2]float32{up32(b.Max[0]), up32(b.Max[1])}
}

// down32 and up32 round outward to float32, as tile38 does for its R-tree
// keys: half the memory of float64 boxes and never a missed candidate.
func down32(v float64) float32 {
	f := float32(v)
	if float64(f) > v {
		f = math.Nextafter32(f, float32(math.Inf(-1)))
	}
	return f
}

func up32(v float64) float32 {
	f := float32(v)
	if float64(f) < v {
		f = math.Nextafter32(f, float32(math.Inf(1)))
	}
	return f
}
