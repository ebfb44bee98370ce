package merchants_test

import (
	"context"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/apperr"
	"streetchief/internal/merchants"
	"streetchief/internal/registry"
)

// Who checked this shop on 3 March is the inspector whose post stood then, not the one now.
func TestWhoCheckedTheShopOnADayIsAQuery(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	m := w.shop(t, "甲店", w.inA())
	second, err := w.reg.CreatePerson(ctx, system, registry.PersonInput{Name: "接班员", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	apr := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	if _, err := w.store.AssignInspector(ctx, system, m.ID, merchants.InspectorInput{PersonID: w.person.ID, From: jan}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.AssignInspector(ctx, system, m.ID, merchants.InspectorInput{PersonID: second.ID, From: apr}); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a second primary without handover: %v", err)
	}
	if _, err := w.store.AssignInspector(ctx, system, m.ID, merchants.InspectorInput{PersonID: second.ID, From: apr, Handover: true}); err != nil {
		t.Fatal(err)
	}
	march3 := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	then, err := w.store.Inspectors(ctx, system, m.ID, &march3)
	if err != nil || len(then) != 1 || then[0].PersonID != w.person.ID {
		t.Fatalf("on 3 March: %+v %v", then, err)
	}
	now := time.Now()
	cur, err := w.store.Inspectors(ctx, system, m.ID, &now)
	if err != nil || len(cur) != 1 || cur[0].PersonID != second.ID {
		t.Fatalf("now: %+v %v", cur, err)
	}
	if got, _ := w.store.Merchant(ctx, system, m.ID); got.InspectorName != "接班员" {
		t.Fatalf("shop's inspector: %q", got.InspectorName)
	}
	// Voiding the current post leaves the shop with nobody, and the post on record.
	if _, err := w.store.VoidInspector(ctx, system, cur[0].ID, "派错人"); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.store.Merchant(ctx, system, m.ID); got.InspectorID != 0 {
		t.Fatal("voided inspector still in charge")
	}
	hist, _ := w.store.Inspectors(ctx, system, m.ID, nil)
	if len(hist) != 2 || hist[0].VoidReason != "派错人" || hist[1].Until == nil {
		t.Fatalf("history: %+v", hist)
	}
}

// An inspector account sees exactly the shops it checks now.
func TestInspectorSeesOnlyTheirShops(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	mine, other := w.shop(t, "我的店", w.inA()), w.shop(t, "别人的店", w.inA())
	if _, err := w.store.AssignInspector(ctx, system, mine.ID, merchants.InspectorInput{PersonID: w.person.ID}); err != nil {
		t.Fatal(err)
	}
	insp := inspectorPrincipal(w)
	list, _, err := w.store.ListMerchants(ctx, insp, merchants.Filter{})
	if err != nil || len(list) != 1 || list[0].ID != mine.ID {
		t.Fatalf("inspector lists %v %v", names(list), err)
	}
	if _, err := w.store.Merchant(ctx, insp, other.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("inspector read another's shop: %v", err)
	}
}

func TestBulkAssignByCommunityAndPolygon(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a1 := w.shop(t, "甲一", w.inA())
	w.shop(t, "甲二", orb.Point{w.x + 0.002, w.y + 0.002})
	b1 := w.shop(t, "乙一", w.inB())
	if _, err := w.store.AssignInspector(ctx, system, a1.ID, merchants.InspectorInput{PersonID: w.person.ID}); err != nil {
		t.Fatal(err)
	}
	other, _ := w.reg.CreatePerson(ctx, system, registry.PersonInput{Name: "社区网格员", Active: true})
	res, err := w.store.AssignInspectors(ctx, w.laneA, merchants.BulkInspector{InspectorInput: merchants.InspectorInput{PersonID: other.ID},
		CommunityID: w.comA.ID})
	if err != nil || res.Assigned != 1 || len(res.Skipped) != 1 || res.Skipped[0].MerchantID != a1.ID {
		t.Fatalf("by community: %+v %v", res, err)
	}
	// A polygon over all of B, drawn by the street chief, with a handover.
	poly := rect(w.x+0.011, w.y+0.001, w.x+0.019, w.y+0.009)
	res, err = w.store.AssignInspectors(ctx, w.street, merchants.BulkInspector{InspectorInput: merchants.InspectorInput{PersonID: other.ID},
		Within: poly})
	if err != nil || res.Assigned != 1 {
		t.Fatalf("by polygon: %+v %v", res, err)
	}
	if got, _ := w.store.Merchant(ctx, system, b1.ID); got.InspectorID != other.ID {
		t.Fatal("polygon did not assign B's shop")
	}
	// The lane chief of A may not reach into B.
	before := rowCounts(t)
	res, err = w.store.AssignInspectors(ctx, w.laneA, merchants.BulkInspector{InspectorInput: merchants.InspectorInput{PersonID: w.person.ID, Handover: true},
		CommunityID: w.comB.ID})
	if err != nil || res.Assigned != 0 || rowCounts(t) != before {
		t.Fatalf("lane chief of A over B: %+v %v", res, err)
	}
}
