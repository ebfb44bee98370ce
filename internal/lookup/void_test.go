package lookup_test

import (
	"context"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

// TestVoidedAssignmentNoLongerAnswers voids the manager of an area while the engine runs: the live
// index drops them, and so does a fresh load.
func TestVoidedAssignmentNoLongerAnswers(t *testing.T) {
	demoCity(t)
	pool := dbtest.Pool(t)
	store := registry.NewStore(pool)
	e := lookup.New(store)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runLive(ctx, e, pool)
	waitFor(t, 10*time.Second, "initial load", func() bool { return e.Ready() })

	admin := access.System("test")
	far := orb.Point{118.7, 26.7} // outside the demo city
	sq := orb.MultiPolygon{{{{118.699, 26.699}, {118.701, 26.699}, {118.701, 26.701}, {118.699, 26.701}, {118.699, 26.699}}}}
	area, err := store.CreateArea(ctx, admin, registry.AreaInput{Kind: "square", Name: "误录广场", Geom: sq})
	if err != nil {
		t.Fatal(err)
	}
	p, err := store.CreatePerson(ctx, admin, registry.PersonInput{Name: "误录责任人", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	a, err := store.CreateAssignment(ctx, admin, registry.AssignmentInput{AreaID: area.ID, PersonID: p.ID, Role: "area_manager", Primary: true})
	if err != nil {
		t.Fatal(err)
	}
	// responsible counts the people named for the area, -1 while the area itself is not indexed yet.
	responsible := func(e *lookup.Engine) int {
		got := answer(t, e, far).Areas
		if len(got) != 1 {
			return -1
		}
		return len(got[0].Responsible)
	}
	waitFor(t, time.Second, "new manager", func() bool { return responsible(e) == 1 })
	if _, err := store.VoidAssignment(ctx, admin, a.ID, "entered for the wrong square"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, "voided manager gone", func() bool { return responsible(e) == 0 })

	fresh := lookup.New(store)
	if err := fresh.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if n := responsible(fresh); n != 0 {
		t.Fatalf("a fresh load names %d responsible for the area whose manager was voided", n)
	}
}
