package operations

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// Cancel calls off an operation that has no outcome, with a reason; it stays listed as cancelled.
func (s *Store) Cancel(ctx context.Context, who access.Principal, id int64, reason string) (Operation, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Operation{}, invalid("reason", "say why the operation is cancelled (reason)")
	}
	if err := checkText("reason", reason, MaxReasonChars); err != nil {
		return Operation{}, err
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		h, err := s.lockForChange(ctx, tx, who, id)
		if err != nil {
			return err
		}
		switch h.state(s.now()) {
		case StateCancelled:
			return apperr.New(apperr.Conflict, "operation %d is already cancelled", id)
		case StateDone:
			return apperr.New(apperr.Conflict, "operation %d took place and has its outcome; correct the outcome instead", id)
		}
		if _, err := tx.Exec(ctx, `UPDATE operation SET cancelled_at = now(), cancel_reason = $2 WHERE id = $1`, id, reason); err != nil {
			return fmt.Errorf("cancel operation %d: %w", id, err)
		}
		return audit.Record(ctx, tx, who, audit.Void, "operation", id, nil, map[string]any{"cancelled": true, "reason": reason})
	})
	if err != nil {
		return Operation{}, err
	}
	return s.Get(ctx, who, id)
}

// LinkCase records that a case, opened on the spot through the incident intake, belongs to operation
// id. The case must lie in the operation's subdistrict and have been reported while it ran.
func (s *Store) LinkCase(ctx context.Context, who access.Principal, id, incidentID int64) (Operation, error) {
	if incidentID <= 0 {
		return Operation{}, invalid("incident_id", "incident_id is required")
	}
	inc, err := s.incidents.Incident(ctx, who, incidentID)
	if apperr.Is(err, apperr.NotFound) {
		return Operation{}, invalid("incident_id", "incident %d not found", incidentID)
	}
	if err != nil {
		return Operation{}, err
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		h, err := s.lockForChange(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if h.cancelled {
			return apperr.New(apperr.Conflict, "operation %d was cancelled", id)
		}
		if inc.SubdistrictID != h.subdistrict {
			return invalid("incident_id", "incident %d lies outside the operation's subdistrict", incidentID)
		}
		if inc.ReportedAt.Before(h.starts) || inc.ReportedAt.After(h.ends) {
			return invalid("incident_id", "incident %d was reported at %s, not while operation %d ran (%s to %s)", incidentID,
				inc.ReportedAt.In(Beijing).Format("2006-01-02 15:04"), id, h.starts.In(Beijing).Format("2006-01-02 15:04"), h.ends.In(Beijing).Format("15:04"))
		}
		_, err = tx.Exec(ctx, `INSERT INTO operation_incident (operation_id, incident_id, how, linked_by) VALUES ($1, $2, 'opened_on_spot', $3)`,
			id, incidentID, who.Label())
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" {
			return apperr.New(apperr.Conflict, "incident %d is already a case of operation %d", incidentID, id)
		}
		if err != nil {
			return fmt.Errorf("link case: %w", err)
		}
		return audit.Record(ctx, tx, who, audit.Create, "operation_incident", id, nil, map[string]any{"incident_id": incidentID, "how": OpenedOnSpot})
	})
	if err != nil {
		return Operation{}, err
	}
	return s.Get(ctx, who, id)
}
