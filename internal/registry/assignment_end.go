package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// The register's dates. Nobody held a post in it before the People's Republic was founded, so an
// earlier date is a typing error (year 0000, 0202) rather than history; a start more than
// maxStartAhead away, or an end more than maxEndAhead away, is one too (year 9999).
var earliestDate = time.Date(1949, 10, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))

const (
	maxStartAhead = 5   // years
	maxEndAhead   = 30  // years
	maxVoidReason = 500 // characters
)

func checkDate(name string, t, now time.Time, yearsAhead int) error {
	if t.Before(earliestDate) {
		return apperr.New(apperr.Invalid, "%s %s is before %s, the earliest date the register accepts",
			name, t.Format(time.RFC3339), earliestDate.Format(time.DateOnly))
	}
	if latest := now.AddDate(yearsAhead, 0, 0); t.After(latest) {
		return apperr.New(apperr.Invalid, "%s %s is more than %d years ahead", name, t.Format(time.RFC3339), yearsAhead)
	}
	return nil
}

// truncated rounds a moment the way the database stores it (microseconds), so comparisons made here
// agree with the ranges stored there.
func truncated(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.Truncate(time.Microsecond)
	return &v
}

// postLockClass keeps the post locks apart from every other advisory lock (those take one bigint key).
const postLockClass = 0x5354_504f // "STPO"

