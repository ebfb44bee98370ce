package geo

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
)

// The grid answers Covering without the R-tree: a uniform grid over the
// bounds of all entries, each cell listing the entries that meet it. A
// cell that no ring edge touches lies wholly inside or wholly outside an
// entry, so it is either listed as FULL (a hit without any test) or not
// listed at all; only cells an edge touches are PARTIAL and need the exact
// test. A lookup is one division per axis and one short, contiguous list.
//
// Cells are classified as closed boxes grown by eps, which exceeds any
// rounding in mapping a point to its cell or in clipping an edge to a
// column: a point on a cell border may be mapped to either cell and both
// answer for it, and float error never drops a touched cell.

const (
	// cellsPerEntry sizes the grid: more cells mean more FULL hits and
	// shorter lists, but more items for the large admin units.
	cellsPerEntry = 4
	maxCells      = 4 << 20
	// edgesPerCellEntry: a polygon counts as one entry per this many edges in sizing the grid.
	edgesPerCellEntry = 16
	// fullBit marks an item whose entry covers its whole cell.
	fullBit = 1 << 31
)

type grid struct {
	// entries is ordered as CoveringAll reports (see specificity), so a
	// cell's items, kept in entry order, need no sorting at lookup.
	entries []prepared
	// boxes[k] is entries[k]'s bounding box rounded outward to float32:
	// 16 bytes that reject most PARTIAL items without touching the
	// entry, which is large and, at 100k entries, rarely in cache.
	boxes                  []box32
	minX, minY, maxX, maxY float64
	invW, invH             float64 // cells per degree
	cellW, cellH           float64 // degrees per cell
	eps                    float64
	nx, ny                 int
	// Cell c's items are items[cellStart[c]:cellStart[c+1]], each an
	// entry number, ORed with fullBit when the entry covers the cell.
	cellStart []uint32
	items     []uint32
	// base is entries[0]'s number among the index's grid entries (its slot).
	base uint32
}

// next is the grid after g in ix, nil after the last.
func (g *grid) next(ix *Index) *grid {
	if g == ix.grid {
		return ix.more
	}
	return nil
}

// cell maps a point to its cell; false when the point is outside the grid
// (or NaN), where no grid entry can cover it.
func (g *grid) cell(x, y float64) (int, bool) {
	if !(x >= g.minX && x <= g.maxX && y >= g.minY && y <= g.maxY) {
		return 0, false
	}
	i := min(int((x-g.minX)*g.invW), g.nx-1)
	j := min(int((y-g.minY)*g.invH), g.ny-1)
	return j*g.nx + i, true
}

type box32 struct{ minX, minY, maxX, maxY float32 }

// holds reports whether the box may hold (x, y); the inverted box of an
// entry without a polygon holds nothing.
func (b *box32) holds(x, y float64) bool {
	return float64(b.minX) <= x && x <= float64(b.maxX) && float64(b.minY) <= y && y <= float64(b.maxY)
}

// col and row clamp to the grid and are monotone in their argument, like
// cell: an entry's bounding box maps onto every cell its points map to.
func (g *grid) col(x float64) int { return clampCell((x-g.minX)*g.invW, g.nx) }
func (g *grid) row(y float64) int { return clampCell((y-g.minY)*g.invH, g.ny) }

func clampCell(u float64, n int) int {
	if !(u > 0) {
		return 0
	}
	if u >= float64(n) {
		return n - 1
	}
	return int(u)
}

// newGrid builds the grid over entries, with nx × ny cells, or a size
// chosen from the number of entries when nx or ny is zero.
func newGrid(entries []prepared, nx, ny int) *grid { return newSizedGrid(entries, nx, ny, 1) }

// newSizedGrid is newGrid choosing at least minCells cells when it chooses.
func newSizedGrid(entries []prepared, nx, ny, minCells int) *grid {
	g := &grid{entries: entries,
		minX: math.Inf(1), minY: math.Inf(1), maxX: math.Inf(-1), maxY: math.Inf(-1)}
	g.boxes = make([]box32, len(entries))
	for i := range entries {
		x0, y0, x1, y1 := entries[i].bounds()
		g.boxes[i] = box32{down32(x0), down32(y0), up32(x1), up32(y1)}
		g.minX, g.minY = min(g.minX, x0), min(g.minY, y0)
		g.maxX, g.maxY = max(g.maxX, x1), max(g.maxY, y1)
	}
	if !(g.minX <= g.maxX) {
		return g // nothing with a finite polygon: every lookup misses
	}
	// A degenerate extent (one vertical line) still needs a finite scale.
	w := max(g.maxX-g.minX, 1e-9)
	h := max(g.maxY-g.minY, 1e-9)
	if nx <= 0 || ny <= 0 {
		// Count a polygon with many edges (an admin unit's boundary) as several entries: alone in
		// a grid, it would otherwise leave long edge lists in few, large cells.
		weight := 0
		for i := range entries {
			entries[i].parts(func(pp *part) { weight += max(1, len(pp.pts)/edgesPerCellEntry) })
		}
		target := min(maxCells, max(minCells, cellsPerEntry*weight))
		side := math.Sqrt(w * h / float64(target))
		nx = min(max(1, int(math.Ceil(w/side))), target)
		ny = min(max(1, int(math.Ceil(h/side))), max(1, target/nx))
	}
	g.nx, g.ny = nx, ny
	g.invW, g.invH = float64(nx)/w, float64(ny)/h
	g.cellW, g.cellH = w/float64(nx), h/float64(ny)
	// Degrees never exceed 360, so mapping and clipping err by well under
	// 1e-13; eps leaves three orders of magnitude to spare.
	g.eps = 1e-12 * (1 + max(math.Abs(g.minX), math.Abs(g.maxX), math.Abs(g.minY), math.Abs(g.maxY)))
	g.fill()
	return g
}

