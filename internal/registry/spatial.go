package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"streetchief/internal/apperr"
)

// ChangeChannel is the PostgreSQL notification channel on which every committed change to areas,
// admin units, assignments and people's names or phones is announced as "<table>:<op>:<id>"
// (migration 0003). In-memory copies of the territory listen to it.
const ChangeChannel = "registry_changed"

// SpatialArea is what in-memory indexes keep of an area.
type SpatialArea struct {
	ID            int64
	Kind          string
	Name          string
	Geom          orb.MultiPolygon
	SubdistrictID int64
	CommunityID   int64
}

// SpatialUnit is what in-memory indexes keep of an admin unit.
type SpatialUnit struct {
	ID       int64
	Level    string
	Name     string
	ParentID int64
	Boundary orb.MultiPolygon
}

// Post is one assignment as in-memory indexes keep it: the whole history, so that "who was
// responsible then" needs no database round trip. Until is zero while the post is held.
type Post struct {
	AssignmentID int64
	AreaID       int64
	AdminUnitID  int64
	PersonID     int64
	PersonName   string
	Phone        string
	Role         PostRole
	DepartmentID int64
	Department   string // the department's name, for department and linked posts
	Level        Level
	Primary      bool
	From         time.Time
	Until        time.Time
}

// HeldAt reports whether the post was held at t.
func (p *Post) HeldAt(t time.Time) bool {
	return !t.Before(p.From) && (p.Until.IsZero() || t.Before(p.Until))
}

// SpatialAreas reads areas for an in-memory index: all of them when ids is nil, else those ids
// (missing ids were deleted).
func (s *Store) SpatialAreas(ctx context.Context, ids []int64) ([]SpatialArea, error) {
	rows, err := s.db.Query(ctx, `SELECT id, kind, name, ST_AsBinary(geom), COALESCE(subdistrict_id, 0), COALESCE(community_id, 0)
		FROM area WHERE ($1::bigint[] IS NULL OR id = ANY($1))
			AND ($2::bigint[] IS NULL OR subdistrict_id IN (`+heldUnitsSQL+`))`, ids, s.districts)
	if err != nil {
		return nil, fmt.Errorf("load areas: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (SpatialArea, error) {
		var a SpatialArea
		var g []byte
		if err := r.Scan(&a.ID, &a.Kind, &a.Name, &g, &a.SubdistrictID, &a.CommunityID); err != nil {
			return a, err
		}
		a.Geom, err = multiPolygonFromWKB(g)
		return a, err
	})
}

// SpatialUnits reads admin units for an in-memory index, like SpatialAreas.
func (s *Store) SpatialUnits(ctx context.Context, ids []int64) ([]SpatialUnit, error) {
	rows, err := s.db.Query(ctx, `SELECT id, level, name, COALESCE(parent_id, 0), ST_AsBinary(boundary)
		FROM admin_unit WHERE ($1::bigint[] IS NULL OR id = ANY($1))
			AND ($2::bigint[] IS NULL OR id IN (`+heldUnitsSQL+`) OR id IN (SELECT parent_id FROM admin_unit WHERE id = ANY($2)))`, ids, s.districts)
	if err != nil {
		return nil, fmt.Errorf("load admin units: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (SpatialUnit, error) {
		var u SpatialUnit
		var g []byte
		if err := r.Scan(&u.ID, &u.Level, &u.Name, &u.ParentID, &g); err != nil {
			return u, err
		}
		u.Boundary, err = multiPolygonFromWKB(g)
		return u, err
	})
}

