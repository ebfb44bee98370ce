package incidents

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/notify"
)

// SeedDemoNotices gives the demo city's people the inboxes the platform would have filled had it
// been running: each case routed, dispatched or escalated to someone, or overdue in their hands, and
// each department asked to take part in a joint case, in the last week becomes a notice at the moment it happened (the demo's history is loaded in bulk,
// past the rules in tell). It answers how many it wrote.
func SeedDemoNotices(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	type row struct {
		incident, person int64
		kind             string
		to               *string
		at               time.Time
	}
	n := 0
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// An escalation goes to the subdistrict's street chief at the time (the demo's history keeps
		// the escalating worker on the event).
		rows, err := tx.Query(ctx, `SELECT e.incident_id, COALESCE(chief.person_id, e.assignee_person_id), e.kind, e.to_status, e.at
			FROM incident_event e JOIN incident i ON i.id = e.incident_id
			LEFT JOIN LATERAL (SELECT s.person_id FROM assignment_standing s
				WHERE e.to_status = 'escalated' AND s.admin_unit_id = i.subdistrict_id AND s.role = 'street_chief'
				  AND s.is_primary AND s.valid @> e.at LIMIT 1) chief ON true
			WHERE e.at > now() - interval '7 days'
			  AND (e.kind IN ('reported', 'rerouted', 'escalated', 'overdue') OR e.kind = 'transition' AND e.to_status IN ('assigned', 'escalated'))
			  AND COALESCE(chief.person_id, e.assignee_person_id) IS NOT NULL
			ORDER BY e.at, e.id`)
		if err != nil {
			return err
		}
		events, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var x row
			return x, r.Scan(&x.incident, &x.person, &x.kind, &x.to, &x.at)
		})
		if err != nil {
			return err
		}
		for _, e := range events {
			kind := "case_assigned"
			switch {
			case e.kind == "overdue":
				kind = "case_overdue"
			case e.to != nil && *e.to == string(Escalated):
				kind = "case_escalated"
			}
			params, err := noticeParams(ctx, tx, e.incident)
			if err != nil {
				return err
			}
			if _, err := notify.Enqueue(ctx, tx, notify.Notice{PersonID: e.person, Kind: kind, At: e.at,
				Subject: notify.Subject{Type: "incident", ID: e.incident}, Params: params}); err != nil {
				return err
			}
			n++
			// A case routed in a compound under contract told its property manager too (load partners first).
			if e.kind == "reported" || e.kind == "rerouted" {
				if err := tellCompoundManager(ctx, tx, access.System("demo"), e.incident, e.person, e.at); err != nil {
					return err
				}
			}
		}
		// The departments asked to take part in a joint case were told by its responsible person's inbox.
		rows, err = tx.Query(ctx, `SELECT d.incident_id, d.holder_person_id, d.requested_at, dd.name FROM incident_department d
			JOIN department_directory dd ON dd.id = d.department_id
			WHERE d.holder_person_id IS NOT NULL AND d.requested_at > now() - interval '7 days' ORDER BY d.requested_at, d.id`)
		if err != nil {
			return err
		}
		type asked struct {
			incident, person int64
			at               time.Time
			department       string
		}
		requests, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (asked, error) {
			var a asked
			return a, r.Scan(&a.incident, &a.person, &a.at, &a.department)
		})
		if err != nil {
			return err
		}
		for _, r := range requests {
			params, err := noticeParams(ctx, tx, r.incident)
			if err != nil {
				return err
			}
			params["department"] = r.department
			if _, err := notify.Enqueue(ctx, tx, notify.Notice{PersonID: r.person, Kind: "joint_requested", At: r.at,
				Subject: notify.Subject{Type: "incident", ID: r.incident}, Params: params}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("demo notices: %w", err)
	}
	return n, nil
}
