package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// ImportArea is one area of a bulk import. Geom is a Polygon or MultiPolygon; when it is nil the area
// is a corridor: Centreline buffered by WidthM/2 metres on each side, in PostGIS, on the geography (so
// the width is metric wherever the road is).
type ImportArea struct {
	Index  int    // position in the caller's input, echoed in the report
	Source string // where it came from, e.g. "w4321" (an OSM way) or "feature 7"
	// Key, when set, names the feature in its source for good ("osm:w4321"): an area already stored
	// under the key is changed in place (same id, so its people and incidents stay with it) instead
	// of a second one being added. A key may appear once per import.
	Key        string
	Kind       string
	Name       string
	Geom       orb.Geometry
	Centreline orb.MultiLineString
	WidthM     float64
	Attributes map[string]any
	// AttributesJSON, when set, is a JSON object used as the attributes instead of Attributes: a
	// reader that already holds the object as JSON need not decode and re-encode it.
	AttributesJSON json.RawMessage

	prepared bool
	problem  error  // what checkImportArea found wrong, reported before the database is asked
	geomEWKB []byte // the geometry as a MultiPolygon, SRID 4326; nil for a corridor
	lineEWKB []byte // the centreline, or nil
	attrs    []byte
	bound    orb.Bound // of Geom, and one of its vertices, for the locate's shortcuts
	vertex   orb.Point
}

// Prepare checks the area and encodes what the import sends to the database; the area must not
// change afterwards. Import calls it for an area that was not prepared; a reader may call it on its
// own goroutines so the work runs on several cores. A problem found here is reported by Import, not
// returned.
func (a *ImportArea) Prepare() {
	a.prepared = true
	if a.problem = checkImportArea(*a); a.problem != nil {
		return
	}
	switch g := a.Geom.(type) {
	case orb.Polygon:
		a.geomEWKB = ewkbOf(orb.MultiPolygon{g})
		a.bound, a.vertex = g.Bound(), g[0][0]
	case orb.MultiPolygon:
		a.geomEWKB = ewkbOf(g)
		a.bound, a.vertex = g.Bound(), g[0][0][0]
	}
	if len(a.Centreline) > 0 {
		a.lineEWKB = ewkbOf(a.Centreline)
	}
	if len(a.AttributesJSON) > 0 {
		if a.AttributesJSON[0] != '{' || !json.Valid(a.AttributesJSON) {
			a.problem = errors.New("attributes must be an object")
			return
		}
		if utf8.Valid(a.AttributesJSON) {
			a.attrs = a.AttributesJSON
			return
		}
		// Decoding puts U+FFFD where the text is not UTF-8, as PostgreSQL requires.
		if err := json.Unmarshal(a.AttributesJSON, &a.Attributes); err != nil {
			a.problem = errors.New("attributes must be an object")
			return
		}
	}
	if a.attrs, a.problem = attributesJSON(a.Attributes); a.problem != nil {
		a.problem = fmt.Errorf("attributes: %v", apperr.Message(a.problem))
	}
}

// AreaStream yields the areas of an import in input order, and nil after the last one. An error
// ends the import and rolls it back.
type AreaStream func() (*ImportArea, error)

// Areas streams a slice; each area is handed out as a copy, so the import's preparation leaves the
// caller's slice as it was.
func Areas(areas []ImportArea) AreaStream {
	i := 0
	return func() (*ImportArea, error) {
		if i == len(areas) {
			return nil, nil
		}
		a := areas[i]
		i++
		return &a, nil
	}
}

// ImportUnit is one admin unit of a bulk import. Its parent is the unit of the level above that
// overlaps it most, among those already stored or imported at the same time.
type ImportUnit struct {
	Index      int
	Source     string
	Level      string
	Code       string
	Name       string
	Boundary   orb.MultiPolygon
	Attributes map[string]any
}

// ImportOptions say how strict a bulk import is.
type ImportOptions struct {
	Strict bool   // the first bad feature rolls everything back
	Repair bool   // invalid geometries are repaired with ST_MakeValid, and the report says what changed
	DryRun bool   // check everything, write nothing
	Label  string // what was imported, for the audit log ("osm liechtenstein.osm.pbf")
}

// ImportSkip is a feature that was not loaded, and why.
type ImportSkip struct {
	Target   string    `json:"target"` // "area" or "admin_unit"
	Index    int       `json:"index"`
	Source   string    `json:"source,omitempty"`
	Kind     string    `json:"kind,omitempty"` // the area kind or admin level it would have had
	Reason   string    `json:"reason"`
	Location []float64 `json:"location,omitempty"`
}

// ImportRepair is a feature whose geometry was repaired, with what was wrong and what changed.
type ImportRepair struct {
	Target string `json:"target"`
	Index  int    `json:"index"`
	Source string `json:"source,omitempty"`
	Reason string `json:"reason"`
	Change string `json:"change"`
}

