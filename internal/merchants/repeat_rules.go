package merchants

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// RepeatRules lists the categories whose rule differs from the default, and the default itself
// (category "").
func (s *Store) RepeatRules(ctx context.Context, who access.Principal) ([]RepeatRule, error) {
	if !who.SignedIn() {
		return nil, apperr.New(apperr.Unauthorized, "sign in first")
	}
	rows, err := s.db.Query(ctx, `SELECT category, violations, window_days, false FROM merchant_repeat_rule ORDER BY category`)
	if err != nil {
		return nil, inspectionTranslate(err, "repeat rules")
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[RepeatRule])
	if err != nil {
		return nil, inspectionTranslate(err, "repeat rules")
	}
	return append([]RepeatRule{{Violations: DefaultRepeatViolations, WindowDays: DefaultRepeatWindowDays, Default: true}}, out...), nil
}

// SetRepeatRule sets a category's own rule (administrators only). The change is audited with the
// rule it replaced; inspections already linked to cases stay linked.
func (s *Store) SetRepeatRule(ctx context.Context, who access.Principal, r RepeatRule) (RepeatRule, error) {
	if who.Role != access.Admin {
		return r, apperr.New(apperr.Forbidden, "only an administrator sets the repeat-offender rules")
	}
	switch {
	case r.Violations < 1 || r.Violations > 100:
		return r, apperr.New(apperr.Invalid, "violations must be 1 to 100").With("field", "violations")
	case r.WindowDays < 1 || r.WindowDays > 366:
		return r, apperr.New(apperr.Invalid, "window_days must be 1 to 366").With("field", "window_days")
	}
	c, err := s.incidents.Category(ctx, r.Category)
	if err != nil {
		return r, apperr.New(apperr.Invalid, "unknown incident category %q", r.Category).With("field", "category")
	}
	if !c.Selectable {
		return r, apperr.New(apperr.Invalid, "category %q (%s) takes no new incidents; a rule for it would never fire", c.Code, c.NameZh).With("field", "category")
	}
	r.Category, r.Default = c.Code, false
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		before, err := repeatRule(ctx, tx, r.Category)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO merchant_repeat_rule (category, violations, window_days, updated_at, updated_by_user_id)
			VALUES ($1, $2, $3, now(), NULLIF($4, 0))
			ON CONFLICT (category) DO UPDATE SET violations = EXCLUDED.violations, window_days = EXCLUDED.window_days,
				updated_at = EXCLUDED.updated_at, updated_by_user_id = EXCLUDED.updated_by_user_id`,
			r.Category, r.Violations, r.WindowDays, who.UserID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Update, "merchant_repeat_rule", 0, before, r)
	})
	return r, inspectionTranslate(err, "repeat rule")
}
