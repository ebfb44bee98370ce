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

// AdminLevels are the levels of administrative unit, from the top.
var AdminLevels = []string{"city", "district", "subdistrict", "community"}

// AdminUnit is a city, a district, a subdistrict (街道) or a community (社区, or a village 村).
type AdminUnit struct {
	ID         int64
	Level      string
	ParentID   int64 // 0 for the top
	Code       string
	Name       string
	Boundary   orb.MultiPolygon
	Attributes map[string]any
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// AdminUnitInput is what a caller may set on an admin unit.
type AdminUnitInput struct {
	Level      string
	ParentID   int64
	Code       string
	Name       string
	Boundary   orb.MultiPolygon
	Attributes map[string]any
}

func (in AdminUnitInput) check() error {
	if !slices.Contains(AdminLevels, in.Level) {
		return apperr.New(apperr.Invalid, "level %q is not one of %s", in.Level, strings.Join(AdminLevels, ", "))
	}
	if strings.TrimSpace(in.Code) == "" || strings.TrimSpace(in.Name) == "" {
		return apperr.New(apperr.Invalid, "code and name are required")
	}
	if len(in.Boundary) == 0 {
		return apperr.New(apperr.Invalid, "geometry is required")
	}
	if (in.Level == "subdistrict" || in.Level == "community") && in.ParentID == 0 {
		return apperr.New(apperr.Invalid, "a %s needs a parent", in.Level)
	}
	if err := checkTexts("code", in.Code, MaxCodeChars, "name", in.Name, MaxNameChars); err != nil {
		return err
	}
	if err := checkVertices("geometry", in.Boundary, MaxVertices); err != nil {
		return err
	}
	return checkAttributes(in.Attributes)
}

// AdminUnitFilter selects admin units; zero fields match everything.
type AdminUnitFilter struct {
	Level    string
	ParentID int64
	Page     Page
}

const adminUnitColumns = `u.id, u.level, COALESCE(u.parent_id, 0), u.code, u.name, ST_AsBinary(u.boundary),
	u.attributes, u.created_at, u.updated_at`

func scanAdminUnit(row pgx.Row) (AdminUnit, error) {
	var (
		u     AdminUnit
		geom  []byte
		attrs []byte
	)
	if err := row.Scan(&u.ID, &u.Level, &u.ParentID, &u.Code, &u.Name, &geom, &attrs, &u.CreatedAt, &u.UpdatedAt); err != nil {
		return u, err
	}
	var err error
	if u.Boundary, err = multiPolygonFromWKB(geom); err != nil {
		return u, fmt.Errorf("admin unit %d boundary: %w", u.ID, err)
	}
	if err := json.Unmarshal(attrs, &u.Attributes); err != nil {
		return u, fmt.Errorf("admin unit %d attributes: %w", u.ID, err)
	}
	return u, nil
}

// ListAdminUnits returns one page of admin units. The administrative map is not secret: every
// signed-in user sees all of it, which the dashboard needs to navigate.
func (s *Store) ListAdminUnits(ctx context.Context, who access.Principal, f AdminUnitFilter) ([]AdminUnit, int64, error) {
	if f.Level != "" && !slices.Contains(AdminLevels, f.Level) {
		return nil, 0, apperr.New(apperr.Invalid, "level %q is not one of %s", f.Level, strings.Join(AdminLevels, ", "))
	}
	limit := f.Page.limit()
	rows, err := s.db.Query(ctx, `SELECT `+adminUnitColumns+` FROM admin_unit u
		WHERE u.id > $1 AND ($2 = '' OR u.level = $2) AND ($3 = 0 OR u.parent_id = $3)
		ORDER BY u.id LIMIT $4`, f.Page.After, f.Level, f.ParentID, limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("list admin units: %w", err)
	}
	units, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AdminUnit, error) { return scanAdminUnit(r) })
	if err != nil {
		return nil, 0, fmt.Errorf("list admin units: %w", err)
	}
	units, next := trimPage(units, limit, func(x AdminUnit) int64 { return x.ID })
	return units, next, nil
}

// AdminUnit returns one admin unit.
func (s *Store) AdminUnit(ctx context.Context, who access.Principal, id int64) (AdminUnit, error) {
	u, err := scanAdminUnit(s.db.QueryRow(ctx, `SELECT `+adminUnitColumns+` FROM admin_unit u WHERE u.id = $1`, id))
	return u, translate(err, fmt.Sprintf("admin unit %d", id))
}