// ImportResult reports a bulk import.
type ImportResult struct {
	Areas          int            `json:"loaded"`                          // new and updated
	Updated        int            `json:"updated,omitempty"`               // of Areas, those changed in place by Key
	Unchanged      int            `json:"unchanged,omitempty"`             // areas stored under their Key already, just as they are
	Units          int            `json:"loaded_admin_units,omitempty"`    // new and updated
	UnitsUpdated   int            `json:"updated_admin_units,omitempty"`   // of Units, those changed in place by code
	UnitsUnchanged int            `json:"unchanged_admin_units,omitempty"` // admin units stored under their code already, just as they are
	ByKind         map[string]int `json:"by_kind"`
	UnitsByLevel   map[string]int `json:"admin_units_by_level,omitempty"`
	FirstID        int64          `json:"first_id,omitempty"` // the new areas' ids
	LastID         int64          `json:"last_id,omitempty"`
	Skipped        []ImportSkip   `json:"skipped"`
	Repaired       []ImportRepair `json:"repaired,omitempty"`
	DryRun         bool           `json:"dry_run,omitempty"`
	Elapsed        time.Duration  `json:"-"`
}

var errDryRun = errors.New("dry run")

// Import loads admin units, then areas, in one transaction: rows are copied (COPY) into staging
// tables, checked there set-based (ST_IsValidDetail, emptiness, the caller's scope), optionally
// repaired, and inserted with one INSERT … SELECT per table. In strict mode the first problem rolls
// everything back and is returned as an Invalid error; otherwise bad rows are reported and the good
// ones load. One audit row records the import.
func (s *Store) Import(ctx context.Context, who access.Principal, units []ImportUnit, areas []ImportArea, opt ImportOptions) (ImportResult, error) {
	return s.ImportStream(ctx, who, units, Areas(areas), opt)
}

