package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/apperr"
)

// validateStage marks invalid and empty geometries of a staging table with ST_IsValidDetail's reason
// and location; with repair, it mends them with ST_MakeValid (keeping the polygonal part) and says
// how the area and the number of polygons changed.
func validateStage(ctx context.Context, tx pgx.Tx, table string, repair bool, target string, source func(int) (int, string, string), res *ImportResult) error {
	t := pgx.Identifier{table}.Sanitize()
	if _, err := tx.Exec(ctx, `UPDATE `+t+` s SET problem = d.reason, px = ST_X(d.location), py = ST_Y(d.location)
		FROM `+t+` x CROSS JOIN LATERAL ST_IsValidDetail(x.geom) d WHERE s.n = x.n AND NOT d.valid`); err != nil {
		return fmt.Errorf("import: validate: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE `+t+` SET problem = 'geometry is empty' WHERE problem IS NULL AND ST_IsEmpty(geom)`); err != nil {
		return fmt.Errorf("import: validate: %w", err)
	}
	if !repair {
		return nil
	}
	return repairStage(ctx, tx, table, 0, target, source, res)
}

// repairStage mends the geometries a staging table marked invalid (in rows from n on) with
// ST_MakeValid, keeping the polygonal part, and reports what was wrong and how the area and number
// of polygons changed.
func repairStage(ctx context.Context, tx pgx.Tx, table string, from int, target string, source func(int) (int, string, string), res *ImportResult) error {
	t := pgx.Identifier{table}.Sanitize()
	rows, err := tx.Query(ctx, `WITH fixed AS (
			SELECT n, problem, px, py, ST_Area(geom::geography) AS before_m2, ST_NumGeometries(geom) AS before_n,
				ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3)) AS g
			FROM `+t+` WHERE n >= $1 AND problem IS NOT NULL AND problem <> 'geometry is empty'),
		upd AS (
			UPDATE `+t+` s SET geom = f.g, problem = CASE WHEN ST_IsEmpty(f.g) THEN f.problem || ' (repair left nothing polygonal)' END
			FROM fixed f WHERE s.n = f.n RETURNING s.n, s.problem IS NULL AS ok)
		SELECT f.n, f.problem, f.px, f.py, f.before_m2, ST_Area(f.g::geography), f.before_n, ST_NumGeometries(f.g)
		FROM fixed f JOIN upd u ON u.n = f.n WHERE u.ok ORDER BY f.n`, from)
	if err != nil {
		return fmt.Errorf("import: repair: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			n, beforeN, afterN int
			reason             string
			px, py             *float64
			beforeM2, afterM2  float64
		)
		if err := rows.Scan(&n, &reason, &px, &py, &beforeM2, &afterM2, &beforeN, &afterN); err != nil {
			return fmt.Errorf("import: repair: %w", err)
		}
		idx, src, _ := source(n)
		if px != nil && py != nil {
			reason += fmt.Sprintf(" at [%.7f, %.7f]", *px, *py)
		}
		res.Repaired = append(res.Repaired, ImportRepair{Target: target, Index: idx, Source: src, Reason: reason,
			Change: fmt.Sprintf("ST_MakeValid: area %.0f m² → %.0f m², %d polygon(s) → %d", beforeM2, afterM2, beforeN, afterN)})
	}
	return rows.Err()
}

// collectProblems moves the marked rows of a staging table (of one admin level, if level is set;
// from n on) into the report, or, in strict mode, fails on the first of them.
func collectProblems(ctx context.Context, tx pgx.Tx, table, target string, source func(int) (int, string, string), opt ImportOptions, res *ImportResult, level string, from int) error {
	q := `SELECT n, problem, px, py FROM ` + pgx.Identifier{table}.Sanitize() + ` WHERE problem IS NOT NULL AND n >= $1 ORDER BY n`
	args := []any{from}
	if level != "" {
		q = `SELECT n, problem, px, py FROM ` + pgx.Identifier{table}.Sanitize() + ` WHERE problem IS NOT NULL AND n >= $1 AND level = $2 ORDER BY n`
		args = append(args, level)
	}
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("import: problems: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			n      int
			reason string
			px, py *float64
		)
		if err := rows.Scan(&n, &reason, &px, &py); err != nil {
			return fmt.Errorf("import: problems: %w", err)
		}
		idx, src, kind := source(n)
		sk := ImportSkip{Target: target, Index: idx, Source: src, Kind: kind, Reason: reason}
		if px != nil && py != nil {
			sk.Location = []float64{*px, *py}
		}
		if opt.Strict {
			return strictError(sk)
		}
		res.Skipped = append(res.Skipped, sk)
	}
	return rows.Err()
}

