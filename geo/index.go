package geo

import (
	"cmp"
	"maps"
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Class tells the kinds of polygon apart: lookups order and filter by it.
type Class uint8

const (
	// ClassArea is a street chief's area of responsibility.
	ClassArea Class = 1
	// ClassAdminUnit is an administrative unit: a subdistrict or community.
	ClassAdminUnit Class = 2
)

func (c Class) String() string {
	switch c {
	case ClassArea:
		return "area"
	case ClassAdminUnit:
		return "admin unit"
	}
	return "class(" + strconv.Itoa(int(c)) + ")"
}

// Key identifies an entry: IDs are unique within a class only.
type Key struct {
	Class Class
	ID    int64
}

// Entry is one indexed polygon. The index owns it once built: callers read
// the *Entry values it hands out and never modify them.
type Entry struct {
	ID    int64
	Class Class
	// Tag is carried through untouched, e.g. an area's kind or an admin
	// unit's level.
	Tag  string
	Geom orb.MultiPolygon // WGS-84 longitude/latitude
	// AreaM2 orders lookups from most to least specific; computed from Geom
	// when zero.
	AreaM2 float64
}

// Key returns the entry's identity in the index.
func (e *Entry) Key() Key { return Key{Class: e.Class, ID: e.ID} }

// Index answers which polygons cover a point. It is immutable: With returns
// a new Index, so readers never wait for writers; swap snapshots with an
// atomic.Pointer.
//
// Covering reads the grid built by NewIndex, plus, after With, a small
// delta: the grid's entries since deleted or replaced are masked out and
// the entries upserted since sit in their own R-tree. The full R-tree holds
// every live entry and serves Nearest.
type Index struct {
	tree  rtree.RTreeGN[float32, item]
	byKey map[Key]*prepared
	grid  *grid // shared, never modified, by every Index With derives
	// more, when not nil, is a second grid over the entries after grid's (the admin units, when
	// there are areas too): sized for them alone, a few large polygons are not listed in every one
	// of the many small cells the areas want, where they were 60 % of all items at 100k areas.
	more *grid
	// entries are the grids' entries, in slot order.
	entries []prepared
	// removed has a bit set for each grid entry With deleted or replaced;
	// nil while there is none.
	removed  []uint64
	removedN int
	delta    rtree.RTreeGN[float32, item] // entries upserted by With
	deltaN   int
	// mu serializes With on this Index: rtree's Copy writes a field of the
	// tree it copies. Readers never take it.
	mu sync.Mutex
}

// NewIndex builds an index of entries. A later entry with the same Key
// replaces an earlier one.
func NewIndex(entries []Entry) *Index {
	last := make(map[Key]int, len(entries))
	for i := range entries {
		last[entries[i].Key()] = i
	}
	keep := make([]int, 0, len(last))
	for i := range entries {
		if last[entries[i].Key()] == i {
			keep = append(keep, i)
		}
	}
	preps := prepareAll(entries, keep)
	sortSpecificFirstPrepared(preps)
	ix := &Index{byKey: make(map[Key]*prepared, len(preps))}
	var items []itemBox
	for i := range preps {
		p := &preps[i]
		p.slot = int32(i)
		ix.byKey[p.Key()] = p
		for k, s := range p.slabs {
			items = append(items, itemBox{s, item{p: p, slab: int32(k)}})
		}
	}
	insertionOrder(items)
	for _, it := range items {
		ix.tree.Insert(it.s.min, it.s.max, it.it)
	}
	split := len(preps)
	for i := 1; i < len(preps); i++ {
		if preps[i].Class != preps[0].Class {
			split = i
			break
		}
	}
	ix.entries = preps
	ix.grid = newGrid(preps[:split], 0, 0)
	if split < len(preps) {
		// An eighth of the first grid's cells: few enough that the admin units' FULL items stay a
		// small part of the index, enough that most points still find their units FULL.
		ix.more = newSizedGrid(preps[split:], 0, 0, ix.grid.nx*ix.grid.ny/8)
		ix.more.base = uint32(split)
	}
	return ix
}

// sortSpecificFirstPrepared puts preps in CoveringAll's order by applying
// the sorting permutation in place, cycle by cycle: a prepared is large,
// and a sort would copy each one many times.
func sortSpecificFirstPrepared(preps []prepared) {
	order := make([]int32, len(preps))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return specificity(&preps[a].Entry, &preps[b].Entry) })
	// Position i receives preps[order[i]]; order[i] = -1 once it has.
	for i := range order {
		if order[i] < 0 || int(order[i]) == i {
			continue
		}
		tmp := preps[i]
		j := i
		for {
			k := int(order[j])
			order[j] = -1
			if k == i {
				preps[j] = tmp
				break
			}
			preps[j] = preps[k]
			j = k
		}
	}
}

