package lookup

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"

	"github.com/paulmach/orb"

	"streetchief/internal/registry"
)

// Update is one snapshot the engine has swapped in, told to its followers afterwards: whoever acts
// on a registry change (re-routing incidents) and asks the engine then gets answers that already
// include it.
type Update struct {
	// Changes are registry.ChangeChannel payloads the new snapshot covers, in the order they came.
	// After a gap they are what the reload found different from the snapshot before it.
	Changes []string
	// Missed means the follower fell so far behind that its queue was dropped: changes were lost.
	Missed bool
}

// maxQueuedUpdates bounds what a stalled follower can hold; past it the queue becomes one Missed.
const maxQueuedUpdates = 100_000

// Updates is one follower's queue of the engine's updates.
type Updates struct {
	mu    sync.Mutex
	queue []Update
	ready chan struct{} // holds a token while the queue is not empty
}

// Follow returns a queue of the updates the engine swaps in from now on. Call it before Run, so the
// follower sees everything the engine applies.
func (e *Engine) Follow() *Updates {
	u := &Updates{ready: make(chan struct{}, 1)}
	e.mu.Lock()
	e.followers = append(e.followers, u)
	e.mu.Unlock()
	return u
}

// publish tells every follower about an update that is already swapped in.
func (e *Engine) publish(changes []string) {
	e.mu.Lock()
	followers := e.followers
	e.mu.Unlock()
	for _, u := range followers {
		u.push(Update{Changes: changes})
	}
}

func (u *Updates) push(up Update) {
	u.mu.Lock()
	if len(u.queue) >= maxQueuedUpdates {
		u.queue = append(u.queue[:0], Update{Missed: true})
	} else {
		u.queue = append(u.queue, up)
	}
	u.mu.Unlock()
	select {
	case u.ready <- struct{}{}:
	default:
	}
}

// ErrNoUpdate is Next's answer when its context ends first.
var ErrNoUpdate = errors.New("no update before the context ended")

// Next waits for the next update until ctx ends.
func (u *Updates) Next(ctx context.Context) (Update, error) {
	for {
		u.mu.Lock()
		if len(u.queue) > 0 {
			up := u.queue[0]
			u.queue[0] = Update{}
			u.queue = u.queue[1:]
			if len(u.queue) > 0 {
				select {
				case u.ready <- struct{}{}:
				default:
				}
			}
			u.mu.Unlock()
			return up, nil
		}
		u.mu.Unlock()
		select {
		case <-u.ready:
		case <-ctx.Done():
			return Update{}, errors.Join(ErrNoUpdate, ctx.Err())
		}
	}
}

// differences names, as change payloads, the areas and admin units whose shape, kind or posts differ
// between two snapshots: after a gap, what the notifications missed would have said. New areas with
// consecutive ids are named as one range, like a bulk import's notification.
func differences(before, after *snapshot) []string {
	if before == nil || after == nil {
		return nil
	}
	var out []string
	var inserted []int64
	for id, a := range after.areas {
		b, ok := before.areas[id]
		switch {
		case !ok:
			inserted = append(inserted, id)
		case b.row.Kind != a.row.Kind || !samePosts(b.posts, a.posts) || !orb.Equal(b.row.Geom, a.row.Geom):
			out = append(out, payload("area", "update", id))
		}
	}
	for id := range before.areas {
		if _, ok := after.areas[id]; !ok {
			out = append(out, payload("area", "delete", id))
		}
	}
	slices.Sort(inserted)
	for i := 0; i < len(inserted); {
		j := i
		for j+1 < len(inserted) && inserted[j+1] == inserted[j]+1 {
			j++
		}
		p := payload("area", "insert", inserted[i])
		if j > i {
			p += "-" + strconv.FormatInt(inserted[j], 10)
		}
		out = append(out, p)
		i = j + 1
	}
	for id, a := range after.units {
		b, ok := before.units[id]
		if !ok || b.row.Level != a.row.Level || b.row.ParentID != a.row.ParentID || !samePosts(b.posts, a.posts) ||
			!orb.Equal(b.row.Boundary, a.row.Boundary) {
			out = append(out, payload("admin_unit", "update", id))
		}
	}
	for id := range before.units {
		if _, ok := after.units[id]; !ok {
			out = append(out, payload("admin_unit", "delete", id))
		}
	}
	slices.Sort(out) // the same differences in the same order, whatever the maps' order
	return out
}

func payload(table, op string, id int64) string {
	return table + ":" + op + ":" + strconv.FormatInt(id, 10)
}

func samePosts(a, b []registry.Post) bool {
	return slices.EqualFunc(a, b, func(p, q registry.Post) bool {
		return p.AssignmentID == q.AssignmentID && p.PersonID == q.PersonID && p.Role == q.Role && p.Primary == q.Primary &&
			p.DepartmentID == q.DepartmentID && p.Level == q.Level && p.Department == q.Department && p.PersonName == q.PersonName && p.From.Equal(q.From) && p.Until.Equal(q.Until)
	})
}
