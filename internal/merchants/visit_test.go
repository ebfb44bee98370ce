package merchants_test

import (
	"context"
	"testing"
	"time"

	"streetchief/internal/incidents"
	"streetchief/internal/merchants"
)

// Two inspections of one shop by one person on one Beijing day are one visit with two records; the
// day turns at midnight in Beijing, not in UTC; another person's inspection is their own visit.
func TestSameDayInspectionsAreOneVisit(t *testing.T) {
	w := newIWorld(t)
	ctx := context.Background()
	shop := w.shop("早餐店", w.inA(0), w.insp.ID)
	w.assignInspector(w.shop("晚餐店", w.inA(0.0004), 0), w.insp.ID)
	y := time.Now().In(incidents.Beijing).AddDate(0, 0, -2)
	day := func(h, m int) time.Time {
		return time.Date(y.Year(), y.Month(), y.Day(), h, m, 0, 0, incidents.Beijing)
	}
	v := visit{shop: shop, p: w.inA(0), accuracy: 5}
	for _, at := range []time.Time{day(9, 0), day(23, 30), day(24, 30)} { // 23:30 and 00:30 are both 15:30 and 16:30 UTC of one UTC day
		v.at = at
		w.mustInspect(w.asInsp, v)
	}
	v.at = day(10, 0)
	w.mustInspect(w.asLane, v)
	visits, err := w.store.Visits(ctx, w.asStreet, merchants.VisitFilter{MerchantID: shop, From: day(0, 0).Format(time.DateOnly), To: day(24, 0).Format(time.DateOnly)})
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		person int64
		day    string
	}
	got := map[key]int{}
	for _, vis := range visits {
		got[key{vis.InspectorPersonID, vis.Day}] = len(vis.Records)
	}
	d, next := day(0, 0).Format(time.DateOnly), day(24, 0).Format(time.DateOnly)
	want := map[key]int{{w.insp.ID, d}: 2, {w.insp.ID, next}: 1, {w.lane.ID, d}: 1}
	if len(got) != len(want) {
		t.Fatalf("visits %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Fatalf("visits %v, want %v", got, want)
		}
	}
	// The inspector lists only their shops; a lane chief of another community none.
	if vs, err := w.store.Visits(ctx, w.asInsp2, merchants.VisitFilter{From: d, To: next}); err != nil || len(vs) != 0 {
		t.Fatalf("another inspector listed %d visits (%v)", len(vs), err)
	}
	if _, err := w.store.Visits(ctx, w.asStreet, merchants.VisitFilter{From: next, To: d}); err == nil {
		t.Fatal("from after to was taken")
	}
}
