package registry

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// DepartmentMatrix is the fixed-posts table (定岗定人) at a moment: the enforcement departments down,
// the subdistricts in the caller's scope across, and in each cell the department's responsible
// leaders (负责领导) and responsible people (负责人) for that subdistrict, at city and district level,
// primary holders and deputies. Above the rows each subdistrict's column names its street chief, the
// leaders linked to it (挂钩领导) and the cadres cross-appointed to it (市区交叉任职).
type DepartmentMatrix struct {
	At           time.Time      `json:"at"`
	Subdistricts []MatrixColumn `json:"subdistricts"`
	Departments  []MatrixRow    `json:"departments"`
	VacantCells  int            `json:"vacant_cells"`
}

// MatrixColumn is one subdistrict of the matrix. PhonesShown says whether the caller's scope covers
// it: phones of its posts are given only then.
type MatrixColumn struct {
	ID              int64        `json:"id"`
	Code            string       `json:"code"`
	Name            string       `json:"name"`
	PhonesShown     bool         `json:"phones_shown"`
	StreetChiefs    []PostHolder `json:"street_chiefs"`
	LinkedLeaders   []PostHolder `json:"linked_leaders"`
	CrossAppointees []PostHolder `json:"cross_appointees"`
}

// MatrixRow is one department with a cell per subdistrict, in the columns' order.
type MatrixRow struct {
	Department
	Cells []MatrixCell `json:"cells"`
}

// MatrixCell is one department's posts in one subdistrict. It is vacant when the department has no
// primary leader, or no primary responsible person, at either level; Missing names which.
type MatrixCell struct {
	SubdistrictID int64        `json:"subdistrict_id"`
	Leaders       []PostHolder `json:"leaders"`
	Responsible   []PostHolder `json:"responsible"`
	Vacant        bool         `json:"vacant"`
	Missing       []PostRole   `json:"missing"`
}

// PostHolder is a person in one of the matrix's posts: city level before district, primary holder
// before deputies. Phone is empty where the caller may not see it.
type PostHolder struct {
	AssignmentID int64     `json:"assignment_id"`
	PersonID     int64     `json:"person_id"`
	Name         string    `json:"name"`
	Phone        string    `json:"phone,omitempty"`
	Role         PostRole  `json:"role"`
	Level        Level     `json:"level,omitempty"`
	Primary      bool      `json:"primary"`
	DepartmentID int64     `json:"department_id,omitempty"`
	Department   string    `json:"department,omitempty"`
	Since        time.Time `json:"since"`
}

// matrixRoles are the posts the matrix shows.
var matrixRoles = []PostRole{StreetChief, DepartmentLeader, DepartmentLiaison, LinkedLeader, CrossAppointee}

// matrixScope selects the subdistricts (u) whose columns the caller reads: the whole district, the
// subdistricts of their posts, or — for a lane chief — the subdistrict around their communities, so
// that they know whom to call in joint enforcement. $1, $2, $3 are the caller's subdistricts,
// communities and whole-district flag.
const matrixScope = `($3::bool OR u.id = ANY($1::bigint[])
	OR u.id IN (SELECT c.parent_id FROM admin_unit c WHERE c.id = ANY($2::bigint[])))`

