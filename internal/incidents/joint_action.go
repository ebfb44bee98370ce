package incidents

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/database"
)

// ActionKind is what a department did on a joint case.
type ActionKind string

const (
	Inspection     ActionKind = "inspection"       // 检查
	OrderToCorrect ActionKind = "order_to_correct" // 责令整改
	Fine           ActionKind = "fine"             // 罚款: an amount and its legal basis
	Seizure        ActionKind = "seizure"          // 暂扣
	Referral       ActionKind = "referral"         // 移送: to whom
)

// ActionKinds lists every kind (migration 0027's CHECK is tested against it).
var ActionKinds = []ActionKind{Inspection, OrderToCorrect, Fine, Seizure, Referral}

// Limits of an action's texts and of a fine: ten million yuan is beyond any street-level penalty.
const (
	MaxLegalBasis = 500
	MaxReferredTo = 200
	maxFineFen    = 1_000_000_000
	// clockSkew is how far ahead of the server's clock a phone's "now" may be.
	clockSkew = 2 * time.Minute
)

// JointAction is one recorded action of a department on a case.
type JointAction struct {
	ID              int64      `json:"id"`
	DepartmentID    int64      `json:"department_id"`
	Kind            ActionKind `json:"kind"`
	At              time.Time  `json:"at"`
	Note            string     `json:"note,omitempty"`
	AmountYuan      string     `json:"amount_yuan,omitempty"` // two decimals, as text so no float rounds it
	LegalBasis      string     `json:"legal_basis,omitempty"`
	ReferredTo      string     `json:"referred_to,omitempty"`
	EventID         int64      `json:"event_id"`
	Photos          []int      `json:"photos,omitempty"`
	RecordedAt      time.Time  `json:"recorded_at"`
	RecordedBy      string     `json:"recorded_by"`
	VoidedAt        *time.Time `json:"voided_at,omitempty"`
	VoidReason      string     `json:"void_reason,omitempty"`
	participationID int64
}

// ActionInput is an action to record. At zero is now; AmountYuan is a decimal text of yuan with at
// most two decimals.
type ActionInput struct {
	DepartmentID int64
	Kind         ActionKind
	At           time.Time
	Note         string
	AmountYuan   string
	LegalBasis   string
	ReferredTo   string
	Photos       []Photo
}

var yuanRE = regexp.MustCompile(`^([0-9]{1,8})(?:\.([0-9]{1,2}))?$`)

// ParseYuan reads an amount of yuan (> 0, ≤ 10,000,000, at most two decimals) into fen.
func ParseYuan(s string) (int64, error) {
	m := yuanRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, apperr.New(apperr.Invalid, "amount %q is not yuan with at most two decimals", s).With("field", "amount_yuan")
	}
	whole, _ := strconv.ParseInt(m[1], 10, 64)
	frac := m[2] + strings.Repeat("0", 2-len(m[2]))
	cents, _ := strconv.ParseInt(frac, 10, 64)
	fen := whole*100 + cents
	if fen <= 0 || fen > maxFineFen {
		return 0, apperr.New(apperr.Invalid, "a fine is more than 0 and at most 10,000,000 yuan, not %s", s).With("field", "amount_yuan")
	}
	return fen, nil
}

func formatFen(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }

