package incidents

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/database"
)

// Incident is a reported problem on the street (事件) and where it stands.
type Incident struct {
	ID                  int64      `json:"id"`
	Category            string     `json:"category"`
	Status              Status     `json:"status"`
	Description         string     `json:"description"`
	Lon                 float64    `json:"lon"`
	Lat                 float64    `json:"lat"`
	SubdistrictID       int64      `json:"subdistrict_id,omitempty"`
	CommunityID         int64      `json:"community_id,omitempty"`
	AreaID              int64      `json:"area_id,omitempty"`
	AssigneePersonID    int64      `json:"assignee_person_id,omitempty"`
	AssigneeName        string     `json:"assignee_name,omitempty"`
	Queue               string     `json:"queue"`
	OutsideJurisdiction bool       `json:"outside_jurisdiction"`
	EscalationLevel     int        `json:"escalation_level"`
	DepartmentIDs       []int64    `json:"department_ids"`
	LikelyDuplicateOf   int64      `json:"likely_duplicate_of,omitempty"`
	DuplicateOf         int64      `json:"duplicate_of,omitempty"`
	Overdue             bool       `json:"overdue"`
	DueAt               *time.Time `json:"due_at"`
	ReportedAt          time.Time  `json:"reported_at"`
	// ObservedAt and AccuracyM: when and how precisely the reporter's device placed it, if it said.
	ObservedAt *time.Time `json:"observed_at,omitempty"`
	AccuracyM  *float64   `json:"accuracy_m,omitempty"`
	UpdatedAt  time.Time  `json:"updated_at"`
	Source     string     `json:"source"`
	MediaURL   string     `json:"media_url,omitempty"`
	Photos     int        `json:"photos"`
	Place      Place      `json:"place"`
	PlaceText  string     `json:"place_text"`
	Events     []Event    `json:"events,omitempty"`
	// Joint are the departments of a joint-enforcement case with their acknowledgements and actions.
	Joint []Participation `json:"joint,omitempty"`
	// Told is who was notified of the case and whether they have opened it (已读/未读): leaders ask
	// "did he see it?" before "did he act?".
	Told []Told `json:"told,omitempty"`
}

// Told is one notice of the case: to whom, of what, when, and when first read (nil: unread).
type Told struct {
	PersonID   int64      `json:"person_id"`
	PersonName string     `json:"person_name"`
	Kind       string     `json:"kind"`
	At         time.Time  `json:"at"`
	ReadAt     *time.Time `json:"read_at"`
}

// Event is one step of an incident's history.
type Event struct {
	ID               int64     `json:"id"`
	At               time.Time `json:"at"`
	Kind             string    `json:"kind"`
	From             Status    `json:"from,omitempty"`
	To               Status    `json:"to,omitempty"`
	Actor            string    `json:"actor"`
	Note             string    `json:"note,omitempty"`
	AssigneePersonID int64     `json:"assignee_person_id,omitempty"`
	DepartmentIDs    []int64   `json:"department_ids,omitempty"`
	Photos           []int     `json:"photos,omitempty"`
	// Params are the facts of a system-written event (who it was routed to, the outcome of a
	// check, ...), for the reader's language to phrase; Note is only ever what a person typed, or
	// the stored English sentence of a row written before events had params.
	Params map[string]any `json:"params,omitempty"`
}

var incidentColumns = `i.id, i.category, i.status, i.description, ST_X(i.location), ST_Y(i.location),
	COALESCE(i.subdistrict_id, 0), COALESCE(i.community_id, 0), COALESCE(i.area_id, 0), COALESCE(i.assignee_person_id, 0),
	COALESCE((SELECT p.name FROM person_directory p WHERE p.id = i.assignee_person_id), ''), i.queue, i.outside_jurisdiction,
	i.escalation_level, i.department_ids, COALESCE(i.likely_duplicate_of, 0), COALESCE(i.duplicate_of, 0), i.overdue,
	i.due_at, i.reported_at, i.observed_at, i.accuracy_m::float8, i.updated_at, i.source, i.media_url,
	(SELECT count(*) FROM incident_photo_ref r WHERE r.incident_id = i.id), ` + placeColumns

// incidentFrom is what incidentColumns are selected from.
var incidentFrom = ` FROM incident i` + placeJoin

func scanIncident(row pgx.Row) (Incident, error) {
	var in Incident
	var pl placeScan
	err := row.Scan(append([]any{&in.ID, &in.Category, &in.Status, &in.Description, &in.Lon, &in.Lat, &in.SubdistrictID,
		&in.CommunityID, &in.AreaID, &in.AssigneePersonID, &in.AssigneeName, &in.Queue, &in.OutsideJurisdiction,
		&in.EscalationLevel, &in.DepartmentIDs, &in.LikelyDuplicateOf, &in.DuplicateOf, &in.Overdue, &in.DueAt,
		&in.ReportedAt, &in.ObservedAt, &in.AccuracyM, &in.UpdatedAt, &in.Source, &in.MediaURL, &in.Photos}, pl.dest()...)...)
	pl.areaID, pl.communityID, pl.subdistrictID = in.AreaID, in.CommunityID, in.SubdistrictID
	in.Place = pl.place()
	in.PlaceText = in.Place.Text()
	return in, err
}

