package incidents

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/database"
	"streetchief/internal/notify"
)

// Participation is one department's part in a joint-enforcement case (联合执法): when it was asked,
// of whom — the primary holder of its responsible-person post (department_liaison) in the case's
// subdistrict at that moment, of either level; nobody when the post was vacant, which leaves no one
// to acknowledge — and whether it has acknowledged. Being asked is the notification: the row is the
// holder's pending work until they acknowledge.
type Participation struct {
	ID              int64         `json:"id"`
	DepartmentID    int64         `json:"department_id"`
	Department      string        `json:"department"`
	DepartmentName  string        `json:"department_name"`
	Lead            bool          `json:"lead"`
	RequestedAt     time.Time     `json:"requested_at"`
	HolderPersonID  int64         `json:"holder_person_id,omitempty"`
	HolderName      string        `json:"holder_name,omitempty"`
	Vacant          bool          `json:"vacant"` // no one held the post when the department was asked
	AcknowledgedAt  *time.Time    `json:"acknowledged_at"`
	AcknowledgedBy  string        `json:"acknowledged_by,omitempty"`
	WithdrawnAt     *time.Time    `json:"withdrawn_at,omitempty"`
	WithdrawnReason string        `json:"withdrawn_reason,omitempty"`
	Actions         []JointAction `json:"actions"`
}

// Standing reports whether the department still takes part.
func (p Participation) Standing() bool { return p.WithdrawnAt == nil }

const participationColumns = `d.id, d.department_id, dd.code, dd.name, d.lead, d.requested_at, COALESCE(d.holder_person_id, 0),
	COALESCE((SELECT p.name FROM person_directory p WHERE p.id = d.holder_person_id), ''), d.acknowledged_at,
	COALESCE(d.acknowledged_actor, ''), d.withdrawn_at, COALESCE(d.withdrawn_reason, '')
	FROM incident_department d JOIN department_directory dd ON dd.id = d.department_id`

func scanParticipation(r pgx.Row) (Participation, error) {
	var p Participation
	err := r.Scan(&p.ID, &p.DepartmentID, &p.Department, &p.DepartmentName, &p.Lead, &p.RequestedAt, &p.HolderPersonID,
		&p.HolderName, &p.AcknowledgedAt, &p.AcknowledgedBy, &p.WithdrawnAt, &p.WithdrawnReason)
	p.Vacant = p.HolderPersonID == 0
	p.Actions = []JointAction{}
	return p, err
}

// participations reads a case's departments, lead first, each with its actions.
func participations(ctx context.Context, db database.Querier, incidentID int64) ([]Participation, error) {
	rows, err := db.Query(ctx, `SELECT `+participationColumns+` WHERE d.incident_id = $1 ORDER BY d.lead DESC, d.id`, incidentID)
	if err != nil {
		return nil, translate(err, "joint departments")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Participation, error) { return scanParticipation(r) })
	if err != nil {
		return nil, translate(err, "joint departments")
	}
	acts, err := actionsOf(ctx, db, incidentID)
	if err != nil {
		return nil, err
	}
	for _, a := range acts {
		for i := range out {
			if out[i].ID == a.participationID {
				out[i].Actions = append(out[i].Actions, a)
			}
		}
	}
	return out, nil
}

// standingParticipation is the row of department dept that still takes part in incident id, locked.
func standingParticipation(ctx context.Context, tx pgx.Tx, id, dept int64) (Participation, error) {
	p, err := scanParticipation(tx.QueryRow(ctx, `SELECT `+participationColumns+`
		WHERE d.incident_id = $1 AND d.department_id = $2 AND d.withdrawn_at IS NULL FOR UPDATE OF d`, id, dept))
	if err == pgx.ErrNoRows {
		return p, apperr.New(apperr.Invalid, "department %d is not taking part in incident %d", dept, id).With("field", "department_id")
	}
	return p, translate(err, "joint department")
}

