package operations

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
)

// Summary is an operation as lists and the calendar show it.
type Summary struct {
	ID              int64      `json:"id"`
	Title           string     `json:"title"`
	Kind            Kind       `json:"kind"`
	State           State      `json:"state"`
	SubdistrictID   int64      `json:"subdistrict_id"`
	SubdistrictName string     `json:"subdistrict_name"`
	StartsAt        time.Time  `json:"starts_at"`
	EndsAt          time.Time  `json:"ends_at"`
	DepartmentIDs   []int64    `json:"department_ids"`
	Shops           int        `json:"shops"`
	Cases           int        `json:"cases"`
	CancelledAt     *time.Time `json:"cancelled_at,omitempty"`
}

// Operation is one operation with everything it names.
type Operation struct {
	Summary
	Briefing     string          `json:"briefing"`
	TargetArea   json.RawMessage `json:"target_area"` // GeoJSON MultiPolygon or null
	CreatedBy    string          `json:"created_by"`
	CreatedAt    time.Time       `json:"created_at"`
	CancelReason string          `json:"cancel_reason,omitempty"`
	Departments  []Department    `json:"departments"`
	People       []Participant   `json:"people"`
	Areas        []TargetArea    `json:"areas"`
	TargetShops  []TargetShop    `json:"target_shops"`
	TargetCases  []Case          `json:"cases_linked"`
	CaseCounts   CaseCounts      `json:"case_counts"`
	Outcome      *Outcome        `json:"outcome"`  // the one in force; nil before there is one
	Outcomes     []Outcome       `json:"outcomes"` // all of them, newest first
	Revisions    []Revision      `json:"revisions"`
}

// Department is a department taking part.
type Department struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// Participant is a person taking part; Phone is empty outside the caller's scope.
type Participant struct {
	PersonID int64  `json:"person_id"`
	Name     string `json:"name"`
	Phone    string `json:"phone,omitempty"`
	Role     Role   `json:"role"`
}

