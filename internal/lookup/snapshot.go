// Package lookup answers "who is responsible for this spot?" from an in-memory copy of the territory:
// a geo.Index over areas and admin units plus the full assignment history, kept current by the
// database's change notifications. Readers use an immutable snapshot swapped atomically, so they never
// wait for an update. It reads the registry through registry.Store and owns no tables.
package lookup

import (
	"cmp"
	"slices"
	"time"

	"streetchief/geo"
	"streetchief/internal/registry"
)

// snapshot is one immutable state of the territory. Updates build a new one.
type snapshot struct {
	index *geo.Index
	areas map[int64]rec[registry.SpatialArea]
	units map[int64]rec[registry.SpatialUnit]
	// posts holds every assignment, current and past, by target, ordered by start.
	posts    map[target][]registry.Post
	loadedAt time.Time
	version  uint64
}

func areaEntry(a *registry.SpatialArea) geo.Entry {
	return geo.Entry{ID: a.ID, Class: geo.ClassArea, Tag: a.Kind, Geom: a.Geom}
}

func unitEntry(u *registry.SpatialUnit) geo.Entry {
	return geo.Entry{ID: u.ID, Class: geo.ClassAdminUnit, Tag: u.Level, Geom: u.Boundary}
}

// rec is a row with the posts held over it (a copy of posts' entry), kept side by side because every
// lookup reads both and one map access costs less than two.
type rec[T any] struct {
	row   *T
	posts []registry.Post
}

// link refreshes the posts copied into the records of targets ts.
func (s *snapshot) link(ts map[target]bool) {
	for t := range ts {
		if t&1 == 0 {
			if r, ok := s.areas[int64(t>>1)]; ok {
				r.posts = s.posts[t]
				s.areas[int64(t>>1)] = r
			}
		} else if r, ok := s.units[int64(t>>1)]; ok {
			r.posts = s.posts[t]
			s.units[int64(t>>1)] = r
		}
	}
}

// target is what a post is held over: an area or an admin unit, packed into one integer (the id
// shifted left, the low bit set for admin units) because every lookup reads the posts map several
// times and integer keys take the map's fast path.
type target int64

func areaTarget(id int64) target { return target(id << 1) }
func unitTarget(id int64) target { return target(id<<1 | 1) }

// heldAt appends to dst the posts of ps held at t.
func heldAt(ps []registry.Post, t time.Time, dst []registry.Post) []registry.Post {
	for i := range ps {
		if ps[i].HeldAt(t) {
			dst = append(dst, ps[i])
		}
	}
	return dst
}

func postTarget(p registry.Post) target {
	if p.AreaID != 0 {
		return areaTarget(p.AreaID)
	}
	return unitTarget(p.AdminUnitID)
}

// newSnapshot builds a snapshot from a full read of the registry.
func newSnapshot(areas []registry.SpatialArea, units []registry.SpatialUnit, posts []registry.Post) *snapshot {
	s := &snapshot{
		areas:    make(map[int64]rec[registry.SpatialArea], len(areas)),
		units:    make(map[int64]rec[registry.SpatialUnit], len(units)),
		posts:    pack(areas, units, posts),
		loadedAt: time.Now(),
		version:  versions.Add(1),
	}
	entries := make([]geo.Entry, 0, len(areas)+len(units))
	for i := range areas {
		a := &areas[i]
		s.areas[a.ID] = rec[registry.SpatialArea]{row: a}
		entries = append(entries, areaEntry(a))
	}
	for i := range units {
		u := &units[i]
		s.units[u.ID] = rec[registry.SpatialUnit]{row: u}
		entries = append(entries, unitEntry(u))
	}
	all := make(map[target]bool, len(s.posts))
	for k := range s.posts {
		all[k] = true
	}
	s.link(all)
	s.index = geo.NewIndex(entries)
	return s
}

func sortPosts(ps []registry.Post) { slices.SortFunc(ps, comparePosts) }

// comparePosts orders a target's posts by start, then by assignment.
func comparePosts(a, b registry.Post) int {
	return cmp.Or(a.From.Compare(b.From), cmp.Compare(a.AssignmentID, b.AssignmentID))
}

