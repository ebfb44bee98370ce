package incidents_test

import (
	"context"
	"testing"

	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
)

// BenchmarkReportAndWorkIt measures what keeping incident_kpi_case costs a write: a case reported by
// the public, then moved to in progress and resolved by its street chief (three transactions, four
// events, of which one is a KPI event), with the summary's triggers on and then off.
func BenchmarkReportAndWorkIt(b *testing.B) {
	w := newWorld(b)
	ctx := context.Background()
	pool := dbtest.Pool(b)
	work := func(b *testing.B) {
		for b.Loop() {
			id := w.report("sanitation", w.inA()).ID
			for _, to := range []incidents.Status{incidents.InProgress, incidents.Resolved} {
				if _, err := w.svc.Transition(ctx, w.asStreet, id, incidents.TransitionInput{To: to, Note: "done"}); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	triggers := func(set string) {
		for _, tr := range [][2]string{{"incident", "incident_kpi_case_reported"}, {"incident", "incident_kpi_case_moved"},
			{"incident_event", "incident_kpi_case_events"}} {
			if _, err := pool.Exec(ctx, `ALTER TABLE `+tr[0]+` `+set+` TRIGGER `+tr[1]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("summary kept", work)
	// Off only in this package's own copy of the database, and on again for the next run.
	triggers("DISABLE")
	defer triggers("ENABLE")
	b.Run("summary not kept", work)
}
