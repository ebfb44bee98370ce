package operations_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/operations"
)

func TestCreateWith500TargetShopsInOneRequest(t *testing.T) {
	w := newWorld(t)
	shops := w.shops(500, w.inE(0))
	op := w.mustCreate(w.plan(map[string]any{"merchant_ids": shops}))
	if op.State != operations.StatePlanned || op.Shops != 500 || len(op.TargetShops) != 500 {
		t.Fatalf("state %s, %d shops (%d listed), want planned and 500", op.State, op.Shops, len(op.TargetShops))
	}
	if len(op.Departments) != 2 || len(op.People) != 2 || len(op.Areas) != 1 || op.SubdistrictName != "东城街道" {
		t.Fatalf("departments %v, people %v, areas %v, subdistrict %q", op.Departments, op.People, op.Areas, op.SubdistrictName)
	}
	if op.People[0].Role != operations.Commander || op.People[0].Phone != "13900000001" {
		t.Fatalf("the commander comes first with their phone for the street chief of E: %+v", op.People[0])
	}
}

// Every refusal names what is wrong and writes nothing.
func TestBadPlansAreRefusedAndWriteNothing(t *testing.T) {
	w := newWorld(t)
	shopW := w.shops(1, w.inW(0))
	openE := w.incident(w.inE(0.001))
	closedE := w.incident(w.inE(0.002))
	if _, err := dbtest.Pool(t).Exec(context.Background(), `UPDATE incident SET status = 'closed' WHERE id = $1`, closedE); err != nil {
		t.Fatal(err)
	}
	past := w.clock.Add(-48 * time.Hour)
	farW := fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}`,
		w.x+0.001, w.y+0.001, w.x+0.002, w.y+0.001, w.x+0.002, w.y+0.002, w.x+0.001, w.y+0.001)
	bowtie := fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}`,
		w.x+0.011, w.y+0.001, w.x+0.015, w.y+0.005, w.x+0.015, w.y+0.001, w.x+0.011, w.y+0.005, w.x+0.011, w.y+0.001)
	for _, tc := range []struct {
		name  string
		who   access.Principal
		extra map[string]any
		code  apperr.Code
		says  string
	}{
		{"unknown department", w.chiefE, map[string]any{"department_ids": []int64{1, 987654}}, apperr.Invalid, "987654"},
		{"no department", w.chiefE, map[string]any{"department_ids": []int64{}}, apperr.Invalid, "department"},
		{"no target", w.chiefE, map[string]any{"area_ids": nil}, apperr.Invalid, "target"},
		{"a shop of another subdistrict", w.chiefE, map[string]any{"merchant_ids": shopW}, apperr.Invalid, fmt.Sprint(shopW[0])},
		{"an area of another subdistrict", w.chiefE, map[string]any{"area_ids": []int64{w.areaW.ID}}, apperr.Invalid, fmt.Sprint(w.areaW.ID)},
		{"a drawn target outside", w.chiefE, map[string]any{"target_area": rawJSON(farW)}, apperr.Invalid, "outside"},
		{"a drawn target that crosses itself", w.chiefE, map[string]any{"target_area": rawJSON(bowtie)}, apperr.Invalid, "not valid"},
		{"a closed case", w.chiefE, map[string]any{"incident_ids": []int64{openE, closedE}}, apperr.Invalid, fmt.Sprint(closedE)},
		{"unknown person", w.chiefE, map[string]any{"people": []map[string]any{{"person_id": 987654, "role": "member"}}}, apperr.Invalid, "987654"},
		{"unknown role", w.chiefE, map[string]any{"people": []map[string]any{{"person_id": w.member.ID, "role": "boss"}}}, apperr.Invalid, "boss"},
		{"ends before it starts", w.chiefE, map[string]any{"ends_at": w.clock.Format(time.RFC3339)}, apperr.Invalid, "after"},
		{"in the past with no outcome", w.chiefE, map[string]any{"starts_at": past.Format(time.RFC3339),
			"ends_at": past.Add(2 * time.Hour).Format(time.RFC3339)}, apperr.Invalid, "outcome"},
		{"the street chief of another subdistrict", w.chiefW, nil, apperr.Forbidden, "street chief"},
		{"a liaison", w.liaison1, nil, apperr.Forbidden, "street chief"},
		{"a lane chief", w.lane, nil, apperr.Forbidden, "street chief"},
		{"no such subdistrict", system, map[string]any{"subdistrict_id": 987654}, apperr.Invalid, "987654"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := rowCounts(t)
			_, err := w.create(tc.who, w.plan(tc.extra))
			if apperr.CodeOf(err) != tc.code || !strings.Contains(apperr.Message(err), tc.says) {
				t.Fatalf("got %v (%s), want %s naming %q", err, apperr.CodeOf(err), tc.code, tc.says)
			}
			if after := rowCounts(t); after != before {
				t.Fatalf("rows changed: %s → %s", before, after)
			}
		})
	}
}

