package patrols

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// Start records the start of a patrol of the caller's own, under the id the device made. The same
// start again answers the patrol as stored (created false); another start under that id is a
// conflict. Named areas must exist and lie in the caller's scope.
func (s *Store) Start(ctx context.Context, who access.Principal, in StartInput) (p Patrol, created bool, err error) {
	if !mayPatrol(who) {
		return p, false, apperr.New(apperr.Forbidden, "your account (%s) records no patrols: it needs a field role and a linked person", who.Role)
	}
	if in.ID == "" || in.StartedAt.IsZero() {
		return p, false, apperr.New(apperr.Invalid, "an unchecked start; decode it with DecodeStart")
	}
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if err := checkAreas(ctx, tx, who, in.AreaIDs); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO patrol (id, person_id, user_id, actor, started_at, requested_area_ids, note, start_sha256)
			VALUES ($1, $2, NULLIF($3, 0), $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
			in.ID, who.PersonID, who.UserID, who.Label(), in.StartedAt, nonNil(in.AreaIDs), in.Note, in.digest[:])
		if err != nil {
			return err
		}
		created = tag.RowsAffected() == 1
		return nil
	})
	if err != nil {
		return p, false, err
	}
	p, err = s.read(ctx, s.db, `WHERE p.id = $1`, in.ID)
	if err != nil {
		return p, false, err
	}
	if !created && (p.PersonID != who.PersonID || string(p.startDigest) != string(in.digest[:])) {
		return Patrol{}, false, apperr.New(apperr.Conflict, "patrol %s was already started with a different body", in.ID).With("field", "id")
	}
	return p, created, nil
}

// checkAreas refuses an area that does not exist or lies outside the caller's scope.
func checkAreas(ctx context.Context, tx pgx.Tx, who access.Principal, ids []int64) error {
	for _, id := range ids {
		var sub, com int64
		err := tx.QueryRow(ctx, `SELECT COALESCE(subdistrict_id, 0), COALESCE(community_id, 0) FROM area_directory WHERE id = $1`, id).Scan(&sub, &com)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !who.Scope.InScope(sub, com)) {
			return apperr.New(apperr.Invalid, "area %d not found in your scope", id).With("field", "area_ids")
		}
		if err != nil {
			return fmt.Errorf("area %d: %w", id, err)
		}
	}
	return nil
}

// nonNil is ids, or an empty list where ids is nil: pgx sends a nil slice as NULL.
func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// locked is what a change to a patrol reads of it under its row lock.
type locked struct {
	state     State
	person    int64
	started   time.Time
	requested []int64
	fixes     int
}

// lockOwn locks a recording-or-later patrol of the caller's own for a change and reads what the
// change needs of it in the same round trip. Another person's patrol is not found among the
// caller's, whatever they may read.
func lockOwn(ctx context.Context, tx pgx.Tx, who access.Principal, id string) (locked, error) {
	var l locked
	err := tx.QueryRow(ctx, `SELECT state, person_id, started_at, requested_area_ids, fixes FROM patrol WHERE id = $1 FOR UPDATE`, id).
		Scan(&l.state, &l.person, &l.started, &l.requested, &l.fixes)
	if errors.Is(err, pgx.ErrNoRows) {
		return l, apperr.New(apperr.NotFound, "patrol %s not found", id)
	}
	if err != nil {
		return l, err
	}
	if l.person != who.PersonID || who.PersonID == 0 {
		return l, apperr.New(apperr.NotFound, "patrol %s not found among your patrols", id)
	}
	return l, nil
}
