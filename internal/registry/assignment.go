package registry

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
)

// AssignmentRoles are the posts a person can hold over an area or an admin unit.
var AssignmentRoles = []string{"street_chief", "lane_chief", "area_manager", "department_liaison", "inspector", "deputy", "volunteer"}

// Assignment says that a person holds a post — street chief (街长) of a subdistrict, lane chief (巷长) of a
// community, manager of an area, a department's liaison — over a span of time. Until is nil while the
// post is held. Ended assignments stay: they are the answer to "who was responsible then".
type Assignment struct {
	ID            int64      `json:"id"`
	AreaID        int64      `json:"area_id,omitempty"`
	AdminUnitID   int64      `json:"admin_unit_id,omitempty"`
	PersonID      int64      `json:"person_id"`
	PersonName    string     `json:"person_name"`
	Role          string     `json:"role"`
	DepartmentID  int64      `json:"department_id,omitempty"`
	Primary       bool       `json:"primary"`
	From          time.Time  `json:"from"`
	Until         *time.Time `json:"until"`
	Note          string     `json:"note"`
	SubdistrictID int64      `json:"subdistrict_id,omitempty"`
	CommunityID   int64      `json:"community_id,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
}

// AssignmentInput creates an assignment. From defaults to now. With Handover, the current holder of the
// same primary post is relieved at From instead of the request failing with a conflict.
type AssignmentInput struct {
	AreaID       int64
	AdminUnitID  int64
	PersonID     int64
	Role         string
	DepartmentID int64
	Primary      bool
	From         *time.Time
	Until        *time.Time
	Note         string
	Handover     bool
}

// AssignmentFilter selects assignments: by default those valid now; At for another moment; History
// for all of them.
type AssignmentFilter struct {
	At          *time.Time
	History     bool
	PersonID    int64
	AreaID      int64
	AdminUnitID int64
	Role        string
	Page        Page
}

// assignmentFrom locates each assignment in a subdistrict and community, through its area or unit,
// so the caller's scope can be applied to it.
const assignmentFrom = `FROM assignment s
	JOIN person p ON p.id = s.person_id
	LEFT JOIN area a ON a.id = s.area_id
	LEFT JOIN admin_unit u ON u.id = s.admin_unit_id`

const assignmentColumns = `s.id, COALESCE(s.area_id, 0), COALESCE(s.admin_unit_id, 0), s.person_id, p.name, s.role,
	COALESCE(s.department_id, 0), s.is_primary, lower(s.valid), upper(s.valid), s.note,
	COALESCE(a.subdistrict_id, CASE u.level WHEN 'subdistrict' THEN u.id WHEN 'community' THEN u.parent_id END, 0),
	COALESCE(a.community_id, CASE u.level WHEN 'community' THEN u.id END, 0), s.created_at`

func scanAssignment(row pgx.Row) (Assignment, error) {
	var a Assignment
	err := row.Scan(&a.ID, &a.AreaID, &a.AdminUnitID, &a.PersonID, &a.PersonName, &a.Role, &a.DepartmentID,
		&a.Primary, &a.From, &a.Until, &a.Note, &a.SubdistrictID, &a.CommunityID, &a.CreatedAt)
	return a, err
}

// ListAssignments returns one page of the assignments in the caller's scope that match f.
func (s *Store) ListAssignments(ctx context.Context, who access.Principal, f AssignmentFilter) ([]Assignment, int64, error) {
	if f.Role != "" && !slices.Contains(AssignmentRoles, f.Role) {
		return nil, 0, apperr.New(apperr.Invalid, "role %q is not one of %s", f.Role, strings.Join(AssignmentRoles, ", "))
	}
	const loc = `COALESCE(a.subdistrict_id, CASE u.level WHEN 'subdistrict' THEN u.id WHEN 'community' THEN u.parent_id END)`
	const com = `COALESCE(a.community_id, CASE u.level WHEN 'community' THEN u.id END)`
	where, args := who.Scope.Predicate(loc, com, nil)
	conds := []string{where}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	switch {
	case f.History:
	case f.At != nil:
		add("s.valid @> $%d::timestamptz", *f.At)
	default:
		conds = append(conds, "s.valid @> now()")
	}
	if f.Page.After > 0 {
		add("s.id > $%d", f.Page.After)
	}
	if f.PersonID != 0 {
		add("s.person_id = $%d", f.PersonID)
	}
	if f.AreaID != 0 {
		add("s.area_id = $%d", f.AreaID)
	}
	if f.AdminUnitID != 0 {
		add("s.admin_unit_id = $%d", f.AdminUnitID)
	}
	if f.Role != "" {
		add("s.role = $%d", f.Role)
	}
	limit := f.Page.limit()
	args = append(args, limit+1)
	q := `SELECT ` + assignmentColumns + ` ` + assignmentFrom + ` WHERE ` + strings.Join(conds, " AND ") +
		fmt.Sprintf(` ORDER BY s.id LIMIT $%d`, len(args))
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list assignments: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Assignment, error) { return scanAssignment(r) })
	if err != nil {
		return nil, 0, fmt.Errorf("list assignments: %w", err)
	}
	list, next := trimPage(list, limit, func(x Assignment) int64 { return x.ID })
	return list, next, nil
}

// Assignment returns one assignment in the caller's scope.
func (s *Store) Assignment(ctx context.Context, who access.Principal, id int64) (Assignment, error) {
	return getAssignment(ctx, s.db, who, id, "")
}

func getAssignment(ctx context.Context, db interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, who access.Principal, id int64, lock string) (Assignment, error) {
	a, err := scanAssignment(db.QueryRow(ctx, `SELECT `+assignmentColumns+` `+assignmentFrom+` WHERE s.id = $1 `+lock, id))
	if err != nil {
		return a, translate(err, fmt.Sprintf("assignment %d", id))
	}
	if !who.Scope.InScope(a.SubdistrictID, a.CommunityID) {
		return Assignment{}, apperr.New(apperr.NotFound, "assignment %d not found", id)
	}
	return a, nil
}

// CreateAssignment puts a person in a post. Who may appoint follows the hierarchy: admins appoint
// street chiefs; street chiefs appoint lane chiefs and liaisons in their subdistrict; chiefs appoint
// area managers, inspectors, deputies and volunteers in their scope.
func (s *Store) CreateAssignment(ctx context.Context, who access.Principal, in AssignmentInput) (Assignment, error) {
	if err := in.check(); err != nil {
		return Assignment{}, err
	}
	if err := mayAppoint(who, in.Role); err != nil {
		return Assignment{}, err
	}
	from := time.Now()
	if in.From != nil {
		from = *in.From
	}
	var out Assignment
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		sub, com, err := locateTarget(ctx, tx, in)
		if err != nil {
			return err
		}
		if !who.Scope.InScope(sub, com) {
			return apperr.New(apperr.Forbidden, "the target is outside your scope")
		}
		var personExists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM person WHERE id = $1)`, in.PersonID).Scan(&personExists); err != nil {
			return fmt.Errorf("look up person: %w", err)
		}
		if !personExists {
			return apperr.New(apperr.Invalid, "person %d does not exist", in.PersonID)
		}
		if in.Handover && in.Primary {
			if err := relieve(ctx, tx, who, in, from); err != nil {
				return err
			}
		}
		var id int64
		err = tx.QueryRow(ctx, `INSERT INTO assignment (area_id, admin_unit_id, person_id, role, department_id, is_primary, valid, note)
			VALUES (NULLIF($1, 0), NULLIF($2, 0), $3, $4, NULLIF($5, 0), $6, tstzrange($7, $8, '[)'), $9) RETURNING id`,
			in.AreaID, in.AdminUnitID, in.PersonID, in.Role, in.DepartmentID, in.Primary, from, in.Until, in.Note).Scan(&id)
		if err != nil {
			return translate(err, "assignment")
		}
		if out, err = getAssignment(ctx, tx, access.System(""), id, ""); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Create, "assignment", id, nil, out)
	})
	return out, err
}