// prepareAll prepares entries[keep[i]] into one slice, across all CPUs.
func prepareAll(entries []Entry, keep []int) []prepared {
	preps := make([]prepared, len(keep))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(keep)/1024))
	var wg sync.WaitGroup
	chunk := (len(keep) + workers - 1) / max(workers, 1)
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(keep))
		if lo >= hi {
			break
		}
		wg.Go(func() {
			var ar arena
			for i := lo; i < hi; i++ {
				prepare(entries[keep[i]], &preps[i], &ar)
			}
		})
	}
	wg.Wait()
	return preps
}

func (ix *Index) insert(p *prepared) {
	for k, s := range p.slabs {
		ix.tree.Insert(s.min, s.max, item{p: p, slab: int32(k)})
	}
}

func (ix *Index) remove(p *prepared) {
	for k, s := range p.slabs {
		ix.tree.Delete(s.min, s.max, item{p: p, slab: int32(k)})
	}
}

// Len returns the number of entries.
func (ix *Index) Len() int { return len(ix.byKey) }

// Get returns the entry with that id and class.
func (ix *Index) Get(id int64, class Class) (*Entry, bool) {
	p, ok := ix.byKey[Key{Class: class, ID: id}]
	if !ok {
		return nil, false
	}
	return &p.Entry, true
}

// With returns a new index with deletes removed and then upserts added or
// replaced. It shares the grid, the unchanged polygons and the R-tree nodes
// (copy-on-write) with ix, which stays valid and unchanged for its readers.
// Its cost is one copy of the key map, one of a bit per grid entry when
// the changes delete or replace one, plus the changes. Lookups slow down
// as the changes pile up: see DeltaLen.
func (ix *Index) With(upserts []Entry, deletes []Key) *Index {
	ix.mu.Lock()
	tree := ix.tree.Copy()
	delta := ix.delta.Copy()
	ix.mu.Unlock()
	nx := &Index{tree: *tree, byKey: maps.Clone(ix.byKey), grid: ix.grid, more: ix.more, entries: ix.entries,
		removed: ix.removed, removedN: ix.removedN, delta: *delta, deltaN: ix.deltaN}
	shared := true // nx.removed is still ix's
	drop := func(p *prepared) {
		nx.remove(p)
		delete(nx.byKey, p.Key())
		if p.slot < 0 {
			for k, s := range p.slabs {
				nx.delta.Delete(s.min, s.max, item{p: p, slab: int32(k)})
			}
			nx.deltaN--
			return
		}
		if shared {
			nx.removed = make([]uint64, (len(ix.entries)+63)/64)
			copy(nx.removed, ix.removed)
			shared = false
		}
		nx.removed[p.slot>>6] |= 1 << (p.slot & 63)
		nx.removedN++
	}
	for _, k := range deletes {
		if p, ok := nx.byKey[k]; ok {
			drop(p)
		}
	}
	keep := make([]int, len(upserts))
	for i := range keep {
		keep[i] = i
	}
	preps := prepareAll(upserts, keep)
	for i := range preps {
		p := &preps[i]
		if old, ok := nx.byKey[p.Key()]; ok {
			drop(old)
		}
		nx.byKey[p.Key()] = p
		nx.insert(p)
		for k, s := range p.slabs {
			nx.delta.Insert(s.min, s.max, item{p: p, slab: int32(k)})
		}
		nx.deltaN++
	}
	return nx
}

