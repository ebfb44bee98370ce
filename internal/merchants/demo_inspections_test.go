package merchants_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"streetchief/internal/incidents"
	"streetchief/internal/merchants"
)

// The demo's inspections over whatever shops exist (the other tests' shops too: the package has one
// database): one community stopped ten days ago, a few
// per cent off-site and with violations, and exactly two repeat offenders with the street chief.
func TestSeedDemoInspections(t *testing.T) {
	w := newIWorld(t)
	ctx := context.Background()
	for i := range 30 {
		w.shop(fmt.Sprintf("甲%02d", i), w.inA(float64(i)*0.0001), w.insp.ID)
	}
	for i := range 20 {
		inspector := w.insp2.ID
		if i%5 == 0 {
			inspector = 0 // nobody checks these: a gap the coverage shows
		}
		w.shop(fmt.Sprintf("乙%02d", i), w.inB(float64(i)*0.0001), inspector)
	}
	now := time.Now()
	start := time.Now()
	sum, err := merchants.SeedDemoInspections(ctx, w.store, 1, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v in %s", sum, time.Since(start))
	if sum.StoppedCommunity != w.comA.ID {
		t.Fatalf("stopped community %d, want A %d (the most shops)", sum.StoppedCommunity, w.comA.ID)
	}
	since := now.AddDate(0, 0, -10).In(incidents.Beijing).Format(time.DateOnly)
	if n := count(t, `SELECT count(*) FROM merchant_inspection i JOIN merchant m ON m.id = i.merchant_id
		WHERE m.community_id = $1 AND i.visit_day > $2::date`, w.comA.ID, since); n != 0 {
		t.Fatalf("the community that stopped has %d inspections in the last 10 days", n)
	}
	total := count(t, `SELECT count(*) FROM merchant_inspection`)
	off := count(t, `SELECT count(*) FROM merchant_inspection WHERE off_site`)
	bad := count(t, `SELECT count(*) FROM merchant_inspection WHERE violations > 0`)
	if total < 500 || float64(off)/float64(total) < 0.01 || float64(off)/float64(total) > 0.06 ||
		float64(bad)/float64(total) < 0.02 || float64(bad)/float64(total) > 0.09 {
		t.Fatalf("%d inspections, %d off-site, %d with violations", total, off, bad)
	}
	if len(sum.RepeatIncidents) != 2 || sum.RepeatIncidents[0] == 0 || sum.RepeatIncidents[1] == 0 || sum.RepeatIncidents[0] == sum.RepeatIncidents[1] {
		t.Fatalf("repeat incidents %v, want two", sum.RepeatIncidents)
	}
	for _, id := range sum.RepeatIncidents {
		in, err := w.inc.Incident(ctx, w.asAdmin, id)
		if err != nil || in.Status != incidents.Escalated || in.EscalationLevel != incidents.LevelStreetChief || in.AssigneePersonID == 0 {
			t.Fatalf("repeat incident %d: %v %+v", id, err, in)
		}
	}
	if n := count(t, `SELECT count(DISTINCT incident_id) FROM merchant_repeat_offender WHERE open`); n != 2 {
		t.Fatalf("%d open repeat-offender cases, want 2: the plan made one the rule did not see", n)
	}
}