// check applies the rules that need no database: kind, texts, the fine's and the referral's fields.
func (in *ActionInput) check(now time.Time) (fen int64, err error) {
	if !slices.Contains(ActionKinds, in.Kind) {
		return 0, apperr.New(apperr.Invalid, "kind %q is not one of inspection, order_to_correct, fine, seizure, referral", in.Kind).With("field", "kind")
	}
	if in.DepartmentID <= 0 {
		return 0, apperr.New(apperr.Invalid, "name the department acting (department_id)").With("field", "department_id")
	}
	if err := checkNote(in.Note); err != nil {
		return 0, err
	}
	in.LegalBasis, in.ReferredTo, in.Note = strings.TrimSpace(in.LegalBasis), strings.TrimSpace(in.ReferredTo), strings.TrimSpace(in.Note)
	if err := checkTextField("legal_basis", in.LegalBasis, MaxLegalBasis); err != nil {
		return 0, err
	}
	if err := checkTextField("referred_to", in.ReferredTo, MaxReferredTo); err != nil {
		return 0, err
	}
	if len(in.Photos) > MaxPhotos {
		return 0, apperr.New(apperr.TooLarge, "at most %d photos", MaxPhotos).With("field", "photos")
	}
	if in.At.IsZero() {
		in.At = now
	}
	if in.At.After(now.Add(clockSkew)) {
		return 0, apperr.New(apperr.Invalid, "the action's time %s is in the future", in.At.In(Beijing).Format(time.DateTime)).With("field", "at")
	}
	switch {
	case in.Kind == Fine:
		if in.AmountYuan == "" {
			return 0, apperr.New(apperr.Invalid, "a fine needs its amount in yuan (amount_yuan)").With("field", "amount_yuan")
		}
		if fen, err = ParseYuan(in.AmountYuan); err != nil {
			return 0, err
		}
		if in.LegalBasis == "" {
			return 0, apperr.New(apperr.Invalid, "a fine needs its legal basis (legal_basis)").With("field", "legal_basis")
		}
	case in.AmountYuan != "" || in.LegalBasis != "":
		return 0, apperr.New(apperr.Invalid, "only a fine has an amount and a legal basis").With("field", "amount_yuan")
	}
	if (in.Kind == Referral) != (in.ReferredTo != "") {
		if in.Kind == Referral {
			return 0, apperr.New(apperr.Invalid, "a referral names to whom (referred_to)").With("field", "referred_to")
		}
		return 0, apperr.New(apperr.Invalid, "only a referral names whom it goes to").With("field", "referred_to")
	}
	return fen, nil
}

func checkTextField(field, s string, max int) error {
	if err := checkNote(s); err != nil {
		return apperr.New(apperr.Invalid, "%s is not plain text of at most %d characters", field, max).With("field", field)
	}
	if n := len([]rune(s)); n > max {
		return apperr.New(apperr.Invalid, "%s is %d characters; at most %d", field, n, max).With("field", field)
	}
	return nil
}

// RecordAction records what a department taking part in a joint case did, with photos: its
// liaison in the case's subdistrict, or an administrator, once the department has acknowledged.
func (s *Service) RecordAction(ctx context.Context, who access.Principal, id int64, in ActionInput) (JointAction, error) {
	now := s.now()
	fen, err := in.check(now)
	if err != nil {
		return JointAction{}, err
	}
	var actionID int64
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := s.lockJoint(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if !forDepartment(who, cur, in.DepartmentID) {
			return apperr.New(apperr.Forbidden, "only department %d's responsible person in this subdistrict, or an administrator, records its actions", in.DepartmentID)
		}
		p, err := standingParticipation(ctx, tx, id, in.DepartmentID)
		if err != nil {
			return err
		}
		if p.AcknowledgedAt == nil {
			return apperr.New(apperr.Conflict, "%s has not acknowledged incident %d yet: acknowledge it first", p.DepartmentName, id)
		}
		if in.At.Before(p.RequestedAt) {
			return apperr.New(apperr.Invalid, "the action's time is before %s was asked (%s)", p.DepartmentName,
				p.RequestedAt.In(Beijing).Format(time.DateTime)).With("field", "at")
		}
		params := map[string]any{"department_id": p.DepartmentID, "department": p.Department, "department_name": p.DepartmentName,
			"action": string(in.Kind)}
		if fen != 0 {
			params["amount_yuan"], params["legal_basis"] = formatFen(fen), in.LegalBasis
		}
		if in.ReferredTo != "" {
			params["referred_to"] = in.ReferredTo
		}
		eventID, err := addEvent(ctx, tx, who, event{incident: id, at: now, kind: "joint_action", note: in.Note,
			departments: []int64{p.DepartmentID}, params: params})
		if err != nil {
			return err
		}
		if err := s.attachPhotos(ctx, tx, id, eventID, in.Photos); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO incident_joint_action (incident_id, participation_id, department_id, kind, at, note,
				fine_fen, legal_basis, referred_to, event_id, recorded_at, recorded_by_user_id, recorded_by_person_id, actor)
			VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, 0), NULLIF($8, ''), NULLIF($9, ''), $10, $11, NULLIF($12, 0), NULLIF($13, 0), $14)
			RETURNING id`, id, p.ID, p.DepartmentID, in.Kind, in.At, in.Note, fen, in.LegalBasis, in.ReferredTo, eventID, now,
			who.UserID, who.PersonID, who.Label()).Scan(&actionID); err != nil {
			return fmt.Errorf("record action: %w", err)
		}
		params["action_id"] = actionID
		if _, err := tx.Exec(ctx, `UPDATE incident_event SET params = $2 WHERE id = $1`, eventID, merge(who, params, nil)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE incident SET updated_at = $2 WHERE id = $1`, id, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Create, "incident_joint_action", actionID, nil,
			map[string]any{"incident_id": id, "department_id": p.DepartmentID, "kind": in.Kind, "at": in.At, "fine_fen": fen,
				"legal_basis": in.LegalBasis, "referred_to": in.ReferredTo, "note": in.Note, "photos": len(in.Photos)})
	})
	if err != nil {
		return JointAction{}, err
	}
	return s.action(ctx, id, actionID)
}

