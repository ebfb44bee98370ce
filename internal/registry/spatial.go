package registry

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
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
		FROM area WHERE $1::bigint[] IS NULL OR id = ANY($1)`, ids)
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
		FROM admin_unit WHERE $1::bigint[] IS NULL OR id = ANY($1)`, ids)
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
		WHERE ($1::bigint[] IS NULL AND $2::bigint[] IS NULL) OR s.id = ANY($1) OR s.person_id = ANY($2)`, assignmentIDs, personIDs)
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