// holderOf is the primary responsible person of department dept in subdistrict sub at t: the
// district team's before the city's, the latest begun first; 0 when the post is vacant.
func holderOf(ctx context.Context, tx pgx.Tx, sub, dept int64, t time.Time) (int64, error) {
	if sub == 0 {
		return 0, nil
	}
	var person int64
	err := tx.QueryRow(ctx, `SELECT a.person_id FROM assignment_standing a
		WHERE a.admin_unit_id = $1 AND a.role = 'department_liaison' AND a.department_id = $2 AND a.is_primary AND a.valid @> $3::timestamptz
		ORDER BY (a.level = 'district') DESC, lower(a.valid) DESC LIMIT 1`, sub, dept, t).Scan(&person)
	if err == pgx.ErrNoRows {
		return 0, nil
	}
	return person, err
}

// requestDepartments asks each of depts that is not already taking part in the case; lead (0: the
// first asked) leads unless a department already does. It answers the rows written.
func requestDepartments(ctx context.Context, tx pgx.Tx, in Incident, depts []int64, lead int64, at time.Time) ([]Participation, error) {
	cur, err := participations(ctx, tx, in.ID)
	if err != nil {
		return nil, err
	}
	hasLead := slices.ContainsFunc(cur, func(p Participation) bool { return p.Lead })
	if lead != 0 && !slices.Contains(depts, lead) {
		return nil, apperr.New(apperr.Invalid, "the lead department %d is not one of the departments named", lead).With("field", "lead")
	}
	if lead != 0 && hasLead && !slices.ContainsFunc(cur, func(p Participation) bool { return p.Lead && p.DepartmentID == lead }) {
		return nil, apperr.New(apperr.Conflict, "incident %d already has a lead department", in.ID).With("field", "lead")
	}
	var out []Participation
	for _, d := range depts {
		if slices.ContainsFunc(cur, func(p Participation) bool { return p.DepartmentID == d && p.Standing() }) {
			continue
		}
		holder, err := holderOf(ctx, tx, in.SubdistrictID, d, at)
		if err != nil {
			return nil, fmt.Errorf("holder of department %d: %w", d, err)
		}
		isLead := !hasLead && (lead == d || lead == 0)
		hasLead = hasLead || isLead
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO incident_department (incident_id, department_id, lead, requested_at, holder_person_id)
			VALUES ($1, $2, $3, $4, NULLIF($5, 0)) RETURNING id`, in.ID, d, isLead, at, holder).Scan(&id); err != nil {
			return nil, fmt.Errorf("ask department %d: %w", d, err)
		}
		p, err := scanParticipation(tx.QueryRow(ctx, `SELECT `+participationColumns+` WHERE d.id = $1`, id))
		if err != nil {
			return nil, err
		}
		if err := tellDepartment(ctx, tx, in.ID, p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// tellDepartment tells a department's responsible person, in the transaction that asks them, that a
// joint case waits for their acknowledgement; a vacant post has nobody to tell (the case shows it).
func tellDepartment(ctx context.Context, tx pgx.Tx, incident int64, p Participation) error {
	if p.Vacant || p.HolderPersonID == 0 {
		return nil
	}
	params, err := noticeParams(ctx, tx, incident)
	if err != nil {
		return err
	}
	params["department"] = p.DepartmentName
	_, err = notify.Enqueue(ctx, tx, notify.Notice{PersonID: p.HolderPersonID, Kind: "joint_requested",
		Subject: notify.Subject{Type: "incident", ID: incident}, Params: params})
	return err
}

func participationParams(p Participation) map[string]any {
	m := map[string]any{"department_id": p.DepartmentID, "department": p.Department, "department_name": p.DepartmentName}
	if p.Vacant {
		m["vacant"] = true
	} else {
		m["person_id"], m["person_name"] = p.HolderPersonID, p.HolderName
	}
	return m
}

// awaitingAckSQL matches joint cases over incident i with a department yet to acknowledge (for a
// liaison, one of theirs).
func awaitingAckSQL(who access.Principal, args *[]any) string {
	mine := ""
	if who.Role == access.DepartmentLiaison {
		*args = append(*args, who.Scope.Departments)
		mine = fmt.Sprintf(" AND d.department_id = ANY($%d::bigint[])", len(*args))
	}
	return `i.status = 'joint_enforcement' AND EXISTS (SELECT 1 FROM incident_department d WHERE d.incident_id = i.id
		AND d.acknowledged_at IS NULL AND d.withdrawn_at IS NULL` + mine + `)`
}

// forDepartment reports whether who speaks for department dept in the case: an administrator, or a
// department liaison of that department in the case's subdistrict.
func forDepartment(who access.Principal, in Incident, dept int64) bool {
	switch who.Role {
	case access.Admin:
		return true
	case access.DepartmentLiaison:
		return in.SubdistrictID != 0 && slices.Contains(who.Scope.Subdistricts, in.SubdistrictID) && slices.Contains(who.Scope.Departments, dept)
	}
	return false
}

// lockJoint locks and reads a case the caller sees, which must be in joint enforcement.
func (s *Service) lockJoint(ctx context.Context, tx pgx.Tx, who access.Principal, id int64) (Incident, error) {
	if _, err := tx.Exec(ctx, `SELECT 1 FROM incident WHERE id = $1 FOR UPDATE`, id); err != nil {
		return Incident{}, err
	}
	cur, err := s.visible(ctx, tx, who, id)
	if err != nil {
		return cur, err
	}
	if cur.Status != JointEnforcement {
		return cur, apperr.New(apperr.Conflict, "incident %d is %s, not in joint enforcement", id, cur.Status).With("status", cur.Status)
	}
	return cur, nil
}

// AddDepartment brings one more department into a joint case: the street chief or an administrator.
func (s *Service) AddDepartment(ctx context.Context, who access.Principal, id, dept int64, note string) (Incident, error) {
	if err := checkNote(note); err != nil {
		return Incident{}, err
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := s.lockJoint(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if actorOf(who, cur) != chief {
			return apperr.New(apperr.Forbidden, "only the street chief or an administrator brings departments into incident %d", id)
		}
		if err := departmentExists(ctx, tx, dept); err != nil {
			return err
		}
		now := s.now()
		added, err := requestDepartments(ctx, tx, cur, []int64{dept}, 0, now)
		if err != nil {
			return err
		}
		if len(added) == 0 {
			return apperr.New(apperr.Conflict, "department %d already takes part in incident %d", dept, id).With("field", "department_id")
		}
		if _, err := tx.Exec(ctx, `UPDATE incident SET department_ids = CASE WHEN $2 = ANY(department_ids) THEN department_ids
			ELSE array_append(department_ids, $2) END, updated_at = $3 WHERE id = $1`, id, dept, now); err != nil {
			return err
		}
		if _, err := addEvent(ctx, tx, who, event{incident: id, at: now, kind: "department_added", note: strings.TrimSpace(note),
			departments: []int64{dept}, params: participationParams(added[0])}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Create, "incident_department", added[0].ID, nil,
			map[string]any{"incident_id": id, "department_id": dept, "holder_person_id": added[0].HolderPersonID})
	})
	if err != nil {
		return Incident{}, err
	}
	return s.Incident(ctx, who, id)
}

func departmentExists(ctx context.Context, tx pgx.Tx, dept int64) error {
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM department_directory WHERE id = $1)`, dept).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return apperr.New(apperr.Invalid, "there is no department %d", dept).With("field", "department_id")
	}
	return nil
}

