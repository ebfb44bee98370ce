package lookup_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

// nextUpdate waits for the engine's next update naming want, and fails after limit.
func nextUpdate(t *testing.T, u *lookup.Updates, limit time.Duration, want string) lookup.Update {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for {
		up, err := u.Next(ctx)
		if err != nil {
			t.Fatalf("no update naming %q within %s: %v", want, limit, err)
		}
		if slices.Contains(up.Changes, want) {
			return up
		}
	}
}

func square(x, y, d float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}}
}

// A follower hears of a change only once the engine answers with it, so acting on the update and
// asking the engine then can never see the territory from before.
func TestFollowersHearOfAChangeOnlyAfterTheEngineAnswersWithIt(t *testing.T) {
	demoCity(t)
	pool := dbtest.Pool(t)
	store := registry.NewStore(pool)
	e := lookup.New(store)
	updates := e.Follow()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runLive(ctx, e, pool)
	waitFor(t, 10*time.Second, "initial load", func() bool { return e.Ready() })

	admin := access.System("test")
	far := orb.Point{118.9005, 26.9005} // outside the demo city
	area, err := store.CreateArea(ctx, admin, registry.AreaInput{Kind: "square", Name: "新广场", Geom: square(118.9, 26.9, 0.001)})
	if err != nil {
		t.Fatal(err)
	}
	nextUpdate(t, updates, 2*time.Second, fmt.Sprintf("area:insert:%d", area.ID))
	if got := answer(t, e, far).Areas; len(got) != 1 || got[0].ID != area.ID {
		t.Fatalf("told of area %d, but the engine answers %+v", area.ID, got)
	}
	p, err := store.CreatePerson(ctx, admin, registry.PersonInput{Name: "新经理", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	a, err := store.CreateAssignment(ctx, admin, registry.AssignmentInput{AreaID: area.ID, PersonID: p.ID, Role: "area_manager", Primary: true})
	if err != nil {
		t.Fatal(err)
	}
	nextUpdate(t, updates, 2*time.Second, fmt.Sprintf("assignment:insert:%d", a.ID))
	if got := answer(t, e, far).Areas; len(got) != 1 || len(got[0].Responsible) != 1 || got[0].Responsible[0].PersonID != p.ID {
		t.Fatalf("told of assignment %d, but the engine answers %+v", a.ID, got)
	}
}

// After a gap the engine cannot know what the lost notifications said, so it names what its reload
// found different: the areas and units whose shape or posts changed, and new areas as one range.
func TestAReloadNamesWhatChangedSinceTheSnapshotBefore(t *testing.T) {
	demoCity(t)
	pool := dbtest.Pool(t)
	store := registry.NewStore(pool)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := lookup.New(store)
	if err := e.Load(ctx); err != nil {
		t.Fatal(err)
	}
	// While nobody listens: two new areas, a new manager for an existing one, one area deleted.
	admin := access.System("test")
	var fresh []registry.Area
	for i := range 2 {
		a, err := store.CreateArea(ctx, admin, registry.AreaInput{Kind: "square", Name: "空白处", Geom: square(118.95+float64(i)*0.01, 26.95, 0.001)})
		if err != nil {
			t.Fatal(err)
		}
		fresh = append(fresh, a)
	}
	old, err := store.CreateArea(ctx, admin, registry.AreaInput{Kind: "square", Name: "旧广场", Geom: square(118.97, 26.95, 0.001)})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Load(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := store.CreatePerson(ctx, admin, registry.PersonInput{Name: "新经理", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateAssignment(ctx, admin, registry.AssignmentInput{AreaID: fresh[0].ID, PersonID: p.ID, Role: "area_manager", Primary: true}); err != nil {
		t.Fatal(err)
	}
	if err := store.DeleteArea(ctx, admin, old.ID); err != nil {
		t.Fatal(err)
	}
	more, err := store.CreateArea(ctx, admin, registry.AreaInput{Kind: "square", Name: "又一处", Geom: square(118.98, 26.95, 0.001)})
	if err != nil {
		t.Fatal(err)
	}
	more2, err := store.CreateArea(ctx, admin, registry.AreaInput{Kind: "square", Name: "再一处", Geom: square(118.99, 26.95, 0.001)})
	if err != nil {
		t.Fatal(err)
	}

	updates := e.Follow()
	runLive(ctx, e, pool) // listening begins with a gap: the engine reloads
	up := nextUpdate(t, updates, 10*time.Second, fmt.Sprintf("area:update:%d", fresh[0].ID))
	for _, want := range []string{fmt.Sprintf("area:delete:%d", old.ID), fmt.Sprintf("area:insert:%d-%d", more.ID, more2.ID)} {
		if !slices.Contains(up.Changes, want) {
			t.Errorf("reload's changes %v lack %q", up.Changes, want)
		}
	}
	if slices.Contains(up.Changes, fmt.Sprintf("area:update:%d", fresh[1].ID)) {
		t.Errorf("reload's changes %v name area %d, which did not change", up.Changes, fresh[1].ID)
	}
}