// VoidAction marks an action entered by mistake, with the reason; it stays on record and counts no
// more. Whoever may record the department's actions may void them.
func (s *Service) VoidAction(ctx context.Context, who access.Principal, id, actionID int64, reason string) (JointAction, error) {
	if err := checkNote(reason); err != nil {
		return JointAction{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return JointAction{}, apperr.New(apperr.Invalid, "say why the action is void (reason)").With("field", "reason")
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := s.lockJoint(ctx, tx, who, id)
		if err != nil {
			return err
		}
		a, err := actionIn(ctx, tx, id, actionID)
		if err != nil {
			return err
		}
		if !forDepartment(who, cur, a.DepartmentID) {
			return apperr.New(apperr.Forbidden, "only department %d's responsible person in this subdistrict, or an administrator, voids its actions", a.DepartmentID)
		}
		if a.VoidedAt != nil {
			return apperr.New(apperr.Conflict, "action %d was voided at %s", actionID, a.VoidedAt.In(Beijing).Format(time.DateTime))
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `UPDATE incident_joint_action SET voided_at = $2, void_reason = $3, voided_actor = $4 WHERE id = $1`,
			actionID, now, reason, who.Label()); err != nil {
			return err
		}
		if _, err := addEvent(ctx, tx, who, event{incident: id, at: now, kind: "joint_action_voided", note: reason,
			departments: []int64{a.DepartmentID}, params: map[string]any{"action_id": actionID, "action": string(a.Kind), "department_id": a.DepartmentID}}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Void, "incident_joint_action", actionID, nil, map[string]any{"reason": reason})
	})
	if err != nil {
		return JointAction{}, err
	}
	return s.action(ctx, id, actionID)
}

const actionColumns = `a.id, a.participation_id, a.department_id, a.kind, a.at, a.note, COALESCE(a.fine_fen, 0),
	COALESCE(a.legal_basis, ''), COALESCE(a.referred_to, ''), a.event_id,
	ARRAY(SELECT r.n FROM incident_photo_ref r WHERE r.event_id = a.event_id ORDER BY r.n), a.recorded_at, a.actor,
	a.voided_at, COALESCE(a.void_reason, '') FROM incident_joint_action a`

func scanAction(r pgx.Row) (JointAction, error) {
	var a JointAction
	var fen int64
	var photos []int32
	err := r.Scan(&a.ID, &a.participationID, &a.DepartmentID, &a.Kind, &a.At, &a.Note, &fen, &a.LegalBasis, &a.ReferredTo,
		&a.EventID, &photos, &a.RecordedAt, &a.RecordedBy, &a.VoidedAt, &a.VoidReason)
	if fen != 0 {
		a.AmountYuan = formatFen(fen)
	}
	for _, n := range photos {
		a.Photos = append(a.Photos, int(n))
	}
	return a, err
}

func actionsOf(ctx context.Context, db database.Querier, incidentID int64) ([]JointAction, error) {
	rows, err := db.Query(ctx, `SELECT `+actionColumns+` WHERE a.incident_id = $1 ORDER BY a.at, a.id`, incidentID)
	if err != nil {
		return nil, translate(err, "joint actions")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (JointAction, error) { return scanAction(r) })
	return out, translate(err, "joint actions")
}

func (s *Service) action(ctx context.Context, incidentID, actionID int64) (JointAction, error) {
	return actionIn(ctx, s.db, incidentID, actionID)
}

func actionIn(ctx context.Context, db database.Querier, incidentID, actionID int64) (JointAction, error) {
	a, err := scanAction(db.QueryRow(ctx, `SELECT `+actionColumns+` WHERE a.incident_id = $1 AND a.id = $2`, incidentID, actionID))
	return a, translate(err, fmt.Sprintf("action %d of incident %d", actionID, incidentID))
}