// WithdrawDepartment takes a department out of a joint case, with the reason; its row and actions
// stay. The lead department is not withdrawn.
func (s *Service) WithdrawDepartment(ctx context.Context, who access.Principal, id, dept int64, reason string) (Incident, error) {
	if err := checkNote(reason); err != nil {
		return Incident{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Incident{}, apperr.New(apperr.Invalid, "say why the department is withdrawn (reason)").With("field", "reason")
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := s.lockJoint(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if actorOf(who, cur) != chief {
			return apperr.New(apperr.Forbidden, "only the street chief or an administrator withdraws departments from incident %d", id)
		}
		p, err := standingParticipation(ctx, tx, id, dept)
		if err != nil {
			return err
		}
		if p.Lead {
			return apperr.New(apperr.Conflict, "%s leads incident %d and cannot be withdrawn", p.DepartmentName, id).With("field", "department_id")
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `UPDATE incident_department SET withdrawn_at = $2, withdrawn_reason = $3, withdrawn_actor = $4 WHERE id = $1`,
			p.ID, now, reason, who.Label()); err != nil {
			return err
		}
		if _, err := addEvent(ctx, tx, who, event{incident: id, at: now, kind: "department_withdrawn", note: reason,
			departments: []int64{dept}, params: participationParams(p)}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.End, "incident_department", p.ID, map[string]any{"withdrawn": false},
			map[string]any{"withdrawn": true, "reason": reason})
	})
	if err != nil {
		return Incident{}, err
	}
	return s.Incident(ctx, who, id)
}

// Acknowledge records that a department has taken up a joint case: its liaison in the case's
// subdistrict, or an administrator. It happens once: a second call is a Conflict naming when and by
// whom it was acknowledged, and changes nothing.
func (s *Service) Acknowledge(ctx context.Context, who access.Principal, id, dept int64) (Incident, error) {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := s.lockJoint(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if !forDepartment(who, cur, dept) {
			return apperr.New(apperr.Forbidden, "only department %d's responsible person in this subdistrict, or an administrator, acknowledges for it", dept)
		}
		p, err := standingParticipation(ctx, tx, id, dept)
		if err != nil {
			return err
		}
		if p.AcknowledgedAt != nil {
			return apperr.New(apperr.Conflict, "%s acknowledged incident %d at %s (%s)", p.DepartmentName, id,
				p.AcknowledgedAt.In(Beijing).Format(time.DateTime), p.AcknowledgedBy).With("acknowledged_at", p.AcknowledgedAt.UTC().Format(time.RFC3339))
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `UPDATE incident_department SET acknowledged_at = $2, acknowledged_by_user_id = NULLIF($3, 0),
				acknowledged_by_person_id = NULLIF($4, 0), acknowledged_actor = $5 WHERE id = $1`,
			p.ID, now, who.UserID, who.PersonID, who.Label()); err != nil {
			return err
		}
		params := participationParams(p)
		params["seconds"] = int64(now.Sub(p.RequestedAt).Seconds())
		if _, err := addEvent(ctx, tx, who, event{incident: id, at: now, kind: "department_acknowledged",
			departments: []int64{dept}, params: params}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Update, "incident_department", p.ID, map[string]any{"acknowledged_at": nil},
			map[string]any{"acknowledged_at": now})
	})
	if err != nil {
		return Incident{}, err
	}
	return s.Incident(ctx, who, id)
}

