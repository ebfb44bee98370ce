package incidents

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
)

// escalationBatch is how many overdue incidents one transaction takes; a replica holds their locks
// only that long, and the others skip them meanwhile.
const escalationBatch = 200

var escalator = access.System("escalator")

// EscalateOverdue takes the open incidents whose due time has passed, marks them overdue and hands each
// one level up — area manager → lane chief → street chief — with a new due time and an event. Where
// there is nobody higher (or the post is vacant) the incident stays overdue with no due time left for
// the job. Rows are taken with FOR UPDATE SKIP LOCKED, so several replicas may run the job at once and
// none escalates an incident twice. It returns how many incidents it changed.
func (s *Service) EscalateOverdue(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for {
		n, err := s.escalateBatch(ctx, now)
		total += n
		if err != nil || n < escalationBatch {
			return total, err
		}
	}
}

type overdueRow struct {
	id       int64
	category string
	status   Status
	level    int
	assignee int64
	lon, lat float64
	overdue  bool
}

func (s *Service) escalateBatch(ctx context.Context, now time.Time) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, category, status, escalation_level, COALESCE(assignee_person_id, 0),
				ST_X(location), ST_Y(location), overdue
			FROM incident
			WHERE due_at <= $1 AND status IN `+openStatusesSQL+`
			ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`, now, escalationBatch)
		if err != nil {
			return err
		}
		var due []overdueRow
		var r overdueRow
		if _, err := pgx.ForEachRow(rows, []any{&r.id, &r.category, &r.status, &r.level, &r.assignee, &r.lon, &r.lat, &r.overdue},
			func() error { due = append(due, r); return nil }); err != nil {
			return err
		}
		cats := map[string]Category{}
		for _, r := range due {
			cat, ok := cats[r.category]
			if !ok {
				if cat, err = category(ctx, tx, r.category); err != nil {
					return err
				}
				cats[r.category] = cat
			}
			if err := s.escalateOne(ctx, tx, r, cat, now); err != nil {
				return fmt.Errorf("escalate incident %d: %w", r.id, err)
			}
			n++
		}
		return nil
	})
	return n, err
}

func (s *Service) escalateOne(ctx context.Context, tx pgx.Tx, r overdueRow, cat Category, now time.Time) error {
	var rt routing
	moved := false
	if r.level < LevelStreetChief {
		ans, err := s.matcher.Lookup(ctx, orb.Point{r.lon, r.lat}, now)
		if err != nil {
			return err
		}
		next := r.level + 1
		if cat.Escalation == ToStreetChief {
			next = LevelStreetChief
		}
		rt = routeAnswer(ans, next)
		moved = rt.assignee != nil && rt.level > r.level
	}
	if !moved {
		if _, err := tx.Exec(ctx, `UPDATE incident SET overdue = true, due_at = NULL, updated_at = $2 WHERE id = $1`, r.id, now); err != nil {
			return err
		}
		_, err := addEvent(ctx, tx, escalator, event{incident: r.id, at: now, kind: "overdue", assignee: r.assignee,
			params: map[string]any{"cause": "nobody_higher"}})
		return err
	}
	status := r.status
	if rt.level == LevelStreetChief && status != JointEnforcement {
		status = Escalated // handed to the street chief
	}
	dueAt := cat.Due(status, now)
	if _, err := tx.Exec(ctx, `UPDATE incident SET overdue = true, status = $2, escalation_level = $3, assignee_person_id = $4,
			queue = $5, due_at = $6, updated_at = $7 WHERE id = $1`,
		r.id, status, rt.level, rt.assignee.PersonID, rt.queue, dueAt, now); err != nil {
		return err
	}
	_, err := addEvent(ctx, tx, escalator, event{incident: r.id, at: now, kind: "escalated", from: r.status, to: status,
		assignee: rt.assignee.PersonID, params: merge(escalator, routingParams(rt), map[string]any{"cause": "overdue"})})
	return err
}

// IdempotencyWindow is how long a report's idempotency key is remembered: long enough for a phone
// that lost its network in the field to retry days later, short enough that the table stays small.
const IdempotencyWindow = 7 * 24 * time.Hour

// ForgetIdempotencyKeys deletes the keys older than IdempotencyWindow at now and says how many.
func (s *Service) ForgetIdempotencyKeys(ctx context.Context, now time.Time) (int64, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM incident_idempotency WHERE created_at < $1`, now.Add(-IdempotencyWindow))
	if err != nil {
		return 0, translate(err, "forgetting idempotency keys")
	}
	return tag.RowsAffected(), nil
}

// RunEscalator runs EscalateOverdue every interval until ctx ends, and forgets expired idempotency keys. Failures (a database restart) are
// logged and retried at the next tick.
func (s *Service) RunEscalator(ctx context.Context, interval time.Duration, logger *slog.Logger) {
	if logger == nil {
		logger = slog.Default()
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := s.EscalateOverdue(ctx, s.now())
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Warn("escalating overdue incidents", "err", err)
		case n > 0:
			logger.Info("escalated overdue incidents", "count", n)
		}
		if _, err := s.ForgetIdempotencyKeys(ctx, s.now()); err != nil && ctx.Err() == nil {
			logger.Warn("forgetting old idempotency keys", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
