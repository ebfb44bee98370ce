package merchants_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/internal/merchants"
)

func (w *iworld) cases(shop int64) (incidentIDs []int64) {
	w.t.Helper()
	list, err := w.store.RepeatOffenders(context.Background(), w.asAdmin, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, o := range list {
		if o.MerchantID == shop {
			for _, c := range o.Cases {
				incidentIDs = append(incidentIDs, c.IncidentID)
			}
		}
	}
	return incidentIDs
}

// Three violations of one category within thirty days open one case: not at the second, at the
// third; a fourth while the case is open opens none. The case is the street chief's, described in
// Chinese and linked to the three inspections.
func TestRepeatOffenderFiresExactlyAtN(t *testing.T) {
	w := newIWorld(t)
	ctx := context.Background()
	shop := w.shop("张记烧烤", w.inA(0), w.insp.ID)
	now := time.Now()
	v := visit{shop: shop, p: w.inA(0), accuracy: 5, violation: "street_occupying"}
	at := func(daysAgo int) visit { c := v; c.at = now.AddDate(0, 0, -daysAgo); return c }
	w.mustInspect(w.asInsp, visit{shop: shop, at: now.AddDate(0, 0, -20), p: w.inA(0), accuracy: 5}) // ok: not a violation
	w.mustInspect(w.asInsp, at(12))
	if got := w.mustInspect(w.asInsp, at(6)); got.RepeatIncidentID != 0 || len(w.cases(shop)) != 0 {
		t.Fatalf("a case opened at N-1: %+v", got)
	}
	third := w.mustInspect(w.asInsp, at(1))
	cases := w.cases(shop)
	if third.RepeatIncidentID == 0 || len(cases) != 1 || cases[0] != third.RepeatIncidentID {
		t.Fatalf("no single case at N: inspection %+v, cases %v", third, cases)
	}
	inc, err := w.inc.Incident(ctx, w.asAdmin, third.RepeatIncidentID)
	if err != nil {
		t.Fatal(err)
	}
	if inc.Status != incidents.Escalated || inc.AssigneePersonID != w.street.ID || inc.Category != "street_occupying" {
		t.Fatalf("case %s with person %d in %s, want escalated to the street chief %d", inc.Status, inc.AssigneePersonID, inc.Category, w.street.ID)
	}
	if !strings.Contains(inc.Description, "张记烧烤") || !strings.Contains(inc.Description, "30天内3次") {
		t.Fatalf("description %q does not name the shop and the violations", inc.Description)
	}
	if n := count(t, `SELECT count(*) FROM merchant_repeat_case WHERE incident_id = $1`, inc.ID); n != 3 {
		t.Fatalf("%d inspections linked, want 3", n)
	}
	if n := count(t, `SELECT count(*) FROM merchant_repeat_offender WHERE merchant_id = $1 AND open`, shop); n != 1 {
		t.Fatalf("merchant_repeat_offender shows %d open cases, want 1", n)
	}
	shops, err := w.store.MapShops(ctx, w.asAdmin, orb.Bound{Min: w.inA(-0.001), Max: orb.Point{w.inA(0.001)[0], w.inA(0)[1] + 0.001}}, 10)
	if err != nil || len(shops) != 1 || shops[0].State != merchants.StateRepeatOffender {
		t.Fatalf("the map shows %+v (%v), want the shop as a repeat offender", shops, err)
	}
	fourth := w.mustInspect(w.asInsp, at(0))
	if len(w.cases(shop)) != 1 || fourth.RepeatIncidentID != 0 {
		t.Fatalf("a fourth violation while the case is open: cases %v, inspection joined %d", w.cases(shop), fourth.RepeatIncidentID)
	}
}

// A refusal opens a case at once; a second trigger while it is open joins it with a note; once the
// case is closed, the next trigger opens a new one.
func TestRepeatOffenderOncePerOpenCaseAndAgainAfterClosing(t *testing.T) {
	w := newIWorld(t)
	ctx := context.Background()
	shop := w.shop("李家杂货", w.inA(0), w.insp.ID)
	now := time.Now().Add(-time.Hour)
	refuse := visit{shop: shop, at: now, p: w.inA(0), accuracy: 5, violation: "random_piling", refused: true, note: "拒不搬离"}
	first := w.mustInspect(w.asInsp, refuse)
	if first.RepeatIncidentID == 0 {
		t.Fatal("a refusal opened no case")
	}
	events := len(mustIncident(t, w, first.RepeatIncidentID).Events)
	second := w.mustInspect(w.asInsp, refuse)
	if second.RepeatIncidentID != first.RepeatIncidentID {
		t.Fatalf("a second refusal while the case is open: joined %d, want %d", second.RepeatIncidentID, first.RepeatIncidentID)
	}
	if got := mustIncident(t, w, first.RepeatIncidentID); len(got.Events) != events+1 || got.Events[len(got.Events)-1].Kind != "note" {
		t.Fatalf("the open case got no note: %+v", got.Events)
	}
	if _, err := w.inc.Transition(ctx, w.asStreet, first.RepeatIncidentID, incidents.TransitionInput{To: incidents.Rejected, Note: "已整改"}); err != nil {
		t.Fatal(err)
	}
	third := w.mustInspect(w.asInsp, refuse)
	if third.RepeatIncidentID == 0 || third.RepeatIncidentID == first.RepeatIncidentID {
		t.Fatalf("after the case closed, a new trigger joined %d (first %d)", third.RepeatIncidentID, first.RepeatIncidentID)
	}
	if n := count(t, `SELECT count(*) FROM merchant_repeat_offender WHERE merchant_id = $1`, shop); n != 2 {
		t.Fatalf("%d cases in merchant_repeat_offender, want 2", n)
	}
}

func mustIncident(t *testing.T, w *iworld, id int64) incidents.Incident {
	t.Helper()
	in, err := w.inc.Incident(context.Background(), w.asAdmin, id)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// The inspection and the case it opens commit together: a failure between the hand-off and the
// links leaves neither the inspection nor the incident behind, and the resend then succeeds.
func TestInspectionAndItsCaseCommitTogether(t *testing.T) {
	w := newIWorld(t)
	shop := w.shop("王氏五金", w.inA(0), w.insp.ID)
	v := visit{shop: shop, at: time.Now(), p: w.inA(0), accuracy: 5, violation: "random_piling", refused: true}
	incidentsBefore := count(t, `SELECT count(*) FROM incident`)
	boom := errors.New("the link failed")
	restore := merchants.FailAfterHandOff(boom)
	_, err := w.inspect(w.asInsp, v, "")
	restore()
	if !errors.Is(err, boom) {
		t.Fatalf("inspection with a failing hand-off: %v", err)
	}
	if n := count(t, `SELECT count(*) FROM merchant_inspection WHERE merchant_id = $1`, shop); n != 0 {
		t.Fatalf("%d inspections stored by a failed transaction", n)
	}
	if n := count(t, `SELECT count(*) FROM incident`); n != incidentsBefore {
		t.Fatalf("an incident outlived its rolled-back inspection")
	}
	if got := w.mustInspect(w.asInsp, v); got.RepeatIncidentID == 0 {
		t.Fatal("the resend opened no case")
	}
}

// A category's own rule replaces the default, and only an administrator sets one.
func TestRepeatRulePerCategory(t *testing.T) {
	w := newIWorld(t)
	ctx := context.Background()
	if _, err := w.store.SetRepeatRule(ctx, w.asStreet, merchants.RepeatRule{Category: "sanitation", Violations: 2, WindowDays: 7}); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("a street chief set a rule: %v", err)
	}
	for _, bad := range []merchants.RepeatRule{{Category: "no_such", Violations: 2, WindowDays: 7}, {Category: "sanitation", Violations: 0, WindowDays: 7},
		{Category: "sanitation", Violations: 2, WindowDays: 400}, {Category: "01", Violations: 2, WindowDays: 7}} {
		if _, err := w.store.SetRepeatRule(ctx, w.asAdmin, bad); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("rule %+v: %v, want invalid", bad, err)
		}
	}
	if _, err := w.store.SetRepeatRule(ctx, w.asAdmin, merchants.RepeatRule{Category: "sanitation", Violations: 2, WindowDays: 7}); err != nil {
		t.Fatal(err)
	}
	rules, err := w.store.RepeatRules(ctx, w.asStreet)
	if err != nil || len(rules) < 2 || !rules[0].Default || rules[0].Violations != 3 {
		t.Fatalf("rules %+v %v", rules, err)
	}
	shop := w.shop("赵家菜馆", w.inA(0), w.insp.ID)
	v := visit{shop: shop, p: w.inA(0), accuracy: 5, violation: "sanitation"}
	v.at = time.Now().AddDate(0, 0, -12) // outside the 7-day window of the others
	w.mustInspect(w.asInsp, v)
	v.at = time.Now().AddDate(0, 0, -3)
	if got := w.mustInspect(w.asInsp, v); got.RepeatIncidentID != 0 {
		t.Fatal("a violation outside the category's window counted")
	}
	v.at = time.Now()
	if got := w.mustInspect(w.asInsp, v); got.RepeatIncidentID == 0 {
		t.Fatal("two violations within seven days did not fire the category's rule")
	}
}
