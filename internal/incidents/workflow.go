package incidents

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/registry"
)

// Next is the workflow: the statuses an incident may move to from each status. Lane chiefs persuade on
// the spot (in_progress); a stubborn case goes at once to the street chief (escalated), who may bring in
// the enforcement departments (joint_enforcement).
var Next = map[Status][]Status{
	Reported:         {Assigned, Escalated, Rejected, Duplicate},
	Assigned:         {InProgress, Escalated, Rejected, Duplicate},
	InProgress:       {Resolved, Escalated, JointEnforcement, Rejected, Duplicate},
	Escalated:        {Assigned, InProgress, JointEnforcement, Resolved, Rejected, Duplicate},
	JointEnforcement: {Resolved},
	Resolved:         {Closed, Reopened},
	Reopened:         {Assigned, InProgress, Escalated, Rejected, Duplicate},
	Closed:           {Reopened},
	Rejected:         {Reopened},
	Duplicate:        {Reopened},
}

// Legal reports whether the workflow allows from → to.
func Legal(from, to Status) bool { return slices.Contains(Next[from], to) }

// Who acts on an incident, by role and scope.
type actor int

const (
	nobody  actor = iota
	local         // the lane chief of its community, or the person it is assigned to (an area manager)
	liaison       // a department liaison of its subdistrict whose department is in its joint enforcement
	chief         // the street chief of its subdistrict, or an admin
)

// localMay are the moves of the people on the spot; everything legal is the chief's.
var localMay = map[[2]Status]bool{
	{Assigned, InProgress}: true, {Reopened, InProgress}: true, {InProgress, Resolved}: true,
	{Reported, Escalated}: true, {Assigned, Escalated}: true, {InProgress, Escalated}: true, {Reopened, Escalated}: true,
}

func actorOf(who access.Principal, in Incident) actor {
	switch who.Role {
	case access.Admin:
		return chief
	case access.StreetChief:
		if in.SubdistrictID != 0 && slices.Contains(who.Scope.Subdistricts, in.SubdistrictID) {
			return chief
		}
	case access.DepartmentLiaison:
		if in.Status == JointEnforcement && slices.Contains(who.Scope.Subdistricts, in.SubdistrictID) &&
			sharesDepartment(who, in.DepartmentIDs) {
			return liaison
		}
	case access.LaneChief:
		if in.CommunityID != 0 && slices.Contains(who.Scope.Communities, in.CommunityID) {
			return local
		}
	case access.DistrictLeader:
		return nobody // reads everything, changes nothing
	}
	if who.PersonID != 0 && who.PersonID == in.AssigneePersonID {
		return local
	}
	return nobody
}

func (a actor) may(from, to Status) bool {
	switch a {
	case chief:
		return true
	case local:
		return localMay[[2]Status{from, to}]
	case liaison:
		return from == JointEnforcement && to == Resolved
	}
	return false
}

// TransitionInput moves an incident on. Departments (codes) are for joint_enforcement, AssigneePersonID
// for assigned (else the post holder where it is), DuplicateOf for duplicate (else the suspected one).
type TransitionInput struct {
	To               Status
	Note             string
	Departments      []string
	Photos           []Photo
	AssigneePersonID int64
	DuplicateOf      int64
	// Lead is the code of the department that leads a joint case (else the first one named).
	Lead string
}