// lockPost serialises the changes to one post — a role over a target, for one department — until the
// transaction ends. It is taken before the current holder is read, so concurrent handovers queue for
// the post instead of each locking the holder's row and then waiting on the other's new row in the
// exclusion constraint, which PostgreSQL can only break as a deadlock.
func lockPost(ctx context.Context, tx pgx.Tx, areaID, unitID int64, role PostRole, departmentID int64, level Level) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1::int, hashtext(format('%s/%s/%s/%s/%s', $2::bigint, $3::bigint, $4::text, $5::bigint, $6::text)))`,
		postLockClass, areaID, unitID, role, departmentID, level)
	if err != nil {
		return fmt.Errorf("lock post: %w", err)
	}
	return nil
}

// postTxAttempts bounds how often a change of a post runs again after PostgreSQL aborted it to break a
// deadlock or a serialisation failure (which the post lock makes rare, not impossible: a change of an
// area's geometry, say, may lock in another order).
const postTxAttempts = 3

// inPostTx runs fn in a transaction, again when PostgreSQL aborted it as a deadlock or serialisation
// victim; the caller then gets a conflict to retry, never an internal error.
func (s *Store) inPostTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.inTx(ctx, fn)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || (pgErr.Code != "40P01" && pgErr.Code != "40001") {
			return err
		}
		if attempt == postTxAttempts || ctx.Err() != nil {
			return &apperr.Error{Code: apperr.Conflict, Err: err,
				Message: "the post was being changed by someone else at the same moment; try again"}
		}
		time.Sleep(time.Duration(attempt) * 10 * time.Millisecond)
	}
}

// relieve ends the current holder's primary post at the moment the new holder takes it over.
func relieve(ctx context.Context, tx pgx.Tx, who access.Principal, in AssignmentInput, at time.Time) error {
	rows, err := tx.Query(ctx, `SELECT id, lower(valid) FROM assignment
		WHERE COALESCE(area_id, 0) = $1 AND COALESCE(admin_unit_id, 0) = $2 AND role = $3
		  AND COALESCE(department_id, 0) = $4 AND COALESCE(level, '') = $6 AND is_primary AND voided_at IS NULL
		  AND valid @> $5::timestamptz
		FOR UPDATE`,
		in.AreaID, in.AdminUnitID, in.Role, in.DepartmentID, at, in.Level)
	if err != nil {
		return fmt.Errorf("handover: %w", err)
	}
	type holder struct {
		ID   int64
		From time.Time
	}
	held, err := pgx.CollectRows(rows, pgx.RowToStructByPos[holder])
	if err != nil {
		return fmt.Errorf("handover: %w", err)
	}
	for _, h := range held {
		if !at.After(h.From) {
			return apperr.New(apperr.Conflict, "the current holder's assignment %d starts at %s, the moment of the handover: "+
				"relieving them then would erase their record; give a later from, or, if it was entered by mistake, "+
				"have an administrator void it", h.ID, h.From.Format(time.RFC3339))
		}
		if err := endAssignment(ctx, tx, who, h.ID, at); err != nil {
			return err
		}
	}
	return nil
}

// EndAssignment relieves a person of a post at the given moment (now when nil). The moment must come
// after the assignment began: ending it sooner would erase it, and history is never erased. An
// assignment entered by mistake, a future appointment included, is voided instead (VoidAssignment).
func (s *Store) EndAssignment(ctx context.Context, who access.Principal, id int64, at *time.Time) (Assignment, error) {
	if at != nil {
		if err := checkDate("until", *at, time.Now(), maxEndAhead); err != nil {
			return Assignment{}, err
		}
	}
	var out Assignment
	err := s.inPostTx(ctx, func(tx pgx.Tx) error {
		before, err := lockAssignment(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if err := mayAppoint(who, before.Role); err != nil {
			return err
		}
		when := time.Now().Truncate(time.Microsecond)
		if at != nil {
			when = at.Truncate(time.Microsecond)
		}
		if err := endAssignment(ctx, tx, who, id, when); err != nil {
			return err
		}
		out, err = getAssignment(ctx, tx, access.System(""), id, "")
		return err
	})
	return out, err
}

// lockAssignment takes the lock of the assignment's post, then its row, in the order every change of a
// post takes them, and returns it as the caller may see it.
func lockAssignment(ctx context.Context, tx pgx.Tx, who access.Principal, id int64) (Assignment, error) {
	a, err := getAssignment(ctx, tx, who, id, "")
	if err != nil {
		return a, err
	}
	if err := lockPost(ctx, tx, a.AreaID, a.AdminUnitID, a.Role, a.DepartmentID, a.Level); err != nil {
		return a, err
	}
	return getAssignment(ctx, tx, who, id, "FOR UPDATE OF s")
}

func endAssignment(ctx context.Context, tx pgx.Tx, who access.Principal, id int64, at time.Time) error {
	before, err := getAssignment(ctx, tx, access.System(""), id, "")
	if err != nil {
		return err
	}
	if before.Voided != nil {
		return apperr.New(apperr.Conflict, "assignment %d was voided on %s: it never held the post, so it cannot end",
			id, before.Voided.At.Format(time.RFC3339))
	}
	if before.Until != nil && !before.Until.After(at) {
		return apperr.New(apperr.Conflict, "assignment %d already ended at %s", id, before.Until.Format(time.RFC3339))
	}
	if !at.After(before.From) {
		return apperr.New(apperr.Invalid, "assignment %d starts at %s: ending it at %s would erase it, and history is kept; "+
			"if it was entered by mistake (or the appointment is withdrawn before it begins), an administrator can void it with a reason",
			id, before.From.Format(time.RFC3339), at.Format(time.RFC3339))
	}
	if _, err := tx.Exec(ctx, `UPDATE assignment SET valid = tstzrange(lower(valid), $2, '[)') WHERE id = $1`, id, at); err != nil {
		return translate(err, "assignment")
	}
	after := before
	after.Until = &at
	return audit.Record(ctx, tx, who, audit.End, "assignment", id, before, after)
}

// VoidAssignment declares an assignment entered by mistake. Only administrators may, and only with a
// reason. The row stays, marked, with the reason in the audit log; from then on it answers for
// nothing: not the post, not the scope its holder had, not a gap it filled.
func (s *Store) VoidAssignment(ctx context.Context, who access.Principal, id int64, reason string) (Assignment, error) {
	if who.Role != access.Admin {
		return Assignment{}, apperr.New(apperr.Forbidden, "only an administrator may void an assignment")
	}
	reason, err := checkVoidReason(reason)
	if err != nil {
		return Assignment{}, err
	}
	var out Assignment
	err = s.inPostTx(ctx, func(tx pgx.Tx) error {
		before, err := lockAssignment(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if before.Voided != nil {
			return apperr.New(apperr.Conflict, "assignment %d was already voided on %s", id, before.Voided.At.Format(time.RFC3339))
		}
		if _, err := tx.Exec(ctx, `UPDATE assignment SET voided_at = now(), voided_by = $2, void_reason = $3 WHERE id = $1`,
			id, who.Label(), reason); err != nil {
			return translate(err, "assignment")
		}
		if out, err = getAssignment(ctx, tx, access.System(""), id, ""); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Void, "assignment", id, before, out)
	})
	return out, err
}

func checkVoidReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return "", apperr.New(apperr.Invalid, "a reason is required to void an assignment")
	case !utf8.ValidString(reason):
		return "", apperr.New(apperr.Invalid, "the reason is not valid UTF-8")
	case utf8.RuneCountInString(reason) > maxVoidReason:
		return "", apperr.New(apperr.Invalid, "the reason is longer than %d characters", maxVoidReason)
	case strings.ContainsFunc(reason, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		return "", apperr.New(apperr.Invalid, "the reason contains control characters")
	}
	return reason, nil
}
