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

// Assignment says that a person holds a post — street chief (街长) of a subdistrict, lane chief (巷长) of a
// community, manager of an area, a department's liaison — over a span of time. Until is nil while the
// post is held. Ended assignments stay: they are the answer to "who was responsible then". One entered
// by mistake is voided, not deleted: it stays on record with Voided set and answers for nothing.
type Assignment struct {
	ID            int64      `json:"id"`
	AreaID        int64      `json:"area_id,omitempty"`
	AdminUnitID   int64      `json:"admin_unit_id,omitempty"`
	PersonID      int64      `json:"person_id"`
	PersonName    string     `json:"person_name"`
	Role          PostRole   `json:"role"`
	DepartmentID  int64      `json:"department_id,omitempty"`
	Level         Level      `json:"level,omitempty"`
	Primary       bool       `json:"primary"`
	From          time.Time  `json:"from"`
	Until         *time.Time `json:"until"`
	Note          string     `json:"note"`
	SubdistrictID int64      `json:"subdistrict_id,omitempty"`
	CommunityID   int64      `json:"community_id,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	Voided        *Voiding   `json:"voided,omitempty"`
}

// Voiding says who declared an assignment entered by mistake, when, and why.
type Voiding struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Reason string    `json:"reason"`
}

// AssignmentInput creates an assignment. From defaults to now. With Handover, the current holder of the
// same primary post is relieved at From instead of the request failing with a conflict.
type AssignmentInput struct {
	AreaID       int64
	AdminUnitID  int64
	PersonID     int64
	Role         PostRole
	DepartmentID int64
	Level        Level // for posts with a level (PostRole.HasLevel); district when left empty
	Primary      bool
	From         *time.Time
	Until        *time.Time
	Note         string
	Handover     bool
}

// AssignmentFilter selects assignments: by default those valid now; At for another moment; History
// for all of them, the voided ones included (marked), so the record shows what was once entered.
type AssignmentFilter struct {
	At          *time.Time
	History     bool
	PersonID    int64
	AreaID      int64
	AdminUnitID int64
	Role        PostRole
	Page        Page
}

// assignmentFrom locates each assignment in a subdistrict and community, through its area or unit,
// so the caller's scope can be applied to it.
const assignmentFrom = `FROM assignment s
	JOIN person p ON p.id = s.person_id
	LEFT JOIN area a ON a.id = s.area_id
	LEFT JOIN admin_unit u ON u.id = s.admin_unit_id`

const assignmentColumns = `s.id, COALESCE(s.area_id, 0), COALESCE(s.admin_unit_id, 0), s.person_id, p.name, s.role,
	COALESCE(s.department_id, 0), COALESCE(s.level, ''), s.is_primary, lower(s.valid), upper(s.valid), s.note,
	COALESCE(a.subdistrict_id, CASE u.level WHEN 'subdistrict' THEN u.id WHEN 'community' THEN u.parent_id END, 0),
	COALESCE(a.community_id, CASE u.level WHEN 'community' THEN u.id END, 0), s.created_at,
	s.voided_at, COALESCE(s.voided_by, ''), COALESCE(s.void_reason, '')`

func scanAssignment(row pgx.Row) (Assignment, error) {
	var (
		a        Assignment
		voidedAt *time.Time
		v        Voiding
	)
	err := row.Scan(&a.ID, &a.AreaID, &a.AdminUnitID, &a.PersonID, &a.PersonName, &a.Role, &a.DepartmentID, &a.Level,
		&a.Primary, &a.From, &a.Until, &a.Note, &a.SubdistrictID, &a.CommunityID, &a.CreatedAt,
		&voidedAt, &v.By, &v.Reason)
	if voidedAt != nil {
		v.At = *voidedAt
		a.Voided = &v
	}
	return a, err
}

// ListAssignments returns one page of the assignments in the caller's scope that match f.
func (s *Store) ListAssignments(ctx context.Context, who access.Principal, f AssignmentFilter) ([]Assignment, int64, error) {
	if f.Role != "" {
		if _, err := ParsePostRole(string(f.Role)); err != nil {
			return nil, 0, err
		}
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
		add("s.valid @> $%d::timestamptz AND s.voided_at IS NULL", *f.At)
	default:
		conds = append(conds, "s.valid @> now() AND s.voided_at IS NULL")
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
	in.Level = in.levelOrDefault()
	if err := in.check(time.Now()); err != nil {
		return Assignment{}, err
	}
	if err := mayAppoint(who, in.Role); err != nil {
		return Assignment{}, err
	}
	var out Assignment
	err := s.inPostTx(ctx, func(tx pgx.Tx) error {
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
		if err := departmentExists(ctx, tx, in.DepartmentID); err != nil {
			return err
		}
		if err := lockPost(ctx, tx, in.AreaID, in.AdminUnitID, in.Role, in.DepartmentID, in.Level); err != nil {
			return err
		}
		// "Now" is read once the post is ours, so handovers queued on it start in the order they got it.
		from := time.Now().Truncate(time.Microsecond)
		if in.From != nil {
			from = in.From.Truncate(time.Microsecond)
		}
		if in.Handover && in.Primary {
			if err := relieve(ctx, tx, who, in, from); err != nil {
				return err
			}
		}
		var id int64
		err = tx.QueryRow(ctx, `INSERT INTO assignment (area_id, admin_unit_id, person_id, role, department_id, is_primary, valid, note, level)
			VALUES (NULLIF($1, 0), NULLIF($2, 0), $3, $4, NULLIF($5, 0), $6, tstzrange($7, $8, '[)'), $9, NULLIF($10, '')) RETURNING id`,
			in.AreaID, in.AdminUnitID, in.PersonID, in.Role, in.DepartmentID, in.Primary, from, truncated(in.Until), in.Note, in.Level).Scan(&id)
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

func (in AssignmentInput) check(now time.Time) error {
	if _, err := ParsePostRole(string(in.Role)); err != nil {
		return err
	}
	if (in.AreaID == 0) == (in.AdminUnitID == 0) {
		return apperr.New(apperr.Invalid, "give exactly one target: area_id or admin_unit_id")
	}
	if in.PersonID == 0 {
		return apperr.New(apperr.Invalid, "person_id is required")
	}
	switch in.Role.DepartmentRule() {
	case "required":
		if in.DepartmentID == 0 {
			return apperr.New(apperr.Invalid, "department_id is required for a %s", in.Role).With("field", "department_id")
		}
	case "none":
		if in.DepartmentID != 0 {
			return apperr.New(apperr.Invalid, "a %s names no department", in.Role).With("field", "department_id")
		}
	}
	if _, err := ParseLevel(string(in.Level)); err != nil {
		return err
	}
	if in.Role.HasLevel() != (in.Level != "") {
		return apperr.New(apperr.Invalid, "level is only for department, linked-leader and cross-appointment posts").With("field", "level")
	}
	if in.From != nil {
		if err := checkDate("from", *in.From, now, maxStartAhead); err != nil {
			return err
		}
	}
	if in.Until != nil {
		if err := checkDate("until", *in.Until, now, maxEndAhead); err != nil {
			return err
		}
	}
	if in.From != nil && in.Until != nil && !in.Until.After(*in.From) {
		return apperr.New(apperr.Invalid, "until must be after from")
	}
	return checkTexts("note", in.Note, MaxNoteChars)
}

// levelOrDefault is the level the post is held at: the district's team unless said otherwise, for
// the posts that have one.
func (in AssignmentInput) levelOrDefault() Level {
	if in.Level == "" && in.Role.HasLevel() {
		return DistrictLevel
	}
	return in.Level
}

// mayAppoint enforces who may give which post.
func mayAppoint(who access.Principal, role PostRole) error {
	switch who.Role {
	case access.Admin:
		return nil
	case access.StreetChief:
		// The city's and district's teams name their leaders and link them to subdistricts, not
		// the street chief they answer to.
		if !slices.Contains([]PostRole{StreetChief, DepartmentLeader, LinkedLeader, CrossAppointee}, role) {
			return nil
		}
	case access.LaneChief:
		if !slices.Contains([]PostRole{StreetChief, LaneChief, DepartmentLiaison, DepartmentLeader, LinkedLeader, CrossAppointee}, role) {
			return nil
		}
	}
	return apperr.New(apperr.Forbidden, "your role may not appoint or relieve a %s", role)
}

// locateTarget checks that the target suits the role and returns the subdistrict and community it
// lies in.
func locateTarget(ctx context.Context, tx pgx.Tx, in AssignmentInput) (sub, com int64, err error) {
	if in.AreaID != 0 {
		if over := in.Role.HeldOver(); over != "" && over != "area" {
			return 0, 0, apperr.New(apperr.Invalid, "a %s is assigned to a %s, not to an area", in.Role, over).With("field", "area_id")
		}
		err = tx.QueryRow(ctx, `SELECT COALESCE(subdistrict_id, 0), COALESCE(community_id, 0) FROM area WHERE id = $1`, in.AreaID).Scan(&sub, &com)
		if err != nil {
			return 0, 0, invalidRef(err, "area", in.AreaID, "area_id")
		}
		return sub, com, nil
	}
	var level string
	var parent int64
	err = tx.QueryRow(ctx, `SELECT level, COALESCE(parent_id, 0) FROM admin_unit WHERE id = $1`, in.AdminUnitID).Scan(&level, &parent)
	if err != nil {
		return 0, 0, invalidRef(err, "admin unit", in.AdminUnitID, "admin_unit_id")
	}
	if want := in.Role.HeldOver(); want != "" && want != level {
		return 0, 0, apperr.New(apperr.Invalid, "a %s is assigned to a %s, not to a %s", in.Role, want, level).With("field", "admin_unit_id")
	}
	switch level {
	case "subdistrict":
		return in.AdminUnitID, 0, nil
	case "community":
		return parent, in.AdminUnitID, nil
	}
	return 0, 0, nil
}

func invalidRef(err error, what string, id int64, field string) error {
	if err == pgx.ErrNoRows {
		return apperr.New(apperr.Invalid, "%s %d does not exist", what, id).With("field", field)
	}
	return fmt.Errorf("look up %s %d: %w", what, id, err)
}

// departmentExists refuses a post naming a department the registry does not have as bad input
// naming the field, before the foreign key would call it a clash with the state.
func departmentExists(ctx context.Context, tx pgx.Tx, id int64) error {
	if id == 0 {
		return nil
	}
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM department WHERE id = $1)`, id).Scan(&ok); err != nil {
		return fmt.Errorf("look up department: %w", err)
	}
	if !ok {
		return apperr.New(apperr.Invalid, "department %d does not exist", id).With("field", "department_id")
	}
	return nil
}