// TargetArea is an area the operation targets.
type TargetArea struct {
	ID   int64  `json:"id"`
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// TargetShop is a target shop, with how the outcome in force says it was dealt with.
type TargetShop struct {
	ID             int64   `json:"id"`
	Name           string  `json:"name"`
	Address        string  `json:"address"`
	Lon            float64 `json:"lon"`
	Lat            float64 `json:"lat"`
	RepeatOffender bool    `json:"repeat_offender"`
	Dealt          Dealt   `json:"dealt,omitempty"`
}

// Case is a case of the operation with its state now, read from incidents.
type Case struct {
	IncidentID int64            `json:"incident_id"`
	How        string           `json:"how"`
	LinkedAt   time.Time        `json:"linked_at"`
	Status     incidents.Status `json:"status"`
	Category   string           `json:"category"`
	Lon        float64          `json:"lon"`
	Lat        float64          `json:"lat"`
}

// CaseCounts are the operation's cases by their state now: counted, never typed in.
type CaseCounts struct {
	Total  int `json:"total"`
	Open   int `json:"open"`
	Closed int `json:"closed"`
	OnSpot int `json:"opened_on_spot"`
}

// Revision is a change made to a planned operation: what it was before, and why it changed.
type Revision struct {
	ID        int64           `json:"id"`
	RevisedAt time.Time       `json:"revised_at"`
	RevisedBy string          `json:"revised_by"`
	Reason    string          `json:"reason"`
	Before    json.RawMessage `json:"before"`
}

const summaryColumns = `o.id, o.title, o.kind, ` + stateSQL + `, o.subdistrict_id, COALESCE(u.name, ''), o.starts_at, o.ends_at,
	ARRAY(SELECT d.department_id FROM operation_department d WHERE d.operation_id = o.id ORDER BY d.department_id),
	(SELECT count(*) FROM operation_merchant m WHERE m.operation_id = o.id),
	(SELECT count(*) FROM operation_incident i WHERE i.operation_id = o.id), o.cancelled_at`

func scanSummary(row pgx.Row, extra ...any) (Summary, error) {
	var s Summary
	err := row.Scan(append([]any{&s.ID, &s.Title, &s.Kind, &s.State, &s.SubdistrictID, &s.SubdistrictName, &s.StartsAt, &s.EndsAt,
		&s.DepartmentIDs, &s.Shops, &s.Cases, &s.CancelledAt}, extra...)...)
	return s, err
}

// Get returns operation id if who may read it.
func (s *Store) Get(ctx context.Context, who access.Principal, id int64) (Operation, error) {
	where, args := readPredicate(who, []any{s.now(), id})
	var op Operation
	var area []byte
	sum, err := scanSummary(s.db.QueryRow(ctx, `SELECT `+summaryColumns+`, o.briefing, ST_AsGeoJSON(o.target_area), o.created_by, o.created_at,
		COALESCE(o.cancel_reason, '') FROM operation o LEFT JOIN unit_directory u ON u.id = o.subdistrict_id
		WHERE o.id = $2 AND `+where, args...), &op.Briefing, &area, &op.CreatedBy, &op.CreatedAt, &op.CancelReason)
	if err == pgx.ErrNoRows {
		return op, apperr.New(apperr.NotFound, "operation %d not found", id)
	}
	if err != nil {
		return op, fmt.Errorf("operation %d: %w", id, err)
	}
	op.Summary = sum
	op.TargetArea = json.RawMessage("null")
	if area != nil {
		op.TargetArea = area
	}
	if err := s.fill(ctx, who, &op); err != nil {
		return op, fmt.Errorf("operation %d: %w", id, err)
	}
	return op, nil
}

func (s *Store) fill(ctx context.Context, who access.Principal, op *Operation) error {
	var err error
	if op.Departments, err = collect(ctx, s, `SELECT d.id, d.code, d.name FROM operation_department o JOIN department_directory d ON d.id = o.department_id
		WHERE o.operation_id = $1 ORDER BY d.id`, op.ID, func(r pgx.CollectableRow) (Department, error) {
		var d Department
		return d, r.Scan(&d.ID, &d.Code, &d.Name)
	}); err != nil {
		return err
	}
	if op.People, err = collect(ctx, s, `SELECT p.person_id, d.name, p.role FROM operation_person p JOIN person_directory d ON d.id = p.person_id
		WHERE p.operation_id = $1 ORDER BY p.role, p.person_id`, op.ID, func(r pgx.CollectableRow) (Participant, error) {
		var p Participant
		return p, r.Scan(&p.PersonID, &p.Name, &p.Role)
	}); err != nil {
		return err
	}
	for i := range op.People {
		// The registry shows a phone only to callers with scope over one of the person's posts.
		if p, err := s.registry.Person(ctx, who, op.People[i].PersonID); err == nil {
			op.People[i].Phone = p.Phone
		}
	}
	if op.Areas, err = collect(ctx, s, `SELECT a.id, a.kind, a.name FROM operation_area o JOIN area_directory a ON a.id = o.area_id
		WHERE o.operation_id = $1 ORDER BY a.id`, op.ID, func(r pgx.CollectableRow) (TargetArea, error) {
		var a TargetArea
		return a, r.Scan(&a.ID, &a.Kind, &a.Name)
	}); err != nil {
		return err
	}
	if err := s.fillOutcomes(ctx, op); err != nil {
		return err
	}
	if op.TargetShops, err = collect(ctx, s, `SELECT m.id, m.name, m.address, ST_X(m.location), ST_Y(m.location), o.repeat_offender,
		COALESCE((SELECT x.dealt FROM operation_outcome_shop x WHERE x.outcome_id = $2 AND x.merchant_id = m.id), '')
		FROM operation_merchant o JOIN merchant_directory m ON m.id = o.merchant_id
		WHERE o.operation_id = $1 ORDER BY o.repeat_offender DESC, m.id`, op.ID, func(r pgx.CollectableRow) (TargetShop, error) {
		var t TargetShop
		return t, r.Scan(&t.ID, &t.Name, &t.Address, &t.Lon, &t.Lat, &t.RepeatOffender, &t.Dealt)
	}, outcomeID(op)); err != nil {
		return err
	}
	if op.Revisions, err = collect(ctx, s, `SELECT id, revised_at, revised_by, reason, before FROM operation_revision
		WHERE operation_id = $1 ORDER BY id DESC`, op.ID, func(r pgx.CollectableRow) (Revision, error) {
		var v Revision
		return v, r.Scan(&v.ID, &v.RevisedAt, &v.RevisedBy, &v.Reason, &v.Before)
	}); err != nil {
		return err
	}
	return s.fillCases(ctx, op)
}

func outcomeID(op *Operation) int64 {
	if op.Outcome == nil {
		return 0
	}
	return op.Outcome.ID
}

// fillCases reads the state of each case from incidents. The states are counted whoever asks: an
// operation's reader sees how many of its cases are closed even when a case's content is not theirs.
func (s *Store) fillCases(ctx context.Context, op *Operation) error {
	var err error
	if op.TargetCases, err = collect(ctx, s, `SELECT incident_id, how, linked_at FROM operation_incident WHERE operation_id = $1
		ORDER BY linked_at, incident_id`, op.ID, func(r pgx.CollectableRow) (Case, error) {
		var c Case
		return c, r.Scan(&c.IncidentID, &c.How, &c.LinkedAt)
	}); err != nil {
		return err
	}
	system := access.System("operations")
	for i := range op.TargetCases {
		c := &op.TargetCases[i]
		inc, err := s.incidents.Incident(ctx, system, c.IncidentID)
		if err != nil {
			return fmt.Errorf("case %d: %w", c.IncidentID, err)
		}
		c.Status, c.Category, c.Lon, c.Lat = inc.Status, inc.Category, inc.Lon, inc.Lat
		op.CaseCounts.Total++
		switch {
		case inc.Status.Open():
			op.CaseCounts.Open++
		case inc.Status == incidents.Closed:
			op.CaseCounts.Closed++
		}
		if c.How == OpenedOnSpot {
			op.CaseCounts.OnSpot++
		}
	}
	return nil
}

func collect[T any](ctx context.Context, s *Store, q string, id int64, fn pgx.RowToFunc[T], extra ...any) ([]T, error) {
	rows, err := s.db.Query(ctx, q, append([]any{id}, extra...)...)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, fn)
	if out == nil {
		out = []T{}
	}
	return out, err
}
