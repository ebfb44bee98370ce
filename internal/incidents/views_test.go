package incidents_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
)

// open_incident is how other packages learn which incidents are still open; it must say what
// Status.Open says, status by status.
func TestOpenIncidentViewAgreesWithStatusOpen(t *testing.T) {
	ctx := context.Background()
	tx, err := dbtest.Pool(t).Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var category string
	if err := tx.QueryRow(ctx, `SELECT code FROM incident_category ORDER BY code LIMIT 1`).Scan(&category); err != nil {
		t.Fatal(err)
	}
	ids := map[int64]incidents.Status{}
	for _, s := range incidents.Statuses {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO incident (category, status, location)
			VALUES ($1, $2, ST_SetSRID(ST_MakePoint(0, 0), 4326)) RETURNING id`, category, string(s)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids[id] = s
	}
	rows, _ := tx.Query(ctx, `SELECT id FROM open_incident WHERE id = ANY ($1)`, mapKeys(ids))
	open, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	inView := map[int64]bool{}
	for _, id := range open {
		inView[id] = true
	}
	for id, s := range ids {
		if inView[id] != s.Open() {
			t.Errorf("status %s: open_incident has it %v, Status.Open says %v", s, inView[id], s.Open())
		}
	}
}

// A voided assignment is gone from assignment_standing, yet its notification must still find what it
// was over, or the incidents its holder had would stay with someone who was never responsible.
func TestVoidingAnAreaManagerHandsTheirIncidentsOn(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	open := w.report("random_piling", w.inMarket())
	if got := w.get(open.ID); got.AssigneePersonID != w.manager.ID {
		t.Fatalf("reported to %d, not the area manager %d", got.AssigneePersonID, w.manager.ID)
	}
	var id int64
	if err := dbtest.Pool(t).QueryRow(ctx, `SELECT id FROM assignment_standing WHERE area_id = $1 AND role = 'area_manager'`,
		w.park.ID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.VoidAssignment(ctx, system, id, "entered for the wrong market"); err != nil {
		t.Fatal(err)
	}
	w.reload()
	if n, err := w.svc.RerouteOnChange(ctx, fmt.Sprintf("assignment:update:%d", id)); err != nil || n != 1 {
		t.Fatalf("rerouted %d (%v)", n, err)
	}
	if got := w.get(open.ID); got.AssigneePersonID != w.lane.ID {
		t.Fatalf("after the void the incident is with %d, not the lane chief %d", got.AssigneePersonID, w.lane.ID)
	}
}

func mapKeys[K comparable, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