type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

// An operation goes planned → under way → outcome overdue → done by the clock and its outcome; the
// cases closed are counted from the cases' states; a second outcome corrects the first with a reason.
func TestLifecycleAndOutcome(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	shops := w.shops(3, w.inE(0))
	caseA, caseB := w.incident(w.inE(0.001)), w.incident(w.inE(0.002))
	op := w.mustCreate(w.plan(map[string]any{"merchant_ids": shops, "incident_ids": []int64{caseA, caseB}}))
	if _, err := w.store.RecordOutcome(ctx, w.chiefE, op.ID, operations.OutcomeInput{Notes: "早了"}); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("outcome before the start: %v, want a conflict", err)
	}
	w.clock = op.StartsAt.Add(time.Hour)
	onSpot := w.incident(w.inE(0.003))
	if got, _ := w.store.Get(ctx, w.chiefE, op.ID); got.State != operations.StateUnderWay {
		t.Fatalf("an hour in: %s, want under_way", got.State)
	}
	got, err := w.store.LinkCase(ctx, w.chiefE, op.ID, onSpot)
	if err != nil || got.CaseCounts.OnSpot != 1 || got.CaseCounts.Total != 3 {
		t.Fatalf("link the case opened on the spot: %v %+v", err, got.CaseCounts)
	}
	if _, err := w.store.LinkCase(ctx, w.chiefE, op.ID, onSpot); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("linking it twice: %v, want a conflict", err)
	}
	w.clock = op.EndsAt.Add(24 * time.Hour)
	overdue, err := w.store.List(ctx, w.leader, operations.Filter{State: operations.StateOutcomeOverdue, SubdistrictID: w.subE.ID})
	if err != nil || len(overdue) != 1 || overdue[0].ID != op.ID {
		t.Fatalf("outcome overdue list: %v %+v", err, overdue)
	}
	late := w.incident(w.inE(0.004))
	if _, err := w.store.LinkCase(ctx, w.chiefE, op.ID, late); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("a case reported the day after: %v, want invalid", err)
	}
	if _, err := dbtest.Pool(t).Exec(ctx, `UPDATE incident SET status = 'closed' WHERE id = ANY($1)`, []int64{caseA, onSpot}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.RecordOutcome(ctx, w.liaison1, op.ID, operations.OutcomeInput{}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("a liaison records the outcome: %v, want forbidden", err)
	}
	before := rowCounts(t)
	if _, err := w.store.RecordOutcome(ctx, w.chiefE, op.ID, operations.OutcomeInput{Shops: []operations.ShopDealt{{MerchantID: 987654, Dealt: operations.Fined}}}); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("a shop that is no target: %v, want invalid", err)
	}
	if after := rowCounts(t); after != before {
		t.Fatalf("rows changed: %s → %s", before, after)
	}
	done, err := w.store.RecordOutcome(ctx, w.chiefE, op.ID, operations.OutcomeInput{Notes: "当场整改两户",
		Shops: []operations.ShopDealt{{MerchantID: shops[0], Dealt: operations.RectifiedOnSpot}, {MerchantID: shops[1], Dealt: operations.Fined}}})
	if err != nil {
		t.Fatal(err)
	}
	if done.State != operations.StateDone || done.CaseCounts != (operations.CaseCounts{Total: 3, Open: 1, Closed: 2, OnSpot: 1}) {
		t.Fatalf("done: %s %+v, want done with 2 of 3 cases closed", done.State, done.CaseCounts)
	}
	if _, err := w.store.RecordOutcome(ctx, w.chiefE, op.ID, operations.OutcomeInput{Notes: "改"}); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("a second outcome without a reason: %v, want invalid", err)
	}
	fixed, err := w.store.RecordOutcome(ctx, w.chiefE, op.ID, operations.OutcomeInput{Notes: "当场整改三户", Reason: "漏记一户",
		Shops: []operations.ShopDealt{{MerchantID: shops[0], Dealt: operations.RectifiedOnSpot}, {MerchantID: shops[1], Dealt: operations.Fined},
			{MerchantID: shops[2], Dealt: operations.RectifiedOnSpot}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(fixed.Outcomes) != 2 || fixed.Outcome.CorrectsID != fixed.Outcomes[1].ID || fixed.Outcomes[1].Notes != "当场整改两户" {
		t.Fatalf("the correction keeps the first outcome: %+v", fixed.Outcomes)
	}
	dealt := map[int64]operations.Dealt{}
	for _, s := range fixed.TargetShops {
		dealt[s.ID] = s.Dealt
	}
	if dealt[shops[2]] != operations.RectifiedOnSpot || dealt[shops[1]] != operations.Fined {
		t.Fatalf("target shops show the outcome in force: %v", dealt)
	}
	if _, err := w.store.Cancel(ctx, w.chiefE, op.ID, "不需要了"); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("cancelling a done operation: %v, want a conflict", err)
	}
}

func TestCancelKeepsTheOperationWithItsReason(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	op := w.mustCreate(w.plan(nil))
	if _, err := w.store.Cancel(ctx, w.chiefE, op.ID, " "); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("no reason: %v", err)
	}
	got, err := w.store.Cancel(ctx, w.chiefE, op.ID, "暴雨预警")
	if err != nil || got.State != operations.StateCancelled || got.CancelReason != "暴雨预警" {
		t.Fatalf("cancel: %v %s %q", err, got.State, got.CancelReason)
	}
	w.clock = op.StartsAt.Add(time.Hour)
	if _, err := w.store.RecordOutcome(ctx, w.chiefE, op.ID, operations.OutcomeInput{}); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("an outcome of a cancelled operation: %v, want a conflict", err)
	}
}

