package incidents_test

import (
	"context"
	"testing"
	"time"

	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
)

// TestDemoJointCasesFollowTheRulesOfResolution checks that the demo's joint cases look as the
// service would have left them: every department asked, a resolved case acknowledged by all and acted
// on by its lead, some still pending, fines with a legal basis — and KPIs with figures.
func TestDemoJointCasesFollowTheRulesOfResolution(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	pool := dbtest.Pool(t)
	t.Cleanup(func() { _, _ = pool.Exec(ctx, `DELETE FROM incident WHERE source = 'demo'`) })
	if _, err := pool.Exec(ctx, `UPDATE assignment SET valid = tstzrange(lower(valid) - interval '1 year', upper(valid))
		WHERE person_id = ANY($1)`, []int64{w.manager.ID, w.lane.ID, w.street.ID, w.liais.ID}); err != nil {
		t.Fatal(err)
	}
	w.reload()
	if _, err := incidents.SeedDemoHistory(ctx, pool, w.engine, 3); err != nil {
		t.Fatal(err)
	}
	var unasked, resolvedPending, leadIdle, pending, acked, late, fines, badFines, holders, events int
	if err := pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM incident i, unnest(i.department_ids) d WHERE i.source = 'demo'
				AND NOT EXISTS (SELECT 1 FROM incident_department p WHERE p.incident_id = i.id AND p.department_id = d)),
			(SELECT count(*) FROM incident_department p JOIN incident i ON i.id = p.incident_id
				WHERE i.source = 'demo' AND i.status <> 'joint_enforcement' AND p.acknowledged_at IS NULL),
			(SELECT count(*) FROM incident_department p JOIN incident i ON i.id = p.incident_id
				WHERE i.source = 'demo' AND i.status <> 'joint_enforcement' AND p.lead
				AND NOT EXISTS (SELECT 1 FROM incident_joint_action a WHERE a.participation_id = p.id)),
			(SELECT count(*) FROM incident_department p WHERE p.acknowledged_at IS NULL),
			(SELECT count(*) FROM incident_department p WHERE p.acknowledged_at IS NOT NULL),
			(SELECT count(*) FROM incident_department p WHERE p.acknowledged_at > p.requested_at + interval '24 hours'),
			(SELECT count(*) FROM incident_joint_action WHERE kind = 'fine'),
			(SELECT count(*) FROM incident_joint_action WHERE kind = 'fine' AND legal_basis !~ '^《'),
			(SELECT count(*) FROM incident_department WHERE holder_person_id IS NOT NULL),
			(SELECT count(*) FROM incident_event e JOIN incident_joint_action a ON a.event_id = e.id
				WHERE (e.params->>'action_id')::bigint = a.id AND e.at = a.at)`).
		Scan(&unasked, &resolvedPending, &leadIdle, &pending, &acked, &late, &fines, &badFines, &holders, &events); err != nil {
		t.Fatal(err)
	}
	if unasked != 0 || resolvedPending != 0 || leadIdle != 0 || pending == 0 || acked < 50 || late == 0 || fines == 0 || badFines != 0 || holders == 0 {
		t.Errorf("unasked %d, unacknowledged in a resolved case %d, idle leads of resolved cases %d, pending %d, acknowledged %d, late %d, fines %d (%d without a legal basis), with a holder %d",
			unasked, resolvedPending, leadIdle, pending, acked, late, fines, badFines, holders)
	}
	var actions int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM incident_joint_action`).Scan(&actions); err != nil || events != actions {
		t.Errorf("%d actions, %d with their event naming them (%v)", actions, events, err)
	}
	now := time.Now()
	p, err := incidents.ParsePeriod("", "", now.AddDate(0, 0, -200).In(incidents.Beijing).Format(time.DateOnly),
		now.In(incidents.Beijing).Format(time.DateOnly), now)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := w.svc.JointKPIs(ctx, w.asLeader, incidents.JointByDepartment, p, incidents.KPIFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if tot := rep.Total; tot.Requested != int64(pending+acked) || tot.MedianAckSec == nil || *tot.MedianAckSec <= 0 || tot.Acted == 0 || tot.PendingNow == 0 {
		t.Errorf("demo KPIs %+v", tot)
	}
}
