package reports_test

import (
	"context"
	"testing"

	"streetchief/internal/dbtest"
	"streetchief/internal/registry"
	"streetchief/internal/reports"
)

// TestVoidedAssignmentsLeaveGaps: a manager and a lane chief entered by mistake and voided fill
// nothing, so the area is unassigned, its ground uncovered and the lane chief's post vacant.
func TestVoidedAssignmentsLeaveGaps(t *testing.T) {
	demoCity(t) // the demo loads only into an empty database; the fixture lies well east of it
	ctx := context.Background()
	pool := dbtest.Pool(t)
	store := registry.NewStore(pool)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	x, y := 117.6, 26.0
	_, com := squareCommunity(t, store, x, y, "v", "误街道", "误社区")
	park, err := store.CreateArea(ctx, admin, registry.AreaInput{Kind: "park", Name: "误园", Geom: rect(x, y, x+0.01, y+0.01)})
	must(err)
	p, err := store.CreatePerson(ctx, admin, registry.PersonInput{Name: "误录", Active: true})
	must(err)
	manager, err := store.CreateAssignment(ctx, admin, registry.AssignmentInput{AreaID: park.ID, PersonID: p.ID, Role: "area_manager", Primary: true})
	must(err)
	chief, err := store.CreateAssignment(ctx, admin, registry.AssignmentInput{AdminUnitID: com.ID, PersonID: p.ID, Role: "lane_chief", Primary: true})
	must(err)
	gaps := func() reports.Report {
		t.Helper()
		r, err := reports.NewService(pool).Gaps(ctx, admin, reports.Query{Scope: reports.Scope{Level: "community", ID: com.ID}})
		must(err)
		return r
	}
	if r := gaps(); len(r.Unassigned)+len(r.Territory)+len(r.Vacant) != 0 {
		t.Fatalf("gaps before the void: %+v", r)
	}
	for _, id := range []int64{manager.ID, chief.ID} {
		_, err := store.VoidAssignment(ctx, admin, id, "entered by mistake")
		must(err)
	}
	r := gaps()
	if len(r.Unassigned) != 1 || r.Unassigned[0].AreaID != park.ID {
		t.Fatalf("unassigned after the void: %+v, want the park", r.Unassigned)
	}
	if len(r.Territory) != 1 {
		t.Fatalf("territory gaps after the void: %+v, want the whole community", r.Territory)
	}
	if len(r.Vacant) != 1 || r.Vacant[0].Role != "lane_chief" {
		t.Fatalf("vacant posts after the void: %+v, want the lane chief", r.Vacant)
	}
}