// An operation that took place is entered afterwards with its outcome in the same request.
func TestPastOperationEnteredWithItsOutcome(t *testing.T) {
	w := newWorld(t)
	shops := w.shops(2, w.inE(0))
	past := w.clock.Add(-48 * time.Hour)
	op := w.mustCreate(w.plan(map[string]any{"starts_at": past.Format(time.RFC3339), "ends_at": past.Add(2 * time.Hour).Format(time.RFC3339),
		"merchant_ids": shops, "outcome": map[string]any{"notes": "补录", "shops": []map[string]any{{"merchant_id": shops[0], "dealt": "order_issued"}}}}))
	if op.State != operations.StateDone || op.Outcome == nil || op.Outcome.Notes != "补录" || len(op.Outcome.Shops) != 1 {
		t.Fatalf("entered afterwards: %s %+v", op.State, op.Outcome)
	}
	future := w.clock.Add(48 * time.Hour)
	before := rowCounts(t)
	_, err := w.create(w.chiefE, w.plan(map[string]any{"starts_at": future.Format(time.RFC3339), "ends_at": future.Add(time.Hour).Format(time.RFC3339),
		"outcome": map[string]any{"notes": "预先"}}))
	if apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("an outcome of an operation to come: %v, want invalid", err)
	}
	if after := rowCounts(t); after != before {
		t.Fatalf("rows changed: %s → %s", before, after)
	}
}