// change is a batch of rows re-read after notifications: rows present were inserted or updated,
// ids asked for but absent were deleted.
type change struct {
	areas          []registry.SpatialArea
	areaIDs        []int64
	units          []registry.SpatialUnit
	unitIDs        []int64
	posts          []registry.Post
	postIDs        []int64 // assignment ids asked for
	personPostsFor []int64 // people whose every post was re-read
}

// apply returns a new snapshot with the change; s is not modified.
func (s *snapshot) apply(c change) *snapshot {
	n := &snapshot{
		areas:    cloneMap(s.areas),
		units:    cloneMap(s.units),
		posts:    make(map[target][]registry.Post, len(s.posts)),
		loadedAt: s.loadedAt,
		version:  versions.Add(1),
	}
	for k, v := range s.posts {
		n.posts[k] = v // slices are replaced, never appended to in place
	}
	upserts, deletes := replaceRows(n.areas, c.areas, c.areaIDs, areaEntry, geo.ClassArea)
	u, d := replaceRows(n.units, c.units, c.unitIDs, unitEntry, geo.ClassAdminUnit)
	upserts, deletes = append(upserts, u...), append(deletes, d...)
	touched := n.replacePosts(c)
	// Deleted areas and units take their posts with them (ON DELETE CASCADE).
	for _, k := range deletes {
		delete(n.posts, entryTarget(k.Class, k.ID))
	}
	for _, e := range upserts {
		touched[entryTarget(e.Class, e.ID)] = true
	}
	n.link(touched)
	n.index = s.index
	if len(upserts) > 0 || len(deletes) > 0 {
		n.index = s.index.With(upserts, deletes)
	}
	return n
}

// replaceRows stores the re-read rows in m and removes the re-read ids that were not found (they
// were deleted), returning the index's changes.
func replaceRows[T any](m map[int64]rec[T], rows []T, ids []int64, entry func(*T) geo.Entry, class geo.Class) (
	upserts []geo.Entry, deletes []geo.Key) {
	found := make(map[int64]bool, len(rows))
	for i := range rows {
		e := entry(&rows[i])
		m[e.ID] = rec[T]{row: &rows[i]}
		upserts = append(upserts, e)
		found[e.ID] = true
	}
	for _, id := range ids {
		if !found[id] {
			delete(m, id)
			deletes = append(deletes, geo.Key{Class: class, ID: id})
		}
	}
	return upserts, deletes
}

// replacePosts drops every re-read assignment (and every post of a re-read person) from its old
// target, adds what exists now, and returns the targets whose posts changed.
func (s *snapshot) replacePosts(c change) map[target]bool {
	drop := map[int64]bool{}
	for _, id := range c.postIDs {
		drop[id] = true
	}
	people := map[int64]bool{}
	for _, id := range c.personPostsFor {
		people[id] = true
	}
	// One pass over every post finds the re-read ones' targets: a map from assignment to target
	// would save the pass but cost every snapshot a map entry per assignment.
	touched := map[target]bool{}
	for k, ps := range s.posts {
		for _, p := range ps {
			if drop[p.AssignmentID] || people[p.PersonID] {
				drop[p.AssignmentID] = true
				touched[k] = true
			}
		}
	}
	for _, p := range c.posts {
		drop[p.AssignmentID] = true
		touched[postTarget(p)] = true
	}
	for k := range touched {
		kept := make([]registry.Post, 0, len(s.posts[k]))
		for _, p := range s.posts[k] {
			if !drop[p.AssignmentID] {
				kept = append(kept, p)
			}
		}
		s.posts[k] = kept
	}
	for _, p := range c.posts {
		k := postTarget(p)
		s.posts[k] = append(s.posts[k], p)
	}
	for k := range touched {
		sortPosts(s.posts[k])
		if len(s.posts[k]) == 0 {
			delete(s.posts, k)
		}
	}
	return touched
}

func entryTarget(class geo.Class, id int64) target {
	if class == geo.ClassAdminUnit {
		return unitTarget(id)
	}
	return areaTarget(id)
}

func (s *snapshot) compacted() *snapshot {
	entries := make([]geo.Entry, 0, len(s.areas)+len(s.units))
	for _, a := range s.areas {
		entries = append(entries, areaEntry(a.row))
	}
	for _, u := range s.units {
		entries = append(entries, unitEntry(u.row))
	}
	n := *s
	n.index = geo.NewIndex(entries)
	return &n
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