// mayRead is the read rule: the whole district for admins and leaders; department liaisons the joint
// enforcement of their departments in their subdistricts; everyone else their scope, plus whatever is
// assigned to them in person (an area manager signs in with whatever role their account has).
func mayRead(who access.Principal, in Incident) bool {
	switch {
	case !who.SignedIn():
		return false
	case who.Scope.All:
		return true
	case who.Role == access.DepartmentLiaison:
		return slices.Contains(who.Scope.Subdistricts, in.SubdistrictID) && sharesDepartment(who, in.DepartmentIDs)
	}
	return who.Scope.InScope(in.SubdistrictID, in.CommunityID) || (who.PersonID != 0 && who.PersonID == in.AssigneePersonID)
}

// readSQL is mayRead for queries over incident i.
func readSQL(who access.Principal, args []any) (string, []any) {
	switch {
	case !who.SignedIn():
		return "FALSE", args
	case who.Scope.All:
		return "TRUE", args
	case who.Role == access.DepartmentLiaison:
		args = append(args, who.Scope.Subdistricts, who.Scope.Departments)
		return fmt.Sprintf("(i.subdistrict_id = ANY($%d::bigint[]) AND i.department_ids && $%d::bigint[])", len(args)-1, len(args)), args
	}
	scope, args := who.Scope.Predicate("i.subdistrict_id", "i.community_id", args)
	args = append(args, who.PersonID)
	return fmt.Sprintf("(%s OR ($%d::bigint <> 0 AND i.assignee_person_id = $%d))", scope, len(args), len(args)), args
}

func sharesDepartment(who access.Principal, ids []int64) bool {
	for _, d := range ids {
		if slices.Contains(who.Scope.Departments, d) {
			return true
		}
	}
	return false
}

// visible reads one incident the caller may see; others read as not found, revealing nothing.
func (s *Service) visible(ctx context.Context, db database.Querier, who access.Principal, id int64) (Incident, error) {
	in, err := scanIncident(db.QueryRow(ctx, `SELECT `+incidentColumns+incidentFrom+` WHERE i.id = $1`, id))
	if err != nil {
		return in, translate(err, fmt.Sprintf("incident %d", id))
	}
	if !mayRead(who, in) {
		return Incident{}, apperr.New(apperr.NotFound, "incident %d not found", id)
	}
	return in, nil
}

// Incident returns one incident with its history.
func (s *Service) Incident(ctx context.Context, who access.Principal, id int64) (Incident, error) {
	in, err := s.visible(ctx, s.db, who, id)
	if err != nil {
		return in, err
	}
	if in.Events, err = events(ctx, s.db, id); err != nil {
		return in, err
	}
	if in.Joint, err = participations(ctx, s.db, id); err != nil {
		return in, err
	}
	in.Told, err = told(ctx, s.db, id)
	return in, err
}

func told(ctx context.Context, db database.Querier, id int64) ([]Told, error) {
	rows, err := db.Query(ctx, `SELECT n.person_id, p.name, n.kind, n.created_at, n.read_at
		FROM notification_receipt n JOIN person_directory p ON p.id = n.person_id
		WHERE n.subject_type = 'incident' AND n.subject_id = $1 ORDER BY n.created_at, n.id`, id)
	if err != nil {
		return nil, translate(err, "incident notices")
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Told])
	return out, translate(err, "incident notices")
}

func events(ctx context.Context, db database.Querier, id int64) ([]Event, error) {
	rows, err := db.Query(ctx, `SELECT e.id, e.at, e.kind, COALESCE(e.from_status, ''), COALESCE(e.to_status, ''), e.actor,
			e.note, COALESCE(e.assignee_person_id, 0), e.department_ids, e.params,
			ARRAY(SELECT r.n FROM incident_photo_ref r WHERE r.event_id = e.id ORDER BY r.n)
		FROM incident_event e WHERE e.incident_id = $1 ORDER BY e.id`, id)
	if err != nil {
		return nil, translate(err, "incident events")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Event, error) {
		var e Event
		var photos []int32
		err := r.Scan(&e.ID, &e.At, &e.Kind, &e.From, &e.To, &e.Actor, &e.Note, &e.AssigneePersonID, &e.DepartmentIDs, &e.Params, &photos)
		if len(e.Params) == 0 {
			e.Params = nil
		}
		for _, n := range photos {
			e.Photos = append(e.Photos, int(n))
		}
		return e, err
	})
	return out, translate(err, "incident events")
}

// event is an incident_event row to write.
type event struct {
	incident    int64
	at          time.Time
	kind        string
	from, to    Status
	note        string
	assignee    int64
	departments []int64
	params      map[string]any
}

func addEvent(ctx context.Context, tx pgx.Tx, who access.Principal, e event) (int64, error) {
	if e.departments == nil {
		e.departments = []int64{}
	}
	e.params = merge(who, e.params, nil)
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO incident_event (incident_id, at, kind, from_status, to_status, actor, user_id, note,
			assignee_person_id, department_ids, params)
		VALUES ($1, $2, $3, NULLIF($4, ''), NULLIF($5, ''), $6, NULLIF($7, 0), $8, NULLIF($9, 0), $10, $11) RETURNING id`,
		e.incident, e.at, e.kind, string(e.from), string(e.to), who.Label(), who.UserID, e.note, e.assignee, e.departments,
		e.params).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("incident %d event: %w", e.incident, err)
	}
	return id, tell(ctx, tx, who, e)
}
