package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// Responsible is someone holding a primary post on an area now, as exports and public feature
// services show them: a name and a role, never a phone.
type Responsible struct {
	Role PostRole `json:"role"`
	Name string   `json:"name"`
}

// ExportArea is an area with the names that make it readable outside the system: its subdistrict,
// its community and who is responsible for it.
type ExportArea struct {
	Area
	SubdistrictName string
	CommunityName   string
	Responsible     []Responsible
	SourceKey       string // the feature it was imported from, if any (see ImportArea.Key)
}

const exportColumns = areaColumns + `, COALESCE(sd.name, ''), COALESCE(cm.name, ''),
	COALESCE((SELECT json_agg(json_build_object('role', s.role, 'name', p.name) ORDER BY s.role, p.name)
		FROM assignment_standing s JOIN person p ON p.id = s.person_id
		WHERE s.area_id = a.id AND s.is_primary AND s.valid @> now()), '[]'), COALESCE(a.source_key, '')`

const exportFrom = ` FROM area a LEFT JOIN admin_unit sd ON sd.id = a.subdistrict_id LEFT JOIN admin_unit cm ON cm.id = a.community_id`

func scanExportArea(row pgx.Row) (ExportArea, error) {
	var (
		x    ExportArea
		resp []byte
		err  error
	)
	if x.Area, err = scanArea(row, &x.SubdistrictName, &x.CommunityName, &resp, &x.SourceKey); err != nil {
		return x, err
	}
	if err := json.Unmarshal(resp, &x.Responsible); err != nil {
		return x, fmt.Errorf("area %d responsible: %w", x.ID, err)
	}
	return x, nil
}

// EachArea calls fn for every area in the caller's scope, in id order, streaming from one query so
// an export of the whole city never holds it in memory. fn's error stops the walk and is returned.
func (s *Store) EachArea(ctx context.Context, who access.Principal, fn func(ExportArea) error) error {
	if !who.SignedIn() {
		return apperr.New(apperr.Unauthorized, "sign in to export areas")
	}
	scope, args := who.Scope.Predicate("a.subdistrict_id", "a.community_id", nil)
	rows, err := s.db.Query(ctx, `SELECT `+exportColumns+exportFrom+` WHERE `+scope+` ORDER BY a.id`, args...)
	if err != nil {
		return fmt.Errorf("export areas: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanExportArea(rows)
		if err != nil {
			return fmt.Errorf("export areas: %w", err)
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export areas: %w", err)
	}
	return nil
}

// FeatureQuery selects one page of a public feature collection (OGC API – Features): a bounding box,
// an interval of last change, and limit/offset paging in id order.
type FeatureQuery struct {
	BBox     *orb.Bound
	From, To *time.Time // updated_at within [From, To]; nil is open
	Limit    int
	Offset   int
}

func (q FeatureQuery) where(geomCol, timeCol string) (string, []any) {
	conds := []string{"TRUE"}
	var args []any
	if q.BBox != nil {
		args = append(args, q.BBox.Min[0], q.BBox.Min[1], q.BBox.Max[0], q.BBox.Max[1])
		conds = append(conds, fmt.Sprintf("%s && ST_MakeEnvelope($1, $2, $3, $4, 4326)", geomCol))
	}
	if q.From != nil {
		args = append(args, *q.From)
		conds = append(conds, fmt.Sprintf("%s >= $%d", timeCol, len(args)))
	}
	if q.To != nil {
		args = append(args, *q.To)
		conds = append(conds, fmt.Sprintf("%s <= $%d", timeCol, len(args)))
	}
	return strings.Join(conds, " AND "), args
}

// PublicAreas returns one page of all areas, for the public feature service, and how many match.
func (s *Store) PublicAreas(ctx context.Context, q FeatureQuery) ([]ExportArea, int64, error) {
	where, args := q.where("a.geom", "a.updated_at")
	var matched int64
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM area a WHERE `+where, args...).Scan(&matched); err != nil {
		return nil, 0, fmt.Errorf("count areas: %w", err)
	}
	args = append(args, q.Limit, q.Offset)
	rows, err := s.db.Query(ctx, `SELECT `+exportColumns+exportFrom+` WHERE `+where+
		fmt.Sprintf(` ORDER BY a.id LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list areas: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ExportArea, error) { return scanExportArea(r) })
	if err != nil {
		return nil, 0, fmt.Errorf("list areas: %w", err)
	}
	return list, matched, nil
}

// PublicArea returns one area for the public feature service.
func (s *Store) PublicArea(ctx context.Context, id int64) (ExportArea, error) {
	a, err := scanExportArea(s.db.QueryRow(ctx, `SELECT `+exportColumns+exportFrom+` WHERE a.id = $1`, id))
	if err != nil {
		return a, translate(err, fmt.Sprintf("area %d", id))
	}
	return a, nil
}

// PublicAdminUnits returns one page of admin units, for the public feature service, and how many match.
func (s *Store) PublicAdminUnits(ctx context.Context, q FeatureQuery) ([]AdminUnit, int64, error) {
	where, args := q.where("u.boundary", "u.updated_at")
	var matched int64
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM admin_unit u WHERE `+where, args...).Scan(&matched); err != nil {
		return nil, 0, fmt.Errorf("count admin units: %w", err)
	}
	args = append(args, q.Limit, q.Offset)
	rows, err := s.db.Query(ctx, `SELECT `+adminUnitColumns+` FROM admin_unit u WHERE `+where+
		fmt.Sprintf(` ORDER BY u.id LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list admin units: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AdminUnit, error) { return scanAdminUnit(r) })
	if err != nil {
		return nil, 0, fmt.Errorf("list admin units: %w", err)
	}
	return list, matched, nil
}

// Extents returns the bounding boxes of all areas and all admin units (nil when there are none).
func (s *Store) Extents(ctx context.Context) (areas, units *orb.Bound, err error) {
	var a, u [4]*float64
	err = s.db.QueryRow(ctx, `SELECT ST_XMin(e1), ST_YMin(e1), ST_XMax(e1), ST_YMax(e1), ST_XMin(e2), ST_YMin(e2), ST_XMax(e2), ST_YMax(e2)
		FROM (SELECT (SELECT ST_Extent(geom) FROM area) e1, (SELECT ST_Extent(boundary) FROM admin_unit) e2) x`).
		Scan(&a[0], &a[1], &a[2], &a[3], &u[0], &u[1], &u[2], &u[3])
	if err != nil {
		return nil, nil, fmt.Errorf("extents: %w", err)
	}
	return boundOf(a), boundOf(u), nil
}

func boundOf(v [4]*float64) *orb.Bound {
	if v[0] == nil || v[1] == nil || v[2] == nil || v[3] == nil {
		return nil
	}
	return &orb.Bound{Min: orb.Point{*v[0], *v[1]}, Max: orb.Point{*v[2], *v[3]}}
}
