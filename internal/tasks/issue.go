package tasks

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/database"
)

// Issue stores a task with a part for each subdistrict it goes to, its targets and photos, and tells
// each subdistrict's street chief, in one transaction. A deadline in the past, an unknown
// subdistrict or area, or a target outside the subdistricts is refused and nothing is written.
func (s *Service) Issue(ctx context.Context, who access.Principal, in Issue) (Task, error) {
	if !mayIssue(who) {
		return Task{}, apperr.New(apperr.Forbidden, "only a district leader or an administrator issues tasks")
	}
	now := s.now()
	if !in.Deadline.After(now) {
		return Task{}, invalid("deadline", "the deadline %s has passed", in.Deadline.In(beijing).Format("2006-01-02 15:04"))
	}
	var id int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		subs, err := s.checkTargets(ctx, tx, &in)
		if err != nil {
			return err
		}
		shas, err := s.storePhotos(ctx, tx, in.Photos)
		if err != nil {
			return err
		}
		var area any
		if in.TargetArea != nil {
			area = wkbOf(in.TargetArea)
		}
		if err := tx.QueryRow(ctx, `INSERT INTO task (issuer_level, issuing_office, title, body, done_when, deadline, target_area,
			photo_sha256, issued_by, issuer_person_id, issued_at)
			VALUES ($1, $2, $3, $4, $5, $6, ST_Multi(ST_GeomFromWKB($7, 4326)), $8, $9, NULLIF($10, 0), $11) RETURNING id`,
			string(in.IssuerLevel), in.IssuingOffice, in.Title, in.Body, in.DoneWhen, in.Deadline, area, shas,
			who.Label(), who.PersonID, now).Scan(&id); err != nil {
			return fmt.Errorf("insert task: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO task_part (task_id, subdistrict_id) SELECT $1, unnest($2::bigint[])`, id, subs); err != nil {
			return fmt.Errorf("insert parts: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO task_area (task_id, area_id) SELECT $1, unnest($2::bigint[])`, id, in.AreaIDs); err != nil {
			return fmt.Errorf("insert areas: %w", err)
		}
		for k, p := range in.Points {
			if _, err := tx.Exec(ctx, `INSERT INTO task_point (task_id, n, label, location) VALUES ($1, $2, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326))`,
				id, k+1, p.Label, p.Lon, p.Lat); err != nil {
				return fmt.Errorf("insert point: %w", err)
			}
		}
		after := map[string]any{"issuer_level": in.IssuerLevel, "issuing_office": in.IssuingOffice, "title": in.Title,
			"deadline": in.Deadline, "subdistrict_ids": subs, "area_ids": in.AreaIDs, "points": len(in.Points),
			"target_area": in.TargetArea != nil, "photos": len(in.Photos)}
		if err := audit.Record(ctx, tx, who, audit.Create, "task", id, nil, after); err != nil {
			return err
		}
		return s.tellIssued(ctx, tx, who, id, subs)
	})
	if err != nil {
		return Task{}, err
	}
	return s.Get(ctx, who, id)
}

