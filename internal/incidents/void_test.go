package incidents_test

import (
	"context"
	"testing"
	"time"

	"streetchief/internal/registry"
)

// Voided posts were never held: once the engine has the voids, a report at the market skips the
// market's manager and community A's lane chief and goes to the street chief.
func TestVoidedAssignmentsRouteNothing(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for _, f := range []registry.AssignmentFilter{{AreaID: w.park.ID}, {AdminUnitID: w.comA.ID}} {
		list, _, err := w.store.ListAssignments(ctx, system, f)
		if err != nil || len(list) != 1 {
			t.Fatalf("fixture assignments %+v: %v %+v", f, err, list)
		}
		if _, err := w.store.VoidAssignment(ctx, system, list[0].ID, "entered by mistake"); err != nil {
			t.Fatal(err)
		}
	}
	w.reload()
	ans, err := w.engine.Lookup(ctx, w.inMarket(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Areas) != 1 || len(ans.Areas[0].Responsible) != 0 {
		t.Fatalf("areas at the market after the void: %+v, want the market with nobody responsible", ans.Areas)
	}
	if ans.Community == nil || ans.Community.Chief != nil {
		t.Fatalf("community after the void: %+v, want community A without a lane chief", ans.Community)
	}
	if ans.Subdistrict == nil || ans.Subdistrict.Chief == nil || ans.Subdistrict.Chief.PersonID != w.street.ID {
		t.Fatalf("subdistrict after the void: %+v, want its street chief still", ans.Subdistrict)
	}
	if got := w.get(w.report("random_piling", w.inMarket()).ID); got.AssigneePersonID != w.street.ID {
		t.Fatalf("report at the market after the voids: %+v, want the street chief", got)
	}
}
