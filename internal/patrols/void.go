package patrols

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/registry"
)

// Void marks a patrol entered by mistake (a phone left recording, a test): it stays on record with
// the reason and counts in no report. Its person may void it, and an administrator or street chief
// whose scope it lies in. The audit log keys rows by number, so the entry names the patrol's UUID
// in its after-image.
func (s *Store) Void(ctx context.Context, who access.Principal, id, reason string) (Patrol, error) {
	id, err := ParseID(id)
	if err != nil {
		return Patrol{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Patrol{}, apperr.New(apperr.Invalid, "say why the patrol is void (reason)").With("field", "reason")
	}
	if err := registry.CheckText("reason", reason, 500); err != nil {
		return Patrol{}, err
	}
	var p Patrol
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		where, args := readScope(who, []any{id})
		var state State
		var person int64
		err := tx.QueryRow(ctx, `SELECT p.state, p.person_id FROM patrol p WHERE p.id = $1 AND `+where+` FOR UPDATE OF p`, args...).Scan(&state, &person)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.New(apperr.NotFound, "patrol %s not found", id)
		}
		if err != nil {
			return err
		}
		own := person == who.PersonID && who.PersonID != 0
		if !own && who.Role != access.Admin && who.Role != access.StreetChief {
			return apperr.New(apperr.Forbidden, "only the patrol's person, an administrator or the street chief may void it")
		}
		if state == Voided {
			return apperr.New(apperr.Conflict, "patrol %s is already void", id)
		}
		if _, err := tx.Exec(ctx, `UPDATE patrol SET state = 'voided', voided_at = $2, voided_by_user_id = NULLIF($3, 0), void_reason = $4
			WHERE id = $1`, id, s.now(), who.UserID, reason); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, who, audit.Void, "patrol", 0, map[string]any{"patrol": id, "state": state},
			map[string]any{"patrol": id, "reason": reason}); err != nil {
			return err
		}
		p, err = s.read(ctx, tx, `WHERE p.id = $1`, id)
		return err
	})
	return p, err
}
