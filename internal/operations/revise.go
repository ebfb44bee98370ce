package operations

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/jsonlist"
)

// Revision input: the operation as it is to be, in full (as to create it), and why it changes.
type revisionFields struct {
	Fields
	Reason string `json:"reason"`
}

// DecodeRevision reads a change to a planned operation: its new plan in full, and a reason.
func DecodeRevision(body []byte) (Input, string, error) {
	f := revisionFields{Fields: newFields()}
	if err := jsonlist.DecodeStrict(body, &f); err != nil {
		return Input{}, "", err
	}
	reason := strings.TrimSpace(f.Reason)
	if reason == "" {
		return Input{}, "", invalid("reason", "say why the plan changes (reason)")
	}
	if err := checkText("reason", reason, MaxReasonChars); err != nil {
		return Input{}, "", err
	}
	if f.Outcome != nil {
		return Input{}, "", invalid("outcome", "a change of plan carries no outcome; record it with the outcome")
	}
	in, err := f.check()
	return in, reason, err
}

// Revise changes a planned operation — its times, briefing, departments, people and targets — and
// keeps the plan as it was, with the reason, as a revision. Once an operation has begun its plan
// stands: what happened goes into its outcome.
func (s *Store) Revise(ctx context.Context, who access.Principal, id int64, in Input, reason string) (Operation, error) {
	before, err := s.Get(ctx, who, id)
	if err != nil {
		return Operation{}, err
	}
	if in.SubdistrictID != before.SubdistrictID {
		return Operation{}, invalid("subdistrict_id", "an operation stays in its subdistrict (%d); cancel it and plan one in the other", before.SubdistrictID)
	}
	if !in.StartsAt.After(s.now()) {
		return Operation{}, invalid("starts_at", "a changed plan must still start in the future")
	}
	if err := s.checkIncidents(ctx, who, in.SubdistrictID, in.IncidentIDs, true); err != nil {
		return Operation{}, err
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		h, err := s.lockForChange(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if st := h.state(s.now()); st != StatePlanned {
			return apperr.New(apperr.Conflict, "operation %d is %s; only a planned one changes its plan", id, st)
		}
		if err := s.checkPlace(ctx, tx, in); err != nil {
			return err
		}
		snapshot, err := json.Marshal(planOf(before))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO operation_revision (operation_id, revised_by, reason, before) VALUES ($1, $2, $3, $4)`,
			id, who.Label(), reason, snapshot); err != nil {
			return fmt.Errorf("insert revision: %w", err)
		}
		var area any
		if in.TargetArea != nil {
			area = wkbOf(in.TargetArea)
		}
		if _, err := tx.Exec(ctx, `UPDATE operation SET title = $2, kind = $3, starts_at = $4, ends_at = $5, briefing = $6,
			target_area = ST_Multi(ST_GeomFromWKB($7, 4326)) WHERE id = $1`,
			id, in.Title, string(in.Kind), in.StartsAt, in.EndsAt, in.Briefing, area); err != nil {
			return fmt.Errorf("update operation: %w", err)
		}
		// The plan's lists are replaced; the revision above keeps them as they were.
		for _, t := range []string{"operation_department", "operation_person", "operation_area", "operation_merchant"} {
			if _, err := tx.Exec(ctx, `DELETE FROM `+t+` WHERE operation_id = $1`, id); err != nil {
				return fmt.Errorf("replace %s: %w", t, err)
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM operation_incident WHERE operation_id = $1 AND how = 'targeted'`, id); err != nil {
			return fmt.Errorf("replace cases: %w", err)
		}
		if err := insertMembers(ctx, tx, id, in); err != nil {
			return err
		}
		if err := insertTargets(ctx, tx, who, id, in); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Update, "operation", id, planOf(before), summary(in))
	})
	if err != nil {
		return Operation{}, err
	}
	return s.Get(ctx, who, id)
}

// planOf is the part of an operation a revision changes.
func planOf(op Operation) map[string]any {
	people := make([]PersonInput, len(op.People))
	for i, p := range op.People {
		people[i] = PersonInput{PersonID: p.PersonID, Role: p.Role}
	}
	areas := make([]int64, len(op.Areas))
	for i, a := range op.Areas {
		areas[i] = a.ID
	}
	shops := make([]int64, len(op.TargetShops))
	for i, m := range op.TargetShops {
		shops[i] = m.ID
	}
	var cases []int64
	for _, c := range op.TargetCases {
		if c.How == Targeted {
			cases = append(cases, c.IncidentID)
		}
	}
	return map[string]any{"title": op.Title, "kind": op.Kind, "starts_at": op.StartsAt, "ends_at": op.EndsAt, "briefing": op.Briefing,
		"department_ids": op.DepartmentIDs, "people": people, "target_area": op.TargetArea, "area_ids": areas,
		"merchant_ids": shops, "incident_ids": cases}
}