func checkImportArea(a ImportArea) error {
	if !slices.Contains(AreaKinds, a.Kind) {
		return fmt.Errorf("kind %q is not one of %s", a.Kind, strings.Join(AreaKinds, ", "))
	}
	if strings.TrimSpace(a.Name) == "" {
		return errors.New("name is required")
	}
	if err := checkTexts("name", a.Name, MaxNameChars, "key", a.Key, MaxCodeChars); err != nil {
		return errors.New(apperr.Message(err))
	}
	if err := checkVertices("geometry", a.Geom, MaxVertices); err != nil {
		return errors.New(apperr.Message(err))
	}
	if err := checkVertices("centreline", a.Centreline, MaxCentrelineVertex); err != nil {
		return errors.New(apperr.Message(err))
	}
	if err := checkImportAttributes(a); err != nil {
		return errors.New(apperr.Message(err))
	}
	switch g := a.Geom.(type) {
	case nil:
		if len(a.Centreline) == 0 {
			return errors.New("geometry is required")
		}
		if a.WidthM <= 0 || a.WidthM > 2000 {
			return fmt.Errorf("corridor width %g m is not between 0 and 2000", a.WidthM)
		}
	case orb.Polygon:
		return checkRings(orb.MultiPolygon{g})
	case orb.MultiPolygon:
		return checkRings(g)
	default:
		return fmt.Errorf("geometry must be a Polygon or MultiPolygon, not %s", g.GeoJSONType())
	}
	for i, ls := range a.Centreline {
		if len(ls) < 2 {
			return fmt.Errorf("centreline line %d needs at least 2 positions", i)
		}
		for _, p := range ls {
			if err := checkPosition(p); err != nil {
				return fmt.Errorf("centreline line %d: %w", i, err)
			}
		}
	}
	return nil
}

func checkImportUnit(u ImportUnit) error {
	if !slices.Contains(AdminLevels, u.Level) {
		return fmt.Errorf("level %q is not one of %s", u.Level, strings.Join(AdminLevels, ", "))
	}
	if strings.TrimSpace(u.Code) == "" || strings.TrimSpace(u.Name) == "" {
		return errors.New("code and name are required")
	}
	if err := checkTexts("code", u.Code, MaxCodeChars, "name", u.Name, MaxNameChars); err != nil {
		return errors.New(apperr.Message(err))
	}
	if err := checkVertices("geometry", u.Boundary, MaxVertices); err != nil {
		return errors.New(apperr.Message(err))
	}
	if err := checkAttributes(u.Attributes); err != nil {
		return errors.New(apperr.Message(err))
	}
	return checkRings(u.Boundary)
}

// checkImportAttributes applies the attributes limits to whichever form the reader gave.
func checkImportAttributes(a ImportArea) error {
	if len(a.AttributesJSON) > 0 {
		return checkAttributesJSON(a.AttributesJSON)
	}
	return checkAttributes(a.Attributes)
}

func checkRings(mp orb.MultiPolygon) error {
	if len(mp) == 0 {
		return errors.New("geometry is empty")
	}
	for i, poly := range mp {
		if len(poly) == 0 {
			return fmt.Errorf("polygon %d has no rings", i)
		}
		for j, ring := range poly {
			if err := checkRing(ring); err != nil {
				return fmt.Errorf("polygon %d ring %d: %w", i, j, err)
			}
		}
	}
	return nil
}

func strictError(sk ImportSkip) error {
	where := ""
	if sk.Location != nil {
		where = fmt.Sprintf(" at [%.7f, %.7f]", sk.Location[0], sk.Location[1])
	}
	e := apperr.New(apperr.Invalid, "%s %d (%s): %s%s; nothing was imported", sk.Target, sk.Index, sk.Source, sk.Reason, where).
		With("index", sk.Index).With("source", sk.Source).With("reason", sk.Reason)
	if sk.Location != nil {
		e = e.With("location", sk.Location)
	}
	return e
}