// DeltaLen reports how much With has layered over the grid of the last
// NewIndex: the entries upserted since, plus the grid's entries deleted or
// replaced since. Each costs lookups a little; rebuild with NewIndex when
// it grows past a few thousand.
func (ix *Index) DeltaLen() int { return ix.deltaN + ix.removedN }

// pointBox is the float32 box that surely meets every stored box holding pt.
func pointBox(x, y float64) (lo, hi [2]float32) {
	return [2]float32{down32(x), down32(y)}, [2]float32{up32(x), up32(y)}
}

// Covering calls fn with each entry covering pt (inside or on its boundary,
// like ST_Covers), in no particular order, until fn returns false.
func (ix *Index) Covering(pt orb.Point, fn func(e *Entry) bool) {
	x, y := pt[0], pt[1]
	for g := ix.grid; g != nil; g = g.next(ix) {
		c, ok := g.cell(x, y)
		if !ok {
			continue
		}
		for _, it := range g.items[g.cellStart[c]:g.cellStart[c+1]] {
			k := it &^ fullBit
			if s := g.base + k; ix.removed != nil && ix.removed[s>>6]&(1<<(s&63)) != 0 {
				continue
			}
			hit := it&fullBit != 0 || g.boxes[k].holds(x, y) && g.entries[k].covers(x, y)
			if hit && !fn(&g.entries[k].Entry) {
				return
			}
		}
	}
	if ix.deltaN == 0 || math.IsNaN(x) || math.IsNaN(y) {
		return
	}
	lo, hi := pointBox(x, y)
	ix.delta.Search(lo, hi, func(_, _ [2]float32, it item) bool {
		if it.owns(x, y) && it.p.covers(x, y) {
			return fn(&it.p.Entry)
		}
		return true
	})
}

// CoveringAll appends the entries covering pt to dst and returns it. The
// appended entries come areas first, then admin units, each from the most
// specific (smallest AreaM2, then lowest ID) to the least. It allocates
// only to grow dst.
func (ix *Index) CoveringAll(pt orb.Point, dst []*Entry) []*Entry {
	start := len(dst)
	x, y := pt[0], pt[1]
	// A cell's items are in entry order, and grid's entries come before more's: the order wanted.
	for g := ix.grid; g != nil; g = g.next(ix) {
		c, ok := g.cell(x, y)
		if !ok {
			continue
		}
		items := g.items[g.cellStart[c]:g.cellStart[c+1]]
		entries, boxes := g.entries, g.boxes
		for _, it := range items {
			k := it &^ fullBit
			if s := g.base + k; ix.removed != nil && ix.removed[s>>6]&(1<<(s&63)) != 0 {
				continue
			}
			if it&fullBit != 0 {
				dst = append(dst, &entries[k].Entry)
			} else if boxes[k].holds(x, y) && entries[k].covers(x, y) {
				dst = append(dst, &entries[k].Entry)
			}
		}
	}
	if ix.deltaN == 0 || math.IsNaN(x) || math.IsNaN(y) {
		return dst
	}
	n := len(dst)
	lo, hi := pointBox(x, y)
	ix.delta.Search(lo, hi, func(_, _ [2]float32, it item) bool {
		if it.owns(x, y) && it.p.covers(x, y) {
			dst = append(dst, &it.p.Entry)
		}
		return true
	})
	if len(dst) > n {
		sortSpecificFirst(dst[start:])
	}
	return dst
}

// sortSpecificFirst is an insertion sort: a point is covered by a handful
// of entries, and sort.Slice would allocate.
func sortSpecificFirst(es []*Entry) {
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && moreSpecific(es[j], es[j-1]); j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}

func moreSpecific(a, b *Entry) bool { return specificity(a, b) < 0 }

// specificity orders entries as CoveringAll reports them: areas first, then
// admin units, each by AreaM2 then ID.
func specificity(a, b *Entry) int {
	if c := cmp.Compare(a.Class, b.Class); c != 0 {
		return c
	}
	if c := cmp.Compare(a.AreaM2, b.AreaM2); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}
