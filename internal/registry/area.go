package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// AreaKinds are the kinds of managed public space, from the biggest roads to the river.
var AreaKinds = []string{"main_road", "secondary_road", "back_lane", "residential_compound", "farmers_market",
	"night_market", "commercial_street", "park", "square", "river"}

// Area is a managed public space: a road corridor, a back lane (背街小巷), a residential compound, a
// market, a park, a square or a stretch of river. Its subdistrict and community are derived from its
// geometry by the database, by largest overlap.
type Area struct {
	ID            int64
	Kind          string
	Name          string
	Geom          orb.MultiPolygon
	Centreline    orb.MultiLineString // roads and rivers; nil otherwise
	Attributes    map[string]any
	SubdistrictID int64 // 0 when outside every subdistrict
	CommunityID   int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// AreaInput is what a caller may set on an area.
type AreaInput struct {
	Kind       string
	Name       string
	Geom       orb.MultiPolygon
	Centreline orb.MultiLineString
	Attributes map[string]any
}

func (in AreaInput) check() error {
	if !slices.Contains(AreaKinds, in.Kind) {
		return apperr.New(apperr.Invalid, "kind %q is not one of %s", in.Kind, strings.Join(AreaKinds, ", "))
	}
	if strings.TrimSpace(in.Name) == "" {
		return apperr.New(apperr.Invalid, "name is required")
	}
	if len(in.Geom) == 0 {
		return apperr.New(apperr.Invalid, "geometry is required")
	}
	if err := checkTexts("name", in.Name, MaxNameChars); err != nil {
		return err
	}
	if err := checkVertices("geometry", in.Geom, MaxVertices); err != nil {
		return err
	}
	if err := checkVertices("centreline", in.Centreline, MaxCentrelineVertex); err != nil {
		return err
	}
	return checkAttributes(in.Attributes)
}

// AreaFilter selects areas. Zero fields match everything.
type AreaFilter struct {
	Kind string
	// Name keeps the areas whose name contains it, ignoring case: the dashboard's search box.
	Name          string
	SubdistrictID int64
	CommunityID   int64
	BBox          *orb.Bound
	Page          Page
}

const areaColumns = `a.id, a.kind, a.name, ST_AsBinary(a.geom), ST_AsBinary(a.centreline), a.attributes,
	COALESCE(a.subdistrict_id, 0), COALESCE(a.community_id, 0), a.created_at, a.updated_at`

// scanArea reads areaColumns, and into extra the columns that follow them.
func scanArea(row pgx.Row, extra ...any) (Area, error) {
	var (
		a                 Area
		geom, line, attrs []byte
	)
	dest := append([]any{&a.ID, &a.Kind, &a.Name, &geom, &line, &attrs, &a.SubdistrictID, &a.CommunityID,
		&a.CreatedAt, &a.UpdatedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return a, err
	}
	var err error
	if a.Geom, err = multiPolygonFromWKB(geom); err != nil {
		return a, fmt.Errorf("area %d geometry: %w", a.ID, err)
	}
	if line != nil {
		if a.Centreline, err = multiLineFromWKB(line); err != nil {
			return a, fmt.Errorf("area %d centreline: %w", a.ID, err)
		}
	}
	if err := json.Unmarshal(attrs, &a.Attributes); err != nil {
		return a, fmt.Errorf("area %d attributes: %w", a.ID, err)
	}
	return a, nil
}

// ListAreas returns one page of the areas in the caller's scope that match f, and the id to continue
// after (0 when this was the last page).
func (s *Store) ListAreas(ctx context.Context, who access.Principal, f AreaFilter) ([]Area, int64, error) {
	if f.Kind != "" && !slices.Contains(AreaKinds, f.Kind) {
		return nil, 0, apperr.New(apperr.Invalid, "kind %q is not one of %s", f.Kind, strings.Join(AreaKinds, ", "))
	}
	where, args := areaFilterSQL(who, f)
	limit := f.Page.limit()
	args = append(args, limit+1)
	q := `SELECT ` + areaColumns + ` FROM area a WHERE ` + where + fmt.Sprintf(` ORDER BY a.id LIMIT $%d`, len(args))
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list areas: %w", err)
	}
	areas, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Area, error) { return scanArea(r) })
	if err != nil {
		return nil, 0, fmt.Errorf("list areas: %w", err)
	}
	areas, next := trimPage(areas, limit, func(x Area) int64 { return x.ID })
	return areas, next, nil
}

// areaFilterSQL builds the WHERE clause of ListAreas: the scope first, then each filter that is set.
func areaFilterSQL(who access.Principal, f AreaFilter) (string, []any) {
	scope, args := who.Scope.Predicate("a.subdistrict_id", "a.community_id", nil)
	conds := []string{scope}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.Page.After > 0 {
		add("a.id > $%d", f.Page.After)
	}
	if f.Kind != "" {
		add("a.kind = $%d", f.Kind)
	}
	if f.Name != "" {
		add(`a.name ILIKE '%%' || $%d || '%%' ESCAPE '\'`, likeEscaper.Replace(f.Name))
	}
	if f.SubdistrictID != 0 {
		add("a.subdistrict_id = $%d", f.SubdistrictID)
	}
	if f.CommunityID != 0 {
		add("a.community_id = $%d", f.CommunityID)
	}
	if f.BBox != nil {
		args = append(args, f.BBox.Min[0], f.BBox.Min[1], f.BBox.Max[0], f.BBox.Max[1])
		n := len(args)
		conds = append(conds, fmt.Sprintf("a.geom && ST_MakeEnvelope($%d, $%d, $%d, $%d, 4326)", n-3, n-2, n-1, n))
	}
	return strings.Join(conds, " AND "), args
}