// checkTargets resolves the subdistricts (every one, for all_subdistricts) and holds areas, points
// and the drawn target to them. It answers the subdistricts' ids.
func (s *Service) checkTargets(ctx context.Context, tx database.Querier, in *Issue) ([]int64, error) {
	subs := in.SubdistrictIDs
	if in.AllSubdistricts {
		rows, err := tx.Query(ctx, `SELECT id FROM unit_directory WHERE level = 'subdistrict' ORDER BY id`)
		if err != nil {
			return nil, fmt.Errorf("subdistricts: %w", err)
		}
		if subs, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return nil, fmt.Errorf("subdistricts: %w", err)
		}
		if len(subs) == 0 {
			return nil, invalid("all_subdistricts", "the registry holds no subdistrict")
		}
	}
	if err := known(ctx, tx, "subdistrict_ids", "unknown subdistrict", `SELECT id FROM unit_directory WHERE id = ANY($1) AND level = 'subdistrict'`, subs); err != nil {
		return nil, err
	}
	if err := known(ctx, tx, "area_ids", "unknown area, or one outside the task's subdistricts",
		`SELECT id FROM area_directory WHERE id = ANY($1) AND subdistrict_id = ANY($2)`, in.AreaIDs, subs); err != nil {
		return nil, err
	}
	for k, p := range in.Points {
		var inside bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM unit_directory WHERE id = ANY($1) AND ST_Intersects(boundary, ST_SetSRID(ST_MakePoint($2, $3), 4326)))`,
			subs, p.Lon, p.Lat).Scan(&inside); err != nil {
			return nil, fmt.Errorf("point %d: %w", k+1, err)
		}
		if !inside {
			return nil, invalid("points", "point %d (%s) lies outside the task's subdistricts", k+1, p.Label)
		}
	}
	if in.TargetArea != nil {
		var reason string
		var meets bool
		if err := tx.QueryRow(ctx, `SELECT ST_IsValidReason(g), ST_IsValid(g) AND EXISTS (SELECT 1 FROM unit_directory
			WHERE id = ANY($2) AND ST_Intersects(boundary, g)) FROM ST_GeomFromWKB($1, 4326) AS g`, wkbOf(in.TargetArea), subs).Scan(&reason, &meets); err != nil {
			return nil, fmt.Errorf("validate target_area: %w", err)
		}
		if reason != "Valid Geometry" {
			return nil, invalid("target_area", "target_area is not valid: %s", reason)
		}
		if !meets {
			return nil, invalid("target_area", "the drawn target lies wholly outside the task's subdistricts")
		}
	}
	return subs, nil
}

// ChangeDeadline moves a task's deadline, as a revision with its reason. The new deadline is to come
// and no earlier than any item's, since items are never edited.
func (s *Service) ChangeDeadline(ctx context.Context, who access.Principal, id int64, deadline time.Time, reason string) (Task, error) {
	if !mayIssue(who) {
		return Task{}, apperr.New(apperr.Forbidden, "only a district leader or an administrator changes a task's deadline")
	}
	if err := checkYear("deadline", deadline); err != nil {
		return Task{}, err
	}
	reason, err := CheckReason(reason)
	if err != nil {
		return Task{}, err
	}
	if !deadline.After(s.now()) {
		return Task{}, invalid("deadline", "the deadline %s has passed", deadline.In(beijing).Format("2006-01-02 15:04"))
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		old, err := lockOpen(ctx, tx, id)
		if err != nil {
			return err
		}
		var latest *time.Time
		if err := tx.QueryRow(ctx, `SELECT max(deadline) FROM task_item WHERE task_id = $1`, id).Scan(&latest); err != nil {
			return fmt.Errorf("items' deadlines: %w", err)
		}
		if latest != nil && deadline.Before(*latest) {
			return invalid("deadline", "an item is due %s, after the new deadline", latest.In(beijing).Format("2006-01-02 15:04"))
		}
		var rev int64
		if err := tx.QueryRow(ctx, `INSERT INTO task_revision (task_id, kind, deadline, reason, revised_by, revised_at)
			VALUES ($1, 'deadline', $2, $3, $4, $5) RETURNING id`, id, deadline, reason, who.Label(), s.now()).Scan(&rev); err != nil {
			return fmt.Errorf("insert revision: %w", err)
		}
		return audit.Record(ctx, tx, who, audit.Update, "task", id, map[string]any{"deadline": old},
			map[string]any{"deadline": deadline, "reason": reason, "revision_id": rev})
	})
	if err != nil {
		return Task{}, err
	}
	return s.Get(ctx, who, id)
}

// Cancel cancels a task with its reason; it stays listed as cancelled, its items as they were.
func (s *Service) Cancel(ctx context.Context, who access.Principal, id int64, reason string) (Task, error) {
	if !mayIssue(who) {
		return Task{}, apperr.New(apperr.Forbidden, "only a district leader or an administrator cancels a task")
	}
	reason, err := CheckReason(reason)
	if err != nil {
		return Task{}, err
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := lockOpen(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO task_revision (task_id, kind, reason, revised_by, revised_at) VALUES ($1, 'cancel', $2, $3, $4)`,
			id, reason, who.Label(), s.now()); err != nil {
			return fmt.Errorf("insert cancellation: %w", err)
		}
		return audit.Record(ctx, tx, who, audit.End, "task", id, nil, map[string]any{"cancelled": true, "reason": reason})
	})
	if err != nil {
		return Task{}, err
	}
	return s.Get(ctx, who, id)
}

// lockOpen locks task id, refusing a cancelled one, and answers its current deadline.
func lockOpen(ctx context.Context, tx pgx.Tx, id int64) (time.Time, error) {
	var deadline time.Time
	var cancelled bool
	err := tx.QueryRow(ctx, `SELECT `+deadlineSQL+`, `+cancelledSQL+` FROM task t WHERE t.id = $1 FOR UPDATE`, id).Scan(&deadline, &cancelled)
	if err == pgx.ErrNoRows {
		return deadline, apperr.New(apperr.NotFound, "task %d not found", id)
	}
	if err != nil {
		return deadline, fmt.Errorf("lock task %d: %w", id, err)
	}
	if cancelled {
		return deadline, apperr.New(apperr.Conflict, "task %d is cancelled", id)
	}
	return deadline, nil
}

// known answers an Invalid error naming the ids of want that query (ids = ANY($1)) does not answer.
func known(ctx context.Context, db database.Querier, field, what, query string, want []int64, args ...any) error {
	if len(want) == 0 {
		return nil
	}
	rows, err := db.Query(ctx, query, append([]any{want}, args...)...)
	if err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	var miss []string
	for _, id := range want {
		if !slices.Contains(got, id) {
			miss = append(miss, fmt.Sprint(id))
		}
	}
	if len(miss) == 0 {
		return nil
	}
	if len(miss) > 10 {
		miss = append(miss[:10], "…")
	}
	return apperr.New(apperr.Invalid, "%s: %s", what, strings.Join(miss, ", ")).With("field", field)
}

func wkbOf(g orb.Geometry) []byte {
	b, err := wkb.Marshal(g)
	if err != nil {
		// Only unsupported geometry types fail; the target is a MultiPolygon.
		panic(fmt.Sprintf("wkb marshal: %v", err))
	}
	return b
}
