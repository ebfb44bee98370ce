package patrols

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/fieldproof"
)

// FixesStored is the answer to a batch of fixes.
type FixesStored struct {
	Stored int `json:"stored"` // new fixes of this batch
	Fixes  int `json:"fixes"`  // the patrol's fixes in all
}

// AddFixes appends a batch of fixes (checked by DecodeFixes) to a recording patrol of the caller's
// own. A device that lost the answer sends the batch again: fixes already stored with the same
// content are skipped, one with the same seq and other content is a conflict, and so is a new fix
// numbered before the last stored or timed before the patrol's start or the last stored fix. Nothing
// of a refused batch is stored; an ended or voided patrol takes no more fixes.
func (s *Store) AddFixes(ctx context.Context, who access.Principal, id string, fixes []Fix) (FixesStored, error) {
	var out FixesStored
	id, err := ParseID(id)
	if err != nil {
		return out, err
	}
	if !mayPatrol(who) {
		return out, apperr.New(apperr.Forbidden, "your account (%s) records no patrols", who.Role)
	}
	if len(fixes) == 0 || len(fixes) > MaxFixesPerCall {
		return out, apperr.New(apperr.Invalid, "send 1 to %d fixes, decoded by DecodeFixes", MaxFixesPerCall).With("field", "fixes")
	}
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		l, err := lockOwn(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if l.state != Recording {
			return apperr.New(apperr.Conflict, "patrol %s is %s: it takes no more fixes", id, l.state)
		}
		started, count := l.started, l.fixes
		var last int
		var lastAt *time.Time
		if err := tx.QueryRow(ctx, `SELECT COALESCE(max(seq), -1), max(at) FROM patrol_fix WHERE patrol_id = $1`, id).Scan(&last, &lastAt); err != nil {
			return err
		}
		fresh, err := s.compareResent(ctx, tx, id, fixes, last)
		if err != nil {
			return err
		}
		if len(fresh) == 0 {
			out = FixesStored{Stored: 0, Fixes: count}
			return nil
		}
		if count+len(fresh) > MaxFixesPerPatrol {
			return apperr.New(apperr.TooLarge, "a patrol holds at most %d fixes", MaxFixesPerPatrol).With("field", "fixes")
		}
		if fresh[0].At.Before(started) {
			return apperr.New(apperr.Invalid, "fix seq %d at %s is before the patrol's start", fresh[0].Seq, fresh[0].At.Format(time.RFC3339)).With("field", "fixes")
		}
		if lastAt != nil && fresh[0].At.Before(*lastAt) {
			return apperr.New(apperr.Conflict, "fix seq %d at %s is before the last stored fix's time", fresh[0].Seq, fresh[0].At.Format(time.RFC3339)).With("field", "fixes")
		}
		n := len(fresh)
		seqs, lons, lats, accs, ats, keys := make([]int32, n), make([]float64, n), make([]float64, n), make([]float32, n), make([]time.Time, n), make([]int64, n)
		for i, f := range fresh {
			seqs[i], lons[i], lats[i], accs[i], ats[i] = int32(f.Seq), f.Lon, f.Lat, float32(f.AccuracyM), f.At
			keys[i] = fieldproof.FixKey(f.Lon, f.Lat)
		}
		// The fixes and the patrol's count of them in one statement: a round trip less per batch.
		if _, err := tx.Exec(ctx, `WITH stored AS (INSERT INTO patrol_fix (patrol_id, seq, position, accuracy_m, at, key)
				SELECT $1, s, ST_SetSRID(ST_MakePoint(x, y), 4326), a, t, k
				FROM unnest($2::int[], $3::float8[], $4::float8[], $5::real[], $6::timestamptz[], $7::bigint[]) AS u(s, x, y, a, t, k))
			UPDATE patrol SET fixes = fixes + $8 WHERE id = $1`,
			id, seqs, lons, lats, accs, ats, keys, n); err != nil {
			return fmt.Errorf("store fixes: %w", err)
		}
		out = FixesStored{Stored: n, Fixes: count + n}
		return nil
	})
	return out, err
}

// compareResent checks the fixes numbered at or before the last stored one against what is stored
// and answers the rest, the new ones. Their content is compared as the columns hold it (accuracy a
// real), so a resend of exactly what was sent matches.
func (s *Store) compareResent(ctx context.Context, tx pgx.Tx, id string, fixes []Fix, last int) ([]Fix, error) {
	k := 0
	for k < len(fixes) && fixes[k].Seq <= last {
		k++
	}
	if k == 0 {
		return fixes, nil
	}
	seqs := make([]int32, k)
	for i := range k {
		seqs[i] = int32(fixes[i].Seq)
	}
	rows, err := tx.Query(ctx, `SELECT seq, ST_X(position), ST_Y(position), accuracy_m, at FROM patrol_fix
		WHERE patrol_id = $1 AND seq = ANY ($2::int[])`, id, seqs)
	if err != nil {
		return nil, err
	}
	stored := map[int]Fix{}
	for rows.Next() {
		var f Fix
		var acc float32
		if err := rows.Scan(&f.Seq, &f.Lon, &f.Lat, &acc, &f.At); err != nil {
			rows.Close()
			return nil, err
		}
		f.AccuracyM = float64(acc)
		stored[f.Seq] = f
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, f := range fixes[:k] {
		was, ok := stored[f.Seq]
		switch {
		case !ok:
			return nil, apperr.New(apperr.Conflict, "fix seq %d comes before the last stored seq %d: send fixes in order", f.Seq, last).
				With("field", "fixes")
		case was.Lon != f.Lon || was.Lat != f.Lat || float32(was.AccuracyM) != float32(f.AccuracyM) || !was.At.Equal(f.At):
			return nil, apperr.New(apperr.Conflict, "fix seq %d was already stored with other content", f.Seq).With("field", "fixes")
		}
	}
	return fixes[k:], nil
}