// fill classifies the entries in chunks across all CPUs, then files the
// (cell, item) pairs in compressed-row form. Chunks are taken in entry
// order, so each cell's items come out in entry order too.
func (g *grid) fill() {
	const chunk = 256
	n := len(g.entries)
	chunks := make([][]uint64, (n+chunk-1)/chunk)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(chunks)) {
		wg.Go(func() {
			r := rasterizer{g: g}
			for {
				c := int(next.Add(1) - 1)
				if c >= len(chunks) {
					return
				}
				r.pairs = nil
				for k := c * chunk; k < min(n, (c+1)*chunk); k++ {
					r.add(k)
				}
				chunks[c] = r.pairs
			}
		})
	}
	wg.Wait()

	nc := g.nx * g.ny
	start := make([]uint32, nc+1)
	total := 0
	for _, ps := range chunks {
		for _, pr := range ps {
			start[pr>>32+1]++
		}
		total += len(ps)
	}
	for c := 1; c <= nc; c++ {
		start[c] += start[c-1]
	}
	items := make([]uint32, total)
	// start[c] is cell c's cursor, then shifted back to its start.
	for _, ps := range chunks {
		for _, pr := range ps {
			c := pr >> 32
			items[start[c]] = uint32(pr)
			start[c]++
		}
	}
	for c := nc; c > 0; c-- {
		start[c] = start[c-1]
	}
	start[0] = 0
	g.cellStart, g.items = start, items
}

// rasterizer classifies one worker's entries; state is reused scratch.
type rasterizer struct {
	g     *grid
	state []uint8 // per cell of the entry's bounding box
	pairs []uint64
	// The current entry's box, in cells.
	c0, c1, r0, r1, w int
}

const (
	cellOut uint8 = iota
	cellPartial
	cellFull
)

// add classifies entry k: it marks the cells its edges touch, walking only
// the cells along each edge, then decides each run of untouched cells in a
// row with one exact test, since no boundary crosses the run.
func (r *rasterizer) add(k int) {
	g := r.g
	p := &g.entries[k]
	x0, y0, x1, y1 := p.bounds()
	if !(x0 <= x1) {
		return
	}
	r.c0, r.c1, r.r0, r.r1 = g.col(x0), g.col(x1), g.row(y0), g.row(y1)
	r.w = r.c1 - r.c0 + 1
	n := r.w * (r.r1 - r.r0 + 1)
	if cap(r.state) < n {
		r.state = make([]uint8, n)
	}
	state := r.state[:n]
	clear(state)
	p.parts(func(pp *part) {
		pp.edges(func(a, c orb.Point) {
			if math.Abs(c[0]-a[0]) >= math.Abs(c[1]-a[1]) {
				r.edge(a, c, 0, state)
			} else {
				r.edge(a, c, 1, state)
			}
		})
	})
	for j := r.r0; j <= r.r1; j++ {
		row := state[(j-r.r0)*r.w : (j-r.r0+1)*r.w]
		cy := g.minY + (float64(j)+0.5)*g.cellH
		for i := 0; i < len(row); {
			if row[i] == cellPartial {
				i++
				continue
			}
			e := i + 1
			for e < len(row) && row[e] != cellPartial {
				e++
			}
			if p.covers(g.minX+(float64(r.c0+i)+0.5)*g.cellW, cy) {
				for t := i; t < e; t++ {
					row[t] = cellFull
				}
			}
			i = e
		}
		base := uint64(j*g.nx + r.c0)
		for i, s := range row {
			switch s {
			case cellPartial:
				r.pairs = append(r.pairs, (base+uint64(i))<<32|uint64(k))
			case cellFull:
				r.pairs = append(r.pairs, (base+uint64(i))<<32|uint64(k)|fullBit)
			}
		}
	}
}

// edge marks the cells whose eps-grown closed box the edge a–c touches.
// It steps along the major axis ax (the edge's slope across it is at most
// 1, so interpolation errs by a few ulps) and, for each step, marks the
// span across that the edge covers there.
func (r *rasterizer) edge(a, c orb.Point, ax int, state []uint8) {
	g := r.g
	eps := g.eps
	if a[ax] > c[ax] {
		a, c = c, a
	}
	// Along-axis and across-axis cell geometry.
	origin, size := g.minX, g.cellW
	lo, hi := r.c0, r.c1
	acrossLo, acrossHi := r.r0, r.r1
	along, across := g.col, g.row
	if ax == 1 {
		origin, size = g.minY, g.cellH
		lo, hi = r.r0, r.r1
		acrossLo, acrossHi = r.c0, r.c1
		along, across = g.row, g.col
	}
	i0, i1 := max(lo, along(a[ax]-eps)), min(hi, along(c[ax]+eps))
	for i := i0; i <= i1; i++ {
		ul := max(a[ax], origin+float64(i)*size-eps)
		uh := min(c[ax], origin+float64(i+1)*size+eps)
		if ul > uh {
			continue // reached only within eps of rounding: not touched
		}
		va, vb := crossAt(a, c, ax, ul), crossAt(a, c, ax, uh)
		j0 := max(acrossLo, across(min(va, vb)-eps))
		j1 := min(acrossHi, across(max(va, vb)+eps))
		for j := j0; j <= j1; j++ {
			if ax == 0 {
				state[(j-r.r0)*r.w+i-r.c0] = cellPartial
			} else {
				state[(i-r.r0)*r.w+j-r.c0] = cellPartial
			}
		}
	}
}