// Transition moves an incident to in.To if the workflow allows it (else Conflict) and the caller may
// (else Forbidden), recording who, when, why, and the photos, in the same transaction.
func (s *Service) Transition(ctx context.Context, who access.Principal, id int64, in TransitionInput) (Incident, error) {
	if !slices.Contains(Statuses, in.To) {
		return Incident{}, apperr.New(apperr.Invalid, "to %q is not a status", in.To).With("field", "to")
	}
	if err := checkNote(in.Note); err != nil {
		return Incident{}, err
	}
	if len(in.Photos) > MaxPhotos {
		return Incident{}, apperr.New(apperr.TooLarge, "at most %d photos", MaxPhotos)
	}
	now := s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM incident WHERE id = $1 FOR UPDATE`, id); err != nil {
			return err
		}
		cur, err := s.visible(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if !Legal(cur.Status, in.To) {
			return apperr.New(apperr.Conflict, "incident %d is %s; it cannot go to %s (allowed: %s)", id, cur.Status, in.To, joinStatuses(Next[cur.Status])).
				With("status", cur.Status)
		}
		// Every move out of resolved is a check (核查): closed if it passed, reopened if not.
		checking, closing := cur.Status == Resolved, cur.Status == Resolved && in.To == Closed
		if checking {
			if err := mayVerify(ctx, tx, who, cur); err != nil {
				return err
			}
		} else if !actorOf(who, cur).may(cur.Status, in.To) {
			return apperr.New(apperr.Forbidden, "your role (%s) may not move incident %d from %s to %s", who.Role, id, cur.Status, in.To)
		} else if cur.Status == JointEnforcement {
			if err := mayResolveJoint(ctx, tx, who, cur); err != nil {
				return err
			}
		}
		cat, err := category(ctx, tx, cur.Category)
		if err != nil {
			return err
		}
		if (in.To == Resolved || closing) && cat.AfterPhotoRequired && len(in.Photos) == 0 {
			return apperr.New(apperr.Invalid, "category %s asks for a photo from the spot (after) to %s it", cat.Code, verb[in.To]).With("field", "photos")
		}
		if checking {
			outcome := Confirmed
			if !closing {
				outcome = Failed
				if strings.TrimSpace(in.Note) == "" {
					return apperr.New(apperr.Invalid, "say what is still wrong (note)").With("field", "note")
				}
			}
			if _, err := addEvent(ctx, tx, who, event{incident: id, at: now, kind: "verification",
				params: map[string]any{"outcome": outcome, "by": string(who.Role)}}); err != nil {
				return err
			}
		}
		next := cur
		next.Status = in.To
		next.DueAt = cat.Due(in.To, now)
		e := event{incident: id, at: now, kind: "transition", from: cur.Status, to: in.To, note: strings.TrimSpace(in.Note)}
		switch in.To {
		case Resolved:
			if _, err := tx.Exec(ctx, `UPDATE incident SET resolved_by_user_id = NULLIF($2, 0), resolved_by_person_id = NULLIF($3, 0)
				WHERE id = $1`, id, who.UserID, who.PersonID); err != nil {
				return err
			}
			if err := s.tellReporterResolved(ctx, tx, id); err != nil {
				return err
			}
		case Assigned:
			if e.params, err = s.assign(ctx, tx, &next, in.AssigneePersonID, now); err != nil {
				return err
			}
		case Escalated:
			ans, err := s.matcher.Lookup(ctx, orb.Point{cur.Lon, cur.Lat}, now)
			if err != nil {
				return err
			}
			rt := routeAnswer(ans, LevelStreetChief)
			setRouting(&next, rt)
			e.params = routingParams(rt)
		case JointEnforcement:
			codes := in.Departments
			if len(codes) == 0 {
				codes = cat.Departments
			}
			ids, err := departmentIDs(ctx, tx, codes)
			if err != nil {
				return err
			}
			if len(ids) == 0 {
				return apperr.New(apperr.Invalid, "joint enforcement needs departments").With("field", "departments")
			}
			for _, d := range ids {
				if !slices.Contains(next.DepartmentIDs, d) {
					next.DepartmentIDs = append(next.DepartmentIDs, d)
				}
			}
			e.departments = ids
			var lead int64
			if in.Lead != "" {
				l, err := departmentIDs(ctx, tx, []string{in.Lead})
				if err != nil {
					return err
				}
				lead = l[0]
			}
			if _, err := requestDepartments(ctx, tx, cur, ids, lead, now); err != nil {
				return err
			}
		case Rejected:
			if e.note == "" {
				return apperr.New(apperr.Invalid, "say why the incident is rejected (note)").With("field", "note")
			}
		case Duplicate:
			dup := in.DuplicateOf
			if dup == 0 {
				dup = cur.LikelyDuplicateOf
			}
			if dup == 0 || dup == id {
				return apperr.New(apperr.Invalid, "name the incident this duplicates (duplicate_of)").With("field", "duplicate_of")
			}
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM incident WHERE id = $1)`, dup).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				return apperr.New(apperr.Invalid, "incident %d does not exist", dup).With("field", "duplicate_of")
			}
			next.DuplicateOf = dup
			e.params = map[string]any{"of": dup}
		case Reopened:
			next.DuplicateOf = 0
		}
		e.assignee = next.AssigneePersonID
		if _, err := tx.Exec(ctx, `UPDATE incident SET status = $2, due_at = $3, assignee_person_id = NULLIF($4, 0), queue = $5,
				escalation_level = $6, department_ids = $7, duplicate_of = NULLIF($8, 0), updated_at = $9 WHERE id = $1`,
			id, next.Status, next.DueAt, next.AssigneePersonID, next.Queue, next.EscalationLevel, next.DepartmentIDs,
			next.DuplicateOf, now); err != nil {
			return err
		}
		eventID, err := addEvent(ctx, tx, who, e)
		if err != nil {
			return err
		}
		if err := s.attachPhotos(ctx, tx, id, eventID, in.Photos); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Transition, "incident", id,
			map[string]any{"status": cur.Status, "assignee_person_id": cur.AssigneePersonID},
			map[string]any{"status": next.Status, "assignee_person_id": next.AssigneePersonID, "note": e.note})
	})
	if err != nil {
		return Incident{}, err
	}
	return s.Incident(ctx, who, id)
}