// relieve ends the current holder's primary post at the moment the new holder takes it over.
func relieve(ctx context.Context, tx pgx.Tx, who access.Principal, in AssignmentInput, at time.Time) error {
	rows, err := tx.Query(ctx, `SELECT id FROM assignment
		WHERE COALESCE(area_id, 0) = $1 AND COALESCE(admin_unit_id, 0) = $2 AND role = $3
		  AND COALESCE(department_id, 0) = $4 AND is_primary AND valid @> $5::timestamptz FOR UPDATE`,
		in.AreaID, in.AdminUnitID, in.Role, in.DepartmentID, at)
	if err != nil {
		return fmt.Errorf("handover: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("handover: %w", err)
	}
	for _, id := range ids {
		if err := endAssignment(ctx, tx, who, id, at); err != nil {
			return err
		}
	}
	return nil
}

// EndAssignment relieves a person of a post at the given moment (now when nil). An assignment that
// has not started by then is withdrawn altogether.
func (s *Store) EndAssignment(ctx context.Context, who access.Principal, id int64, at *time.Time) (Assignment, error) {
	when := time.Now()
	if at != nil {
		when = *at
	}
	var out Assignment
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		before, err := getAssignment(ctx, tx, who, id, "FOR UPDATE OF s")
		if err != nil {
			return err
		}
		if err := mayAppoint(who, before.Role); err != nil {
			return err
		}
		if err := endAssignment(ctx, tx, who, id, when); err != nil {
			return err
		}
		out, err = getAssignment(ctx, tx, access.System(""), id, "")
		if apperr.Is(err, apperr.NotFound) {
			out, err = before, nil
		}
		return err
	})
	return out, err
}