// likeEscaper makes a search text match itself only: % and _ are wildcards to ILIKE.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// Area returns one area in the caller's scope. Out of scope reads as not found, so ids of other
// communities' areas reveal nothing.
func (s *Store) Area(ctx context.Context, who access.Principal, id int64) (Area, error) {
	a, err := scanArea(s.db.QueryRow(ctx, `SELECT `+areaColumns+` FROM area a WHERE a.id = $1`, id))
	if err != nil {
		return a, translate(err, fmt.Sprintf("area %d", id))
	}
	if !who.Scope.InScope(a.SubdistrictID, a.CommunityID) {
		return Area{}, apperr.New(apperr.NotFound, "area %d not found", id)
	}
	return a, nil
}

// CreateArea stores a new area. The caller must be allowed to change field data where the area falls.
func (s *Store) CreateArea(ctx context.Context, who access.Principal, in AreaInput) (Area, error) {
	if !who.CanChangeFieldData() {
		return Area{}, apperr.New(apperr.Forbidden, "your role may not create areas")
	}
	if err := in.check(); err != nil {
		return Area{}, err
	}
	var out Area
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := checkValid(ctx, tx, "geometry", in.Geom); err != nil {
			return err
		}
		if in.Centreline != nil {
			if err := checkValid(ctx, tx, "centreline", in.Centreline); err != nil {
				return err
			}
		}
		attrs, err := attributesJSON(in.Attributes)
		if err != nil {
			return err
		}
		row := tx.QueryRow(ctx, `INSERT INTO area AS a (kind, name, geom, centreline, attributes)
			VALUES ($1, $2, ST_GeomFromWKB($3, 4326), ST_GeomFromWKB($4, 4326), $5)
			RETURNING `+areaColumns, in.Kind, strings.TrimSpace(in.Name), wkbOf(in.Geom), wkbOf(nilIfEmpty(in.Centreline)), attrs)
		if out, err = scanArea(row); err != nil {
			return translate(err, "area")
		}
		if !who.Scope.InScope(out.SubdistrictID, out.CommunityID) {
			return apperr.New(apperr.Forbidden, "the area falls outside your scope")
		}
		return audit.Record(ctx, tx, who, audit.Create, "area", out.ID, nil, areaAudit(out))
	})
	return out, err
}

// UpdateArea replaces an area's kind, name, geometry and attributes. The caller needs scope over the
// area both where it was and where it goes.
func (s *Store) UpdateArea(ctx context.Context, who access.Principal, id int64, in AreaInput) (Area, error) {
	if !who.CanChangeFieldData() {
		return Area{}, apperr.New(apperr.Forbidden, "your role may not change areas")
	}
	if err := in.check(); err != nil {
		return Area{}, err
	}
	var out Area
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		before, err := lockArea(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if err := checkValid(ctx, tx, "geometry", in.Geom); err != nil {
			return err
		}
		if in.Centreline != nil {
			if err := checkValid(ctx, tx, "centreline", in.Centreline); err != nil {
				return err
			}
		}
		attrs, err := attributesJSON(in.Attributes)
		if err != nil {
			return err
		}
		row := tx.QueryRow(ctx, `UPDATE area a SET kind = $2, name = $3, geom = ST_GeomFromWKB($4, 4326),
			centreline = ST_GeomFromWKB($5, 4326), attributes = $6, updated_at = now()
			WHERE id = $1 RETURNING `+areaColumns,
			id, in.Kind, strings.TrimSpace(in.Name), wkbOf(in.Geom), wkbOf(nilIfEmpty(in.Centreline)), attrs)
		if out, err = scanArea(row); err != nil {
			return translate(err, "area")
		}
		if !who.Scope.InScope(out.SubdistrictID, out.CommunityID) {
			return apperr.New(apperr.Forbidden, "the area would move outside your scope")
		}
		return audit.Record(ctx, tx, who, audit.Update, "area", id, areaAudit(before), areaAudit(out))
	})
	return out, err
}

// DeleteArea removes an area and, with it, its assignments (their history goes to the audit log).
func (s *Store) DeleteArea(ctx context.Context, who access.Principal, id int64) error {
	if !who.CanChangeFieldData() {
		return apperr.New(apperr.Forbidden, "your role may not delete areas")
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		before, err := lockArea(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM area WHERE id = $1`, id); err != nil {
			return translate(err, fmt.Sprintf("area %d", id))
		}
		return audit.Record(ctx, tx, who, audit.Delete, "area", id, areaAudit(before), nil)
	})
}

func lockArea(ctx context.Context, tx pgx.Tx, who access.Principal, id int64) (Area, error) {
	a, err := scanArea(tx.QueryRow(ctx, `SELECT `+areaColumns+` FROM area a WHERE a.id = $1 FOR UPDATE`, id))
	if err != nil {
		return a, translate(err, fmt.Sprintf("area %d", id))
	}
	if !who.Scope.InScope(a.SubdistrictID, a.CommunityID) {
		return a, apperr.New(apperr.NotFound, "area %d not found", id)
	}
	return a, nil
}

// areaAudit is the audit form of an area, geometry included: who moved a boundary, and from where, is
// exactly what a dispute over responsibility asks.
func areaAudit(a Area) map[string]any {
	return map[string]any{"id": a.ID, "kind": a.Kind, "name": a.Name, "attributes": a.Attributes,
		"subdistrict_id": a.SubdistrictID, "community_id": a.CommunityID,
		"geometry": geojson.NewGeometry(a.Geom)}
}

func attributesJSON(m map[string]any) ([]byte, error) {
	if m == nil {
		return []byte("{}"), nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "attributes: %v", err)
	}
	return b, nil
}

func nilIfEmpty(ml orb.MultiLineString) orb.Geometry {
	if len(ml) == 0 {
		return nil
	}
	return ml
}