// ImportStream is Import with the areas read as they come, so that reading them overlaps with the
// COPY into staging. A strict import fails on the first area the stream or the checks refuse.
func (s *Store) ImportStream(ctx context.Context, who access.Principal, units []ImportUnit, areas AreaStream, opt ImportOptions) (ImportResult, error) {
	start := time.Now()
	res := ImportResult{ByKind: map[string]int{}, UnitsByLevel: map[string]int{}, Skipped: []ImportSkip{}, DryRun: opt.DryRun}
	first, err := areas()
	if err != nil {
		return res, err
	}
	if first != nil && !who.CanChangeFieldData() {
		return res, apperr.New(apperr.Forbidden, "your role may not create areas")
	}
	if len(units) > 0 && !who.CanChangeRegistry() {
		return res, apperr.New(apperr.Forbidden, "only an admin may create admin units")
	}
	bad := map[int]bool{}
	for _, u := range units {
		if err := checkImportUnit(u); err != nil {
			if opt.Strict {
				return res, strictError(ImportSkip{Target: "admin_unit", Index: u.Index, Source: u.Source, Reason: err.Error()})
			}
			res.Skipped = append(res.Skipped, ImportSkip{Target: "admin_unit", Index: u.Index, Source: u.Source, Kind: u.Level, Reason: err.Error()})
			bad[u.Index] = true
		}
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		// The planner's JIT costs more than it saves on these one-off statements (~0.25 s a statement
		// on the bench city), and sorts of ~100,000 rows should stay in memory.
		if _, err := tx.Exec(ctx, `SET LOCAL jit = off; SET LOCAL work_mem = '64MB'; SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
			return fmt.Errorf("import: settings: %w", err)
		}
		if err := importUnits(ctx, tx, units, bad, opt, &res); err != nil {
			return err
		}
		if first != nil {
			if err := importAreas(ctx, tx, who, first, areas, opt, &res); err != nil {
				return err
			}
		}
		slices.SortStableFunc(res.Skipped, func(a, b ImportSkip) int {
			if a.Target != b.Target {
				return strings.Compare(b.Target, a.Target) // admin units first, as they were loaded
			}
			return a.Index - b.Index
		})
		summary := map[string]any{"label": opt.Label, "loaded": res.Areas, "updated": res.Updated, "by_kind": res.ByKind,
			"admin_units": res.UnitsByLevel, "updated_admin_units": res.UnitsUpdated, "first_id": res.FirstID, "last_id": res.LastID, "skipped": len(res.Skipped)}
		if err := audit.Record(ctx, tx, who, audit.Import, "area", 0, nil, summary); err != nil {
			return err
		}
		if opt.DryRun {
			return errDryRun
		}
		return nil
	})
	res.Elapsed = time.Since(start)
	if errors.Is(err, errDryRun) {
		err = nil
	}
	if err != nil {
		return ImportResult{Skipped: []ImportSkip{}, ByKind: map[string]int{}, Elapsed: res.Elapsed}, err
	}
	return res, nil
}

// importUnits loads admin units level by level from the top, so each finds its parent among the
// units stored before it.
func importUnits(ctx context.Context, tx pgx.Tx, units []ImportUnit, bad map[int]bool, opt ImportOptions, res *ImportResult) error {
	if len(units) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_unit_stage (n int PRIMARY KEY, level text, code text, name text,
		attributes jsonb, geom geometry, parent_id bigint, problem text, px float8, py float8) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("import: staging table: %w", err)
	}
	var rows [][]any
	for i, u := range units {
		if bad[u.Index] {
			continue
		}
		attrs, err := attributesJSON(u.Attributes)
		if err != nil {
			return err
		}
		rows = append(rows, []any{i, u.Level, strings.TrimSpace(u.Code), strings.TrimSpace(u.Name), ewkbOf(u.Boundary), string(attrs)})
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_unit_stage"}, []string{"n", "level", "code", "name", "geom", "attributes"},
		pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("import: copy admin units: %w", err)
	}
	if err := validateStage(ctx, tx, "import_unit_stage", opt.Repair, "admin_unit", unitSource(units), res); err != nil {
		return err
	}
	// A unit whose code is stored already is changed in place (an updated extract imported again),
	// but never turned into another level, and a code may appear once per import.
	if _, err := tx.Exec(ctx, `UPDATE import_unit_stage s SET problem = 'an admin unit with code ' || s.code || ' already exists as a ' || u.level
		FROM admin_unit u WHERE s.problem IS NULL AND u.code = s.code AND u.level <> s.level`); err != nil {
		return fmt.Errorf("import: admin unit codes: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE import_unit_stage s SET problem = 'code ' || s.code || ' was given to an earlier admin unit of this import'
		WHERE s.problem IS NULL AND EXISTS (SELECT 1 FROM import_unit_stage e WHERE e.code = s.code AND e.n < s.n AND e.problem IS NULL)`); err != nil {
		return fmt.Errorf("import: admin unit codes: %w", err)
	}
	parentLevel := map[string]string{"district": "city", "subdistrict": "district", "community": "subdistrict"}
	for _, level := range AdminLevels {
		if pl := parentLevel[level]; pl != "" {
			if _, err := tx.Exec(ctx, `UPDATE import_unit_stage SET parent_id = admin_unit_by_largest_overlap(geom, $2)
				WHERE level = $1 AND problem IS NULL`, level, pl); err != nil {
				return fmt.Errorf("import: parents of %s: %w", level, err)
			}
			if level != "district" {
				if _, err := tx.Exec(ctx, `UPDATE import_unit_stage SET problem = 'no ' || $2 || ' overlaps it (touching is not overlapping), so it has no parent'
					WHERE level = $1 AND problem IS NULL AND parent_id IS NULL`, level, pl); err != nil {
					return fmt.Errorf("import: parents of %s: %w", level, err)
				}
			}
		}
		if err := collectProblems(ctx, tx, "import_unit_stage", "admin_unit", unitSource(units), opt, res, level, 0); err != nil {
			return err
		}
		var n, updated, unchanged int
		err := tx.QueryRow(ctx, `WITH ins AS (
				INSERT INTO admin_unit AS u (level, parent_id, code, name, boundary, attributes)
				SELECT level, parent_id, code, name, geom, attributes FROM import_unit_stage
				WHERE level = $1 AND problem IS NULL ORDER BY n
				ON CONFLICT (code) DO UPDATE
				SET parent_id = EXCLUDED.parent_id, name = EXCLUDED.name, boundary = EXCLUDED.boundary,
					attributes = EXCLUDED.attributes, updated_at = now()
				WHERE (u.parent_id, u.name, u.attributes) IS DISTINCT FROM (EXCLUDED.parent_id, EXCLUDED.name, EXCLUDED.attributes)
					OR NOT ST_OrderingEquals(u.boundary, EXCLUDED.boundary)
				RETURNING xmax = 0 AS inserted)
			SELECT count(*), count(*) FILTER (WHERE NOT inserted),
				(SELECT count(*) FROM import_unit_stage WHERE level = $1 AND problem IS NULL) - count(*) FROM ins`, level).Scan(&n, &updated, &unchanged)
		if err != nil {
			return translate(err, "import admin units")
		}
		if n > 0 {
			res.UnitsByLevel[level] = n
			res.Units += n
		}
		res.UnitsUpdated += updated
		res.UnitsUnchanged += unchanged
	}
	return nil
}

func unitSource(units []ImportUnit) func(n int) (int, string, string) {
	return func(n int) (int, string, string) { return units[n].Index, units[n].Source, units[n].Level }
}
