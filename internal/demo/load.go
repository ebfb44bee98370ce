package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb/encoding/wkb"

	"streetchief/internal/access"
	"streetchief/internal/audit"
	"streetchief/internal/database"
)

// ErrNotEmpty is returned by Load when the registry already holds admin units or areas: the demo
// never mixes with real (or earlier demo) data.
var ErrNotEmpty = errors.New("demo: the registry is not empty")

// Summary is what Load inserted, also written to the audit log.
type Summary struct {
	Seed  int64 `json:"seed"`
	Scale int   `json:"scale"`
	Counts
}

// Empty reports whether the registry has no admin units and no areas, the only state in which the
// demo may be loaded.
func Empty(ctx context.Context, db database.Querier) (bool, error) {
	var empty bool
	err := db.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM admin_unit) AND NOT EXISTS (SELECT 1 FROM area)`).Scan(&empty)
	if err != nil {
		return false, fmt.Errorf("demo: check registry is empty: %w", err)
	}
	return empty, nil
}

// Load inserts the city into an empty registry in one transaction, so an error leaves nothing
// behind. Rows are copied into temporary staging tables (geometry as WKB) and moved with one
// INSERT … SELECT per table, which is what keeps 100,000 areas to seconds. Each staging row draws
// its id from the target table's identity sequence as it is copied, so assignments find the ids of
// their targets by joining on the generator's keys.
func Load(ctx context.Context, db *pgxpool.Pool, city *City) (Summary, error) {
	sum := Summary{Seed: city.Options.Seed, Scale: city.Options.Scale, Counts: city.Counts()}
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		// Writers wait for the load, so two loads cannot both find the registry empty.
		if _, err := tx.Exec(ctx, `LOCK TABLE admin_unit, area IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		empty, err := Empty(ctx, tx)
		if err != nil {
			return err
		}
		if !empty {
			return ErrNotEmpty
		}
		departments, err := departmentIDs(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, stagingDDL); err != nil {
			return fmt.Errorf("create staging tables: %w", err)
		}
		if err := stage(ctx, tx, city, departments); err != nil {
			return err
		}
		for _, m := range moves {
			tag, err := tx.Exec(ctx, m.sql)
			if err != nil {
				return fmt.Errorf("insert %s: %w", m.table, err)
			}
			if want := m.want(sum.Counts); tag.RowsAffected() != int64(want) {
				return fmt.Errorf("insert %s: %d rows, want %d", m.table, tag.RowsAffected(), want)
			}
		}
		return audit.Record(ctx, tx, access.System("demo"), audit.Import, "demo", 0, nil, sum)
	})
	if err != nil {
		if errors.Is(err, ErrNotEmpty) {
			return Summary{}, err
		}
		return Summary{}, fmt.Errorf("demo: load: %w", err)
	}
	return sum, nil
}

func departmentIDs(ctx context.Context, tx pgx.Tx) (map[string]int64, error) {
	rows, err := tx.Query(ctx, `SELECT code, id FROM department WHERE code = ANY($1)`, DepartmentCodes())
	if err != nil {
		return nil, fmt.Errorf("look up departments: %w", err)
	}
	ids := map[string]int64{}
	var code string
	var id int64
	if _, err := pgx.ForEachRow(rows, []any{&code, &id}, func() error { ids[code] = id; return nil }); err != nil {
		return nil, fmt.Errorf("look up departments: %w", err)
	}
	for _, c := range DepartmentCodes() {
		if _, ok := ids[c]; !ok {
			return nil, fmt.Errorf("department %q is not in the registry", c)
		}
	}
	return ids, nil
}

// The staging tables vanish with the transaction.
const stagingDDL = `
CREATE TEMP TABLE demo_admin (key int PRIMARY KEY, parent int, level text, code text, name text,
    wkb bytea, attributes jsonb,
    id bigint NOT NULL DEFAULT nextval(pg_get_serial_sequence('admin_unit', 'id'))) ON COMMIT DROP;
CREATE TEMP TABLE demo_area (key int PRIMARY KEY, kind text, name text, wkb bytea, centreline bytea,
    attributes jsonb, id bigint NOT NULL DEFAULT nextval(pg_get_serial_sequence('area', 'id'))) ON COMMIT DROP;
CREATE TEMP TABLE demo_person (key int PRIMARY KEY, name text, phone text, organisation text,
    active boolean, attributes jsonb,
    id bigint NOT NULL DEFAULT nextval(pg_get_serial_sequence('person', 'id'))) ON COMMIT DROP;
CREATE TEMP TABLE demo_assignment (area int, admin_unit int, person int, role text, department_id bigint,
    valid_from timestamptz, valid_until timestamptz, note text) ON COMMIT DROP;`