// CreateAdminUnit stores a new admin unit; admins only, since it redraws everyone's scope.
func (s *Store) CreateAdminUnit(ctx context.Context, who access.Principal, in AdminUnitInput) (AdminUnit, error) {
	if !who.CanChangeRegistry() {
		return AdminUnit{}, apperr.New(apperr.Forbidden, "only an admin may create admin units")
	}
	if err := in.check(); err != nil {
		return AdminUnit{}, err
	}
	var out AdminUnit
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := checkParent(ctx, tx, in); err != nil {
			return err
		}
		if err := checkValid(ctx, tx, "geometry", in.Boundary); err != nil {
			return err
		}
		attrs, err := attributesJSON(in.Attributes)
		if err != nil {
			return err
		}
		row := tx.QueryRow(ctx, `INSERT INTO admin_unit AS u (level, parent_id, code, name, boundary, attributes)
			VALUES ($1, NULLIF($2, 0), $3, $4, ST_GeomFromWKB($5, 4326), $6) RETURNING `+adminUnitColumns,
			in.Level, in.ParentID, strings.TrimSpace(in.Code), strings.TrimSpace(in.Name), wkbOf(in.Boundary), attrs)
		if out, err = scanAdminUnit(row); err != nil {
			return translate(err, "admin unit")
		}
		return audit.Record(ctx, tx, who, audit.Create, "admin_unit", out.ID, nil, adminUnitAudit(out))
	})
	return out, err
}

// UpdateAdminUnit replaces an admin unit; the areas it touches are located again by the database.
func (s *Store) UpdateAdminUnit(ctx context.Context, who access.Principal, id int64, in AdminUnitInput) (AdminUnit, error) {
	if !who.CanChangeRegistry() {
		return AdminUnit{}, apperr.New(apperr.Forbidden, "only an admin may change admin units")
	}
	if err := in.check(); err != nil {
		return AdminUnit{}, err
	}
	if in.ParentID == id {
		return AdminUnit{}, apperr.New(apperr.Invalid, "an admin unit cannot be its own parent")
	}
	var out AdminUnit
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		before, err := scanAdminUnit(tx.QueryRow(ctx, `SELECT `+adminUnitColumns+` FROM admin_unit u WHERE u.id = $1 FOR UPDATE`, id))
		if err != nil {
			return translate(err, fmt.Sprintf("admin unit %d", id))
		}
		if err := checkParent(ctx, tx, in); err != nil {
			return err
		}
		if err := checkValid(ctx, tx, "geometry", in.Boundary); err != nil {
			return err
		}
		attrs, err := attributesJSON(in.Attributes)
		if err != nil {
			return err
		}
		row := tx.QueryRow(ctx, `UPDATE admin_unit u SET level = $2, parent_id = NULLIF($3, 0), code = $4, name = $5,
			boundary = ST_GeomFromWKB($6, 4326), attributes = $7, updated_at = now() WHERE id = $1 RETURNING `+adminUnitColumns,
			id, in.Level, in.ParentID, strings.TrimSpace(in.Code), strings.TrimSpace(in.Name), wkbOf(in.Boundary), attrs)
		if out, err = scanAdminUnit(row); err != nil {
			return translate(err, "admin unit")
		}
		return audit.Record(ctx, tx, who, audit.Update, "admin_unit", id, adminUnitAudit(before), adminUnitAudit(out))
	})
	return out, err
}

// DeleteAdminUnit removes an admin unit that has no children.
func (s *Store) DeleteAdminUnit(ctx context.Context, who access.Principal, id int64) error {
	if !who.CanChangeRegistry() {
		return apperr.New(apperr.Forbidden, "only an admin may delete admin units")
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		before, err := scanAdminUnit(tx.QueryRow(ctx, `SELECT `+adminUnitColumns+` FROM admin_unit u WHERE u.id = $1 FOR UPDATE`, id))
		if err != nil {
			return translate(err, fmt.Sprintf("admin unit %d", id))
		}
		if _, err := tx.Exec(ctx, `DELETE FROM admin_unit WHERE id = $1`, id); err != nil {
			return translate(err, fmt.Sprintf("admin unit %d", id))
		}
		return audit.Record(ctx, tx, who, audit.Delete, "admin_unit", id, adminUnitAudit(before), nil)
	})
}

// checkParent enforces the hierarchy: a community sits in a subdistrict, a subdistrict in a district.
func checkParent(ctx context.Context, tx pgx.Tx, in AdminUnitInput) error {
	if in.ParentID == 0 {
		return nil
	}
	var parentLevel string
	err := tx.QueryRow(ctx, `SELECT level FROM admin_unit WHERE id = $1`, in.ParentID).Scan(&parentLevel)
	if err != nil {
		return translate(err, fmt.Sprintf("parent admin unit %d", in.ParentID))
	}
	want := map[string]string{"district": "city", "subdistrict": "district", "community": "subdistrict"}[in.Level]
	if parentLevel != want {
		return apperr.New(apperr.Invalid, "a %s's parent must be a %s, not a %s", in.Level, want, parentLevel)
	}
	return nil
}

func adminUnitAudit(u AdminUnit) map[string]any {
	return map[string]any{"id": u.ID, "level": u.Level, "parent_id": u.ParentID, "code": u.Code, "name": u.Name,
		"attributes": u.Attributes, "geometry": geojson.NewGeometry(u.Boundary)}
}
