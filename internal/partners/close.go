package partners

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// End records that a partner stopped at at (a contract terminated early, a team dissolved, a
// representative moved away), with the reason. The record stays; from at on it is no partner.
func (s *Service) End(ctx context.Context, who access.Principal, id int64, at time.Time, reason string) (Partner, error) {
	if err := canWrite(who); err != nil {
		return Partner{}, err
	}
	reason, err := checkReason(reason)
	if err != nil {
		return Partner{}, err
	}
	if err := checkWhen("at", at, s.now()); err != nil {
		return Partner{}, err
	}
	err = s.onRecord(ctx, who, id, func(tx pgx.Tx, p Partner) error {
		switch {
		case p.Ended != nil:
			return apperr.New(apperr.Conflict, "partner %d was ended already, at %s", id, p.Ended.At.Format(time.RFC3339))
		case !at.After(p.From):
			return apperr.New(apperr.Invalid, "at %s is not after the start %s; void a record that never held", at.Format(time.RFC3339), p.From.Format(time.RFC3339)).With("field", "at")
		case p.Until != nil && !at.Before(*p.Until):
			return apperr.New(apperr.Invalid, "at %s is not before its end %s: it has ended by then anyway", at.Format(time.RFC3339), p.Until.Format(time.RFC3339)).With("field", "at")
		}
		return closeRecord(ctx, tx, who, id, "end", &at, reason)
	})
	if err != nil {
		return Partner{}, err
	}
	return s.Partner(ctx, who, id)
}

// Void records that a partner was entered by mistake: it never was one, and leaves every answer
// but the compound's history.
func (s *Service) Void(ctx context.Context, who access.Principal, id int64, reason string) (Partner, error) {
	if err := canWrite(who); err != nil {
		return Partner{}, err
	}
	reason, err := checkReason(reason)
	if err != nil {
		return Partner{}, err
	}
	err = s.onRecord(ctx, who, id, func(tx pgx.Tx, p Partner) error {
		return closeRecord(ctx, tx, who, id, "void", nil, reason)
	})
	if err != nil {
		return Partner{}, err
	}
	return s.Partner(ctx, who, id)
}

// onRecord runs fn on a record that is not voided, with its compound locked and checked in scope.
func (s *Service) onRecord(ctx context.Context, who access.Principal, id int64, fn func(tx pgx.Tx, p Partner) error) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var area int64
		if err := tx.QueryRow(ctx, `SELECT area_id FROM compound_partner WHERE id = $1`, id).Scan(&area); err != nil {
			return translate(err, fmt.Sprintf("partner %d", id))
		}
		if _, err := lockCompound(ctx, tx, who, area); err != nil {
			if apperr.Is(err, apperr.NotFound) {
				return apperr.New(apperr.NotFound, "no partner %d in your scope", id)
			}
			return err
		}
		p, err := scanPartner(tx.QueryRow(ctx, partnerSelect+` WHERE p.id = $1`, id))
		if err != nil {
			return translate(err, fmt.Sprintf("partner %d", id))
		}
		if p.Voided != nil {
			return apperr.New(apperr.Conflict, "partner %d was voided: %s", id, p.Voided.Reason)
		}
		return fn(tx, p)
	})
}

func closeRecord(ctx context.Context, tx pgx.Tx, who access.Principal, id int64, kind string, at *time.Time, reason string) error {
	if _, err := tx.Exec(ctx, `INSERT INTO compound_partner_closing (partner_id, kind, at, reason, closed_by) VALUES ($1, $2, $3, $4, $5)`,
		id, kind, at, reason, who.Label()); err != nil {
		return translate(err, fmt.Sprintf("partner %d", id))
	}
	action := audit.End
	if kind == "void" {
		action = audit.Void
	}
	return audit.Record(ctx, tx, who, action, "compound_partner", id, nil, map[string]any{"at": at, "reason": reason})
}