func endAssignment(ctx context.Context, tx pgx.Tx, who access.Principal, id int64, at time.Time) error {
	before, err := getAssignment(ctx, tx, access.System(""), id, "")
	if err != nil {
		return err
	}
	if before.Until != nil && !before.Until.After(at) {
		return apperr.New(apperr.Conflict, "assignment %d already ended at %s", id, before.Until.Format(time.RFC3339))
	}
	if !at.After(before.From) {
		if _, err := tx.Exec(ctx, `DELETE FROM assignment WHERE id = $1`, id); err != nil {
			return translate(err, "assignment")
		}
		return audit.Record(ctx, tx, who, audit.Delete, "assignment", id, before, nil)
	}
	if _, err := tx.Exec(ctx, `UPDATE assignment SET valid = tstzrange(lower(valid), $2, '[)') WHERE id = $1`, id, at); err != nil {
		return translate(err, "assignment")
	}
	after := before
	after.Until = &at
	return audit.Record(ctx, tx, who, audit.End, "assignment", id, before, after)
}

func (in AssignmentInput) check() error {
	if !slices.Contains(AssignmentRoles, in.Role) {
		return apperr.New(apperr.Invalid, "role %q is not one of %s", in.Role, strings.Join(AssignmentRoles, ", "))
	}
	if (in.AreaID == 0) == (in.AdminUnitID == 0) {
		return apperr.New(apperr.Invalid, "give exactly one target: area_id or admin_unit_id")
	}
	if in.PersonID == 0 {
		return apperr.New(apperr.Invalid, "person_id is required")
	}
	if (in.Role == "department_liaison") != (in.DepartmentID != 0) {
		return apperr.New(apperr.Invalid, "department_id is required for a department_liaison and only for one")
	}
	if in.From != nil && in.Until != nil && !in.Until.After(*in.From) {
		return apperr.New(apperr.Invalid, "until must be after from")
	}
	return checkTexts("note", in.Note, MaxNoteChars)
}

// mayAppoint enforces who may give which post.
func mayAppoint(who access.Principal, role string) error {
	switch who.Role {
	case access.Admin:
		return nil
	case access.StreetChief:
		if role != "street_chief" {
			return nil
		}
	case access.LaneChief:
		if !slices.Contains([]string{"street_chief", "lane_chief", "department_liaison"}, role) {
			return nil
		}
	}
	return apperr.New(apperr.Forbidden, "your role may not appoint or relieve a %s", role)
}

// locateTarget checks that the target suits the role and returns the subdistrict and community it
// lies in.
func locateTarget(ctx context.Context, tx pgx.Tx, in AssignmentInput) (sub, com int64, err error) {
	if in.AreaID != 0 {
		if in.Role == "street_chief" || in.Role == "lane_chief" || in.Role == "department_liaison" {
			return 0, 0, apperr.New(apperr.Invalid, "a %s is assigned to an admin unit, not to an area", in.Role)
		}
		err = tx.QueryRow(ctx, `SELECT COALESCE(subdistrict_id, 0), COALESCE(community_id, 0) FROM area WHERE id = $1`, in.AreaID).Scan(&sub, &com)
		if err != nil {
			return 0, 0, invalidRef(err, "area", in.AreaID)
		}
		return sub, com, nil
	}
	var level string
	var parent int64
	err = tx.QueryRow(ctx, `SELECT level, COALESCE(parent_id, 0) FROM admin_unit WHERE id = $1`, in.AdminUnitID).Scan(&level, &parent)
	if err != nil {
		return 0, 0, invalidRef(err, "admin unit", in.AdminUnitID)
	}
	want := map[string]string{"street_chief": "subdistrict", "lane_chief": "community", "department_liaison": "subdistrict",
		"area_manager": "area"}[in.Role]
	if want != "" && want != level {
		return 0, 0, apperr.New(apperr.Invalid, "a %s is assigned to a %s, not to a %s", in.Role, want, level)
	}
	switch level {
	case "subdistrict":
		return in.AdminUnitID, 0, nil
	case "community":
		return parent, in.AdminUnitID, nil
	}
	return 0, 0, nil
}

func invalidRef(err error, what string, id int64) error {
	if err == pgx.ErrNoRows {
		return apperr.New(apperr.Invalid, "%s %d does not exist", what, id)
	}
	return fmt.Errorf("look up %s %d: %w", what, id, err)
}