// DepartmentMatrix reads the matrix at the moment at (zero: now) in two statements: its columns and
// rows, then every post of the matrix's roles held at that moment over the columns.
func (s *Store) DepartmentMatrix(ctx context.Context, who access.Principal, at time.Time) (DepartmentMatrix, error) {
	if !who.SignedIn() {
		return DepartmentMatrix{}, apperr.New(apperr.Unauthorized, "sign in to read the department posts")
	}
	if at.IsZero() {
		at = time.Now()
	}
	m := DepartmentMatrix{At: at, Subdistricts: []MatrixColumn{}, Departments: []MatrixRow{}}
	scope := []any{nonNil(who.Scope.Subdistricts), nonNil(who.Scope.Communities), who.Scope.All}
	rows, err := s.db.Query(ctx, `SELECT 'subdistrict', u.id, u.code, u.name, $3::bool OR u.id = ANY($1::bigint[])
			FROM admin_unit u WHERE u.level = 'subdistrict' AND `+matrixScope+`
		UNION ALL
		SELECT 'department', d.id, d.code, d.name, false FROM department d
		ORDER BY 1 DESC, 3, 2`, scope...)
	if err != nil {
		return m, fmt.Errorf("department matrix: %w", err)
	}
	var kind string
	var col MatrixColumn
	_, err = pgx.ForEachRow(rows, []any{&kind, &col.ID, &col.Code, &col.Name, &col.PhonesShown}, func() error {
		if kind == "subdistrict" {
			m.Subdistricts = append(m.Subdistricts, col)
		} else {
			m.Departments = append(m.Departments, MatrixRow{Department: Department{ID: col.ID, Code: col.Code, Name: col.Name}})
		}
		return nil
	})
	if err != nil {
		return m, fmt.Errorf("department matrix: %w", err)
	}
	slices.SortStableFunc(m.Departments, func(a, b MatrixRow) int { return cmp.Compare(a.ID, b.ID) })
	column := make(map[int64]int, len(m.Subdistricts))
	for i := range m.Subdistricts {
		column[m.Subdistricts[i].ID] = i
	}
	row := make(map[int64]int, len(m.Departments))
	for i := range m.Departments {
		row[m.Departments[i].ID] = i
		m.Departments[i].Cells = make([]MatrixCell, len(m.Subdistricts))
		for j, c := range m.Subdistricts {
			m.Departments[i].Cells[j] = MatrixCell{SubdistrictID: c.ID, Leaders: []PostHolder{}, Responsible: []PostHolder{}}
		}
	}
	for i := range m.Subdistricts {
		c := &m.Subdistricts[i]
		c.StreetChiefs, c.LinkedLeaders, c.CrossAppointees = []PostHolder{}, []PostHolder{}, []PostHolder{}
	}
	if err := s.matrixPosts(ctx, scope, at, func(sub int64, p PostHolder) {
		c := &m.Subdistricts[column[sub]]
		switch p.Role {
		case StreetChief:
			c.StreetChiefs = append(c.StreetChiefs, p)
		case LinkedLeader:
			c.LinkedLeaders = append(c.LinkedLeaders, p)
		case CrossAppointee:
			c.CrossAppointees = append(c.CrossAppointees, p)
		case DepartmentLeader, DepartmentLiaison:
			cell := &m.Departments[row[p.DepartmentID]].Cells[column[sub]]
			if p.Role == DepartmentLeader {
				cell.Leaders = append(cell.Leaders, p)
			} else {
				cell.Responsible = append(cell.Responsible, p)
			}
		}
	}); err != nil {
		return m, err
	}
	for i := range m.Departments {
		for j := range m.Departments[i].Cells {
			if m.Departments[i].Cells[j].judge() {
				m.VacantCells++
			}
		}
	}
	return m, nil
}

// matrixPosts calls fn with every post of the matrix's roles held at at over a subdistrict whose
// column the caller reads, in the order cells list them.
func (s *Store) matrixPosts(ctx context.Context, scope []any, at time.Time, fn func(sub int64, p PostHolder)) error {
	rows, err := s.db.Query(ctx, `SELECT s.admin_unit_id, s.id, s.person_id, p.name,
			CASE WHEN $3::bool OR u.id = ANY($1::bigint[]) THEN p.phone ELSE '' END,
			s.role, COALESCE(s.level, ''), s.is_primary, COALESCE(s.department_id, 0), COALESCE(d.name, ''), lower(s.valid)
		FROM assignment s
		JOIN admin_unit u ON u.id = s.admin_unit_id AND u.level = 'subdistrict'
		JOIN person p ON p.id = s.person_id
		LEFT JOIN department d ON d.id = s.department_id
		WHERE s.voided_at IS NULL AND s.valid @> $4::timestamptz AND s.role = ANY($5::text[]) AND `+matrixScope+`
		ORDER BY s.admin_unit_id, s.role, s.level, NOT s.is_primary, lower(s.valid), s.id`,
		append(slices.Clone(scope), at, matrixRoles)...)
	if err != nil {
		return fmt.Errorf("department matrix posts: %w", err)
	}
	var sub int64
	var p PostHolder
	_, err = pgx.ForEachRow(rows, []any{&sub, &p.AssignmentID, &p.PersonID, &p.Name, &p.Phone, &p.Role, &p.Level,
		&p.Primary, &p.DepartmentID, &p.Department, &p.Since}, func() error {
		p.Role = p.Role.Canonical()
		fn(sub, p)
		return nil
	})
	if err != nil {
		return fmt.Errorf("department matrix posts: %w", err)
	}
	return nil
}

// judge fills in whether the cell is vacant and what it is missing, and reports the former.
func (c *MatrixCell) judge() bool {
	c.Missing = []PostRole{}
	if !slices.ContainsFunc(c.Leaders, func(p PostHolder) bool { return p.Primary }) {
		c.Missing = append(c.Missing, DepartmentLeader)
	}
	if !slices.ContainsFunc(c.Responsible, func(p PostHolder) bool { return p.Primary }) {
		c.Missing = append(c.Missing, DepartmentLiaison)
	}
	c.Vacant = len(c.Missing) > 0
	return c.Vacant
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}