// mayResolveJoint is the rule of a joint case's resolution: the lead department's liaison, the street
// chief or an administrator, once every department taking part has acknowledged and the lead has
// recorded an action.
func mayResolveJoint(ctx context.Context, tx pgx.Tx, who access.Principal, cur Incident) error {
	ps, err := participations(ctx, tx, cur.ID)
	if err != nil {
		return err
	}
	var lead *Participation
	var pending []string
	for i, p := range ps {
		if p.Lead {
			lead = &ps[i]
		}
		if p.Standing() && p.AcknowledgedAt == nil {
			pending = append(pending, p.DepartmentName)
		}
	}
	if actorOf(who, cur) != chief && (lead == nil || !forDepartment(who, cur, lead.DepartmentID)) {
		return apperr.New(apperr.Forbidden, "only the lead department's responsible person, the street chief or an administrator resolves joint incident %d", cur.ID)
	}
	if len(pending) > 0 {
		return apperr.New(apperr.Conflict, "incident %d waits for acknowledgement by %s", cur.ID, strings.Join(pending, "、"))
	}
	// A case back from rework (返工) needs the lead's action of this round, not the last one's.
	var since *time.Time
	if err := tx.QueryRow(ctx, `SELECT max(at) FROM incident_event WHERE incident_id = $1 AND to_status = 'joint_enforcement'`,
		cur.ID).Scan(&since); err != nil {
		return err
	}
	thisRound := func(a JointAction) bool { return a.VoidedAt == nil && (since == nil || !a.RecordedAt.Before(*since)) }
	if lead != nil && !slices.ContainsFunc(lead.Actions, thisRound) {
		return apperr.New(apperr.Conflict, "the lead department (%s) has recorded no action on incident %d since it went to joint enforcement", lead.DepartmentName, cur.ID)
	}
	return nil
}
