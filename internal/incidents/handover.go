package incidents

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// Handover is why a rule, not a person, sends an open incident to the street chief: a repeat
// offender (屡教不改) goes to joint enforcement, which is the street chief's to organise. Count and
// Days are the rule's figures, for the event text.
type Handover struct {
	Cause string // repeat_offender
	Count int
	Days  int
	Note  string
}

// EscalateOnRule escalates an open incident to the street chief of its place on a rule's
// authority, whoever reported it: the lane chief who recorded the trigger may not be the one whose
// community it lies in. An incident already with the street chief, or no longer open, is left as it
// is (false), so a retried trigger hands nothing over twice.
func (s *Service) EscalateOnRule(ctx context.Context, by access.Principal, id int64, h Handover) (bool, error) {
	if err := checkNote(h.Note); err != nil {
		return false, err
	}
	if h.Cause == "" {
		return false, apperr.New(apperr.Invalid, "a handover needs a cause")
	}
	now := s.now()
	moved := false
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var r overdueRow
		err := tx.QueryRow(ctx, `SELECT id, category, status, escalation_level, COALESCE(assignee_person_id, 0),
				ST_X(location), ST_Y(location) FROM incident WHERE id = $1 FOR UPDATE`, id).
			Scan(&r.id, &r.category, &r.status, &r.level, &r.assignee, &r.lon, &r.lat)
		if err != nil {
			return err
		}
		if !r.status.Open() || r.status == Escalated || r.status == JointEnforcement {
			return nil
		}
		cat, err := category(ctx, tx, r.category)
		if err != nil {
			return err
		}
		ans, err := s.matcher.Lookup(ctx, orb.Point{r.lon, r.lat}, now)
		if err != nil {
			return err
		}
		rt := routeAnswer(ans, LevelStreetChief)
		dueAt := cat.Due(Escalated, now)
		if _, err := tx.Exec(ctx, `UPDATE incident SET status = $2, escalation_level = $3, assignee_person_id = NULLIF($4, 0),
				queue = $5, due_at = $6, updated_at = $7 WHERE id = $1`,
			id, Escalated, rt.level, rt.assignee.personID(), rt.queue, dueAt, now); err != nil {
			return err
		}
		params := merge(by, routingParams(rt), map[string]any{"cause": h.Cause, "count": h.Count, "days": h.Days})
		if _, err := addEvent(ctx, tx, by, event{incident: id, at: now, kind: "escalated", from: r.status, to: Escalated,
			note: strings.TrimSpace(h.Note), assignee: rt.assignee.personID(), params: params}); err != nil {
			return err
		}
		moved = true
		return audit.Record(ctx, tx, by, audit.Transition, "incident", id,
			map[string]any{"status": r.status, "assignee_person_id": r.assignee},
			map[string]any{"status": Escalated, "assignee_person_id": rt.assignee.personID(), "cause": h.Cause})
	})
	return moved, translate(err, "incident")
}

// AddEvidence adds a note and photos to an open incident on a rule's authority: a new trigger of a case
// already open (the same offender seen again) joins it instead of opening another. It answers false
// when the incident is no longer open, and the caller opens a new one.
func (s *Service) AddEvidence(ctx context.Context, by access.Principal, id int64, note string, photos []Photo) (bool, error) {
	if err := checkNote(note); err != nil {
		return false, err
	}
	if len(photos) > MaxPhotos {
		return false, apperr.New(apperr.TooLarge, "at most %d photos", MaxPhotos).With("field", "photos")
	}
	added := false
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var st Status
		if err := tx.QueryRow(ctx, `SELECT status FROM incident WHERE id = $1 FOR UPDATE`, id).Scan(&st); err != nil {
			return err
		}
		if !st.Open() {
			return nil
		}
		eventID, err := addEvent(ctx, tx, by, event{incident: id, at: s.now(), kind: "note", note: strings.TrimSpace(note)})
		if err != nil {
			return err
		}
		if err := s.attachPhotos(ctx, tx, id, eventID, photos); err != nil {
			return err
		}
		added = true
		return audit.Record(ctx, tx, by, audit.Update, "incident", id, nil,
			map[string]any{"event_id": eventID, "note": strings.TrimSpace(note), "photos": len(photos)})
	})
	return added, translate(err, "incident")
}