var verb = map[Status]string{Resolved: "resolve", Closed: "close"}

// assign gives the incident to the named person, or else to whoever holds the post where it is, and
// answers the event params naming them.
func (s *Service) assign(ctx context.Context, tx pgx.Tx, in *Incident, personID int64, now time.Time) (map[string]any, error) {
	if personID != 0 {
		c, err := s.offered(ctx, tx, *in, personID)
		if err != nil {
			return nil, err
		}
		in.AssigneePersonID, in.Queue = personID, QueueAssignee
		if lvl, ok := levelOfRole[c.Role]; ok {
			in.EscalationLevel = lvl
		}
		return personParams(c.PersonID, c.Name, string(c.Role), c.Unit), nil
	}
	ans, err := s.matcher.Lookup(ctx, orb.Point{in.Lon, in.Lat}, now)
	if err != nil {
		return nil, err
	}
	rt := routeAnswer(ans, LevelAreaManager)
	if rt.assignee == nil {
		return nil, apperr.New(apperr.Invalid, "nobody holds a post here: name the assignee (assignee_person_id)").With("field", "assignee_person_id")
	}
	setRouting(in, rt)
	return routingParams(rt), nil
}

func setRouting(in *Incident, rt routing) {
	in.AssigneePersonID, in.Queue, in.EscalationLevel = rt.assignee.personID(), rt.queue, rt.level
}

// checkNote applies the registry's one text rule (UTF-8, no NUL or other control characters) with the
// incidents' own limit; a note from a multipart form has not passed the JSON checks.
func checkNote(note string) error {
	return registry.CheckText("note", note, MaxDescription)
}

func joinStatuses(ss []Status) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, ", ")
}

// AddNote adds a note (and photos) to an incident without moving it: anyone who may act on it, and the
// liaisons of its joint enforcement.
func (s *Service) AddNote(ctx context.Context, who access.Principal, id int64, note string, photos []Photo) (Incident, error) {
	if err := checkNote(note); err != nil {
		return Incident{}, err
	}
	if strings.TrimSpace(note) == "" && len(photos) == 0 {
		return Incident{}, apperr.New(apperr.Invalid, "a note needs text or photos").With("field", "note")
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := s.visible(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if actorOf(who, cur) == nobody {
			return apperr.New(apperr.Forbidden, "your role (%s) may not add notes to incident %d", who.Role, id)
		}
		eventID, err := addEvent(ctx, tx, who, event{incident: id, at: s.now(), kind: "note", note: strings.TrimSpace(note)})
		if err != nil {
			return err
		}
		if err := s.attachPhotos(ctx, tx, id, eventID, photos); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Update, "incident", id, nil,
			map[string]any{"event_id": eventID, "note": strings.TrimSpace(note), "photos": len(photos)})
	})
	if err != nil {
		return Incident{}, err
	}
	return s.Incident(ctx, who, id)
}

// NotDuplicate removes a suspected-duplicate link the chief found wrong.
func (s *Service) NotDuplicate(ctx context.Context, who access.Principal, id int64, note string) (Incident, error) {
	if err := checkNote(note); err != nil {
		return Incident{}, err
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := s.visible(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if actorOf(who, cur) != chief {
			return apperr.New(apperr.Forbidden, "only the street chief may decide on duplicates")
		}
		if cur.LikelyDuplicateOf == 0 {
			return apperr.New(apperr.Conflict, "incident %d is not suspected to be a duplicate", id)
		}
		if _, err := tx.Exec(ctx, `UPDATE incident SET likely_duplicate_of = NULL, updated_at = $2 WHERE id = $1`, id, s.now()); err != nil {
			return err
		}
		_, err = addEvent(ctx, tx, who, event{incident: id, at: s.now(), kind: "duplicate_unlinked",
			note: strings.TrimSpace(note), params: map[string]any{"of": cur.LikelyDuplicateOf}})
		return err
	})
	if err != nil {
		return Incident{}, err
	}
	return s.Incident(ctx, who, id)
}
