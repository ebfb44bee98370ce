package lookup

import (
	"sync/atomic"
	"time"

	"streetchief/internal/registry"
)

// versions numbers snapshots so caches built from one (vector tiles) know when they are stale.
var versions atomic.Uint64

// View is a read-only view of one snapshot of the territory, for other in-memory consumers such as
// the vector tile renderer. It never changes; take a new one to see updates.
type View struct{ s *snapshot }

// View returns the current snapshot's view; ok is false before the first load.
func (e *Engine) View() (v View, ok bool) {
	s := e.snap.Load()
	return View{s}, s != nil
}

// Version identifies the snapshot: equal versions mean equal data.
func (v View) Version() uint64 { return v.s.version }

// Areas calls fn for every area with the posts held over it at t (zero t: now), until fn returns false.
func (v View) Areas(t time.Time, fn func(a *registry.SpatialArea, held []registry.Post) bool) {
	if t.IsZero() {
		t = time.Now()
	}
	var held []registry.Post
	for _, a := range v.s.areas {
		held = heldAt(a.posts, t, held[:0])
		if !fn(a.row, held) {
			return
		}
	}
}

// Units calls fn for every admin unit with the posts held over it at t, until fn returns false.
func (v View) Units(t time.Time, fn func(u *registry.SpatialUnit, held []registry.Post) bool) {
	if t.IsZero() {
		t = time.Now()
	}
	var held []registry.Post
	for _, u := range v.s.units {
		held = heldAt(u.posts, t, held[:0])
		if !fn(u.row, held) {
			return
		}
	}
}