// Who reads an operation, and whose phones they see (doc.go).
func TestWhoReadsAnOperation(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	op := w.mustCreate(w.plan(map[string]any{"department_ids": []int64{1}}))
	for _, tc := range []struct {
		name  string
		who   access.Principal
		reads bool
	}{
		{"district leader", w.leader, true},
		{"street chief of E", w.chiefE, true},
		{"street chief of W", w.chiefW, false},
		{"lane chief in E", w.lane, true},
		{"liaison of the department taking part", w.liaison1, true},
		{"liaison of a department not taking part", w.liaison2, false},
		{"inspector of E", access.Principal{Username: "insp", Role: access.Inspector, Scope: access.Scope{Subdistricts: []int64{w.subE.ID}}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.store.Get(ctx, tc.who, op.ID)
			list, lerr := w.store.List(ctx, tc.who, operations.Filter{SubdistrictID: w.subE.ID})
			if lerr != nil {
				t.Fatal(lerr)
			}
			if (err == nil) != tc.reads || (len(list) == 1) != tc.reads {
				t.Fatalf("get: %v, list: %d, want reads=%v", err, len(list), tc.reads)
			}
			if !tc.reads && apperr.CodeOf(err) != apperr.NotFound {
				t.Fatalf("an operation out of sight is not found, got %v", err)
			}
		})
	}
	if _, err := w.store.Cancel(ctx, w.lane, op.ID, "巷长取消"); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("a lane chief cancels: %v, want forbidden", err)
	}
	// The member holds no post: only whole-district callers see their phone.
	got, _ := w.store.Get(ctx, w.chiefE, op.ID)
	if got.People[1].PersonID != w.member.ID || got.People[1].Phone != "" {
		t.Fatalf("the member's phone shown to the street chief of E: %+v", got.People[1])
	}
}

func TestRevisionKeepsThePlanAsItWas(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	op := w.mustCreate(w.plan(nil))
	later := op.StartsAt.Add(2 * time.Hour)
	in, reason, err := operations.DecodeRevision(w.plan(map[string]any{"starts_at": later.Format(time.RFC3339),
		"ends_at": later.Add(time.Hour).Format(time.RFC3339), "people": []map[string]any{{"person_id": w.member.ID, "role": "commander"}},
		"reason": "与区里的检查错开"}))
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.store.Revise(ctx, w.chiefE, op.ID, in, reason)
	if err != nil {
		t.Fatal(err)
	}
	if !got.StartsAt.Equal(later) || len(got.People) != 1 || len(got.Revisions) != 1 || got.Revisions[0].Reason != "与区里的检查错开" {
		t.Fatalf("revised: %v %+v %+v", got.StartsAt, got.People, got.Revisions)
	}
	if !strings.Contains(string(got.Revisions[0].Before), fmt.Sprintf(`"person_id": %d`, w.commander.ID)) {
		t.Fatalf("the revision keeps the commander it had: %s", got.Revisions[0].Before)
	}
	w.clock = later.Add(time.Minute)
	if _, err := w.store.Revise(ctx, w.chiefE, op.ID, in, reason); apperr.CodeOf(err) != apperr.Invalid && apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("revising one under way: %v, want refused", err)
	}
}

func TestCalendarPutsAnOperationOnItsDays(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	start := time.Date(2026, 6, 10, 22, 0, 0, 0, operations.Beijing)
	op := w.mustCreate(w.plan(map[string]any{"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(4 * time.Hour).Format(time.RFC3339)}))
	cal, err := w.store.Calendar(ctx, w.chiefE, "2026-06", operations.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cal.Days) != 30 {
		t.Fatalf("June has %d days here", len(cal.Days))
	}
	for i, d := range cal.Days {
		on := len(d.Operations) == 1 && d.Operations[0].ID == op.ID
		if want := i == 9 || i == 10; on != want {
			t.Errorf("%s: %d operations, want it on the 10th and 11th only", d.Date, len(d.Operations))
		}
	}
	if _, err := w.store.Calendar(ctx, w.chiefE, "2026-13", operations.Filter{}); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("month 13: %v", err)
	}
}