// moves copy the staging tables into the registry. Admin units go first and parent before child
// (keys are in that order), because the area trigger locates each area among the admin units.
var moves = []struct {
	table string
	sql   string
	want  func(Counts) int
}{
	{"admin units", `INSERT INTO admin_unit (id, level, parent_id, code, name, boundary, attributes)
		OVERRIDING SYSTEM VALUE
		SELECT s.id, s.level, p.id, s.code, s.name, ST_GeomFromWKB(s.wkb, 4326), s.attributes
		  FROM demo_admin s LEFT JOIN demo_admin p ON p.key = s.parent ORDER BY s.key`,
		func(c Counts) int { return c.AdminUnits }},
	{"areas", `INSERT INTO area (id, kind, name, geom, centreline, attributes) OVERRIDING SYSTEM VALUE
		SELECT id, kind, name, ST_GeomFromWKB(wkb, 4326), ST_GeomFromWKB(centreline, 4326), attributes
		  FROM demo_area ORDER BY key`,
		func(c Counts) int { return c.Areas }},
	{"people", `INSERT INTO person (id, name, phone, organisation, active, attributes) OVERRIDING SYSTEM VALUE
		SELECT id, name, phone, organisation, active, attributes FROM demo_person ORDER BY key`,
		func(c Counts) int { return c.People }},
	{"assignments", `INSERT INTO assignment (area_id, admin_unit_id, person_id, role, department_id, valid, note)
		SELECT ar.id, au.id, p.id, s.role, s.department_id, tstzrange(s.valid_from, s.valid_until, '[)'), s.note
		  FROM demo_assignment s
		  JOIN demo_person p ON p.key = s.person
		  LEFT JOIN demo_area ar ON ar.key = s.area
		  LEFT JOIN demo_admin au ON au.key = s.admin_unit
		 ORDER BY s.valid_from`,
		func(c Counts) int { return c.Assignments }},
}

// stage copies the city into the staging tables.
func stage(ctx context.Context, tx pgx.Tx, c *City, departments map[string]int64) error {
	copies := []struct {
		table string
		cols  []string
		n     int
		row   func(i int) ([]any, error)
	}{
		{"demo_admin", []string{"key", "parent", "level", "code", "name", "wkb", "attributes"}, len(c.AdminUnits),
			func(i int) ([]any, error) {
				u := c.AdminUnits[i]
				b, err := wkb.Marshal(u.Boundary)
				return []any{u.Key, nullKey(u.Parent), u.Level, u.Code, u.Name, b, u.Attributes}, err
			}},
		{"demo_area", []string{"key", "kind", "name", "wkb", "centreline", "attributes"}, len(c.Areas),
			func(i int) ([]any, error) {
				a := c.Areas[i]
				g, err := wkb.Marshal(a.Geom)
				if err != nil {
					return nil, err
				}
				var cl []byte // nil stays NULL
				if a.Centreline != nil {
					if cl, err = wkb.Marshal(a.Centreline); err != nil {
						return nil, err
					}
				}
				return []any{a.Key, a.Kind, a.Name, g, cl, a.Attributes}, nil
			}},
		{"demo_person", []string{"key", "name", "phone", "organisation", "active", "attributes"}, len(c.People),
			func(i int) ([]any, error) {
				p := c.People[i]
				return []any{p.Key, p.Name, p.Phone, p.Organisation, p.Active, p.Attributes}, nil
			}},
		{"demo_assignment", []string{"area", "admin_unit", "person", "role", "department_id", "valid_from", "valid_until", "note"},
			len(c.Assignments), func(i int) ([]any, error) {
				a := c.Assignments[i]
				var dept, until any
				if a.Department != "" {
					dept = departments[a.Department]
				}
				if !a.Until.IsZero() {
					until = a.Until
				}
				return []any{nullKey(a.Area), nullKey(a.AdminUnit), a.Person, a.Role, dept, a.From, until, a.Note}, nil
			}},
	}
	for _, cp := range copies {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{cp.table}, cp.cols, &copySource{n: cp.n, row: cp.row})
		if err != nil {
			return fmt.Errorf("stage %s: %w", cp.table, err)
		}
	}
	return nil
}

func nullKey(k int) any {
	if k == 0 {
		return nil
	}
	return k
}

// copySource feeds CopyFrom one generated row at a time, so 100,000 areas are never held twice.
type copySource struct {
	n, i int
	row  func(i int) ([]any, error)
	vals []any
	err  error
}

func (s *copySource) Next() bool {
	if s.err != nil || s.i >= s.n {
		return false
	}
	s.vals, s.err = s.row(s.i)
	s.i++
	return s.err == nil
}

func (s *copySource) Values() ([]any, error) { return s.vals, s.err }
func (s *copySource) Err() error             { return s.err }