// Posts reads assignments with their people: all when both filters are nil, else the given
// assignment ids and every assignment of the given people.
func (s *Store) Posts(ctx context.Context, assignmentIDs, personIDs []int64) ([]Post, error) {
	rows, err := s.db.Query(ctx, `SELECT s.id, COALESCE(s.area_id, 0), COALESCE(s.admin_unit_id, 0), s.person_id, p.name, p.phone,
			s.role, COALESCE(s.department_id, 0), COALESCE(d.name, ''), COALESCE(s.level, ''), s.is_primary, lower(s.valid), upper(s.valid)
		FROM assignment_standing s JOIN person p ON p.id = s.person_id LEFT JOIN department d ON d.id = s.department_id
		WHERE (($1::bigint[] IS NULL AND $2::bigint[] IS NULL) OR s.id = ANY($1) OR s.person_id = ANY($2))
			AND ($3::bigint[] IS NULL OR s.admin_unit_id IN (`+heldUnitsSQL3+`)
				OR s.area_id IN (SELECT a.id FROM area a WHERE a.subdistrict_id IN (`+heldUnitsSQL3+`)))`, assignmentIDs, personIDs, s.districts)
	if err != nil {
		return nil, fmt.Errorf("load assignments: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Post, error) {
		var p Post
		var until *time.Time
		err := r.Scan(&p.AssignmentID, &p.AreaID, &p.AdminUnitID, &p.PersonID, &p.PersonName, &p.Phone,
			&p.Role, &p.DepartmentID, &p.Department, &p.Level, &p.Primary, &p.From, &until)
		if until != nil {
			p.Until = *until
		}
		return p, err
	})
}

func multiPolygonFromWKB(b []byte) (orb.MultiPolygon, error) {
	g, err := wkbUnmarshal(b)
	if err != nil {
		return nil, err
	}
	mp, ok := g.(orb.MultiPolygon)
	if !ok {
		return nil, fmt.Errorf("geometry is a %s, want MultiPolygon", g.GeoJSONType())
	}
	return mp, nil
}

func multiLineFromWKB(b []byte) (orb.MultiLineString, error) {
	g, err := wkbUnmarshal(b)
	if err != nil {
		return nil, err
	}
	switch l := g.(type) {
	case orb.MultiLineString:
		return l, nil
	case orb.LineString:
		return orb.MultiLineString{l}, nil
	}
	return nil, fmt.Errorf("geometry is a %s, want MultiLineString", g.GeoJSONType())
}

func wkbUnmarshal(b []byte) (orb.Geometry, error) {
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("decode geometry: %w", err)
	}
	return g, nil
}

// heldUnitsSQL is the districts $2 and every unit below them: the part of the territory a replica
// started with --districts holds.
const heldUnitsSQL = `WITH RECURSIVE held(id) AS (SELECT id FROM admin_unit WHERE id = ANY($2)
	UNION SELECT c.id FROM admin_unit c JOIN held h ON c.parent_id = h.id) SELECT id FROM held`

var heldUnitsSQL3 = strings.ReplaceAll(heldUnitsSQL, "$2", "$3")

// WithinDistricts is the store whose spatial reads hold only the districts ids (admin units of level
// district), their subdistricts, communities, areas and posts, and the districts' parent: the
// index of one shard. Areas outside every subdistrict belong to no district and are left out.
func (s *Store) WithinDistricts(ids []int64) *Store {
	c := *s
	c.districts = ids
	return &c
}

// DistrictIDs resolves admin-unit codes or ids to the ids of district units, refusing anything else.
func (s *Store) DistrictIDs(ctx context.Context, codesOrIDs []string) ([]int64, error) {
	var out []int64
	for _, c := range codesOrIDs {
		var id int64
		var level string
		err := s.db.QueryRow(ctx, `SELECT id, level FROM admin_unit WHERE code = $1 OR id::text = $1 ORDER BY code = $1 DESC LIMIT 1`, c).Scan(&id, &level)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, apperr.New(apperr.NotFound, "no admin unit with code or id %q", c)
		}
		if err != nil {
			return nil, fmt.Errorf("district %q: %w", c, err)
		}
		if level != "district" {
			return nil, apperr.New(apperr.Invalid, "admin unit %q is a %s, not a district", c, level)
		}
		out = append(out, id)
	}
	return out, nil
}
