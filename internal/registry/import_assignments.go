package registry

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// importAssignments copies the assignments into staging, resolves and checks their references
// set-based, refuses the batch on the first problem (in input order) and inserts the rest in input
// order.
func importAssignments(ctx context.Context, tx pgx.Tx, who access.Principal, in []ImportAssignment, now time.Time, res *PostsResult) error {
	if len(in) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_post_stage (n int PRIMARY KEY, idx int, src text,
		area_id bigint, area_key text, unit_id bigint, unit_code text, person_id bigint, person_n int, role text,
		department_id bigint, is_primary boolean, valid_from timestamptz, valid_until timestamptz, note text, post_level text) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("import assignments: staging table: %w", err)
	}
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == len(in) {
			return nil, nil
		}
		a := in[i]
		i++
		from := now
		if a.From != nil {
			from = a.From.Truncate(time.Microsecond)
		}
		return []any{i, a.Index, a.Source, nullID(a.AreaID), nullText(a.AreaKey), nullID(a.AdminUnitID), nullText(a.AdminUnitCode),
			nullID(a.PersonID), nullID(int64(a.Person)), a.Role, nullID(a.DepartmentID), a.Primary, from, truncated(a.Until), a.Note, nullText(string(a.levelOrDefault()))}, nil
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_post_stage"}, []string{"n", "idx", "src", "area_id", "area_key", "unit_id",
		"unit_code", "person_id", "person_n", "role", "department_id", "is_primary", "valid_from", "valid_until", "note", "post_level"}, src); err != nil {
		return translate(err, "import assignments")
	}
	// One pass resolves every reference and finds the first thing wrong with each row, in the order
	// CreateAssignment checks them.
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_post_ready ON COMMIT DROP AS
		WITH r AS (
			SELECT s.*, COALESCE(ak.id, ai.id) AS area, COALESCE(uk.id, ui.id) AS unit, COALESCE(ps.id, p.id) AS person,
				COALESCE(ak.subdistrict_id, ai.subdistrict_id) AS area_sub, COALESCE(ak.community_id, ai.community_id) AS area_com,
				COALESCE(uk.level, ui.level) AS level, COALESCE(uk.parent_id, ui.parent_id) AS parent, d.id AS department,
				CASE s.role WHEN 'street_chief' THEN 'subdistrict' WHEN 'lane_chief' THEN 'community'
					WHEN 'department_liaison' THEN 'subdistrict' WHEN 'department_leader' THEN 'subdistrict'
					WHEN 'linked_leader' THEN 'subdistrict' WHEN 'cross_appointee' THEN 'subdistrict'
					WHEN 'area_manager' THEN 'area' END AS want
			FROM import_post_stage s
			LEFT JOIN area ak ON ak.source_key = s.area_key
			LEFT JOIN area ai ON ai.id = s.area_id
			LEFT JOIN admin_unit uk ON uk.code = s.unit_code
			LEFT JOIN admin_unit ui ON ui.id = s.unit_id
			LEFT JOIN import_person_stage ps ON ps.n = s.person_n
			LEFT JOIN person p ON p.id = s.person_id
			LEFT JOIN department d ON d.id = s.department_id)
		SELECT n, idx, src, area AS area_id, unit AS unit_id, person AS person_id, role, department_id, post_level, is_primary,
			tstzrange(valid_from, valid_until, '[)') AS valid, note,
			COALESCE(area_sub, CASE level WHEN 'subdistrict' THEN unit WHEN 'community' THEN parent END) AS sub,
			COALESCE(area_com, CASE level WHEN 'community' THEN unit END) AS com,
			CASE
				WHEN area_key IS NOT NULL AND area IS NULL THEN format('area with key %s does not exist', area_key)
				WHEN area_id IS NOT NULL AND area IS NULL THEN format('area %s does not exist', area_id)
				WHEN unit_code IS NOT NULL AND unit IS NULL THEN format('admin unit with code %s does not exist', unit_code)
				WHEN unit_id IS NOT NULL AND unit IS NULL THEN format('admin unit %s does not exist', unit_id)
				WHEN unit IS NOT NULL AND want = 'area' THEN format('an %s is assigned to an area, not to a %s', role, level)
				WHEN unit IS NOT NULL AND want <> level THEN format('a %s is assigned to a %s, not to a %s', role, want, level)
				WHEN person IS NULL THEN format('person %s does not exist', COALESCE(person_id::text, 'of the import ' || person_n))
				WHEN department_id IS NOT NULL AND department IS NULL THEN format('department %s does not exist', department_id)
			END AS problem,
			'invalid' AS code
		FROM r`); err != nil {
		return translate(err, "import assignments")
	}
	if !who.Scope.All {
		scope, args := who.Scope.Predicate("sub", "com", nil)
		if _, err := tx.Exec(ctx, `UPDATE import_post_ready SET problem = 'the target is outside your scope', code = 'forbidden'
			WHERE problem IS NULL AND NOT COALESCE(`+scope+`, false)`, args...); err != nil {
			return fmt.Errorf("import assignments: scope: %w", err)
		}
	}
	// The exclusion constraint would refuse an overlap too, but without saying which row clashed.
	const samePost = `COALESCE(e.area_id, 0) = COALESCE(s.area_id, 0) AND COALESCE(e.%[1]s, 0) = COALESCE(s.unit_id, 0)
		AND e.role = s.role AND COALESCE(e.department_id, 0) = COALESCE(s.department_id, 0)
		AND COALESCE(e.%[2]s, '') = COALESCE(s.post_level, '') AND e.valid && s.valid`
	if _, err := tx.Exec(ctx, `UPDATE import_post_ready s
		SET problem = format('its primary post overlaps in time that of assignment %s (%s) of this import', e.idx, e.src), code = 'conflict'
		FROM import_post_ready e
		WHERE s.problem IS NULL AND s.is_primary AND e.is_primary AND e.n < s.n AND `+fmt.Sprintf(samePost, "unit_id", "post_level")); err != nil {
		return fmt.Errorf("import assignments: overlaps: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE import_post_ready s
		SET problem = format('its primary post overlaps in time that of assignment %s, held from %s', e.id, lower(e.valid)), code = 'conflict'
		FROM assignment e
		WHERE s.problem IS NULL AND s.is_primary AND e.is_primary AND e.voided_at IS NULL AND `+fmt.Sprintf(samePost, "admin_unit_id", "level")); err != nil {
		return fmt.Errorf("import assignments: overlaps: %w", err)
	}
	var (
		idx               int
		source, why, code string
	)
	err := tx.QueryRow(ctx, `SELECT idx, src, problem, code FROM import_post_ready WHERE problem IS NOT NULL ORDER BY n LIMIT 1`).
		Scan(&idx, &source, &why, &code)
	if err == nil {
		// The code column holds apperr codes: invalid, conflict or forbidden.
		return rowError(apperr.Code(code), "assignment", idx, source, errors.New(why))
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("import assignments: problems: %w", err)
	}
	err = tx.QueryRow(ctx, `WITH ins AS (
			INSERT INTO assignment (area_id, admin_unit_id, person_id, role, department_id, level, is_primary, valid, note)
			SELECT area_id, unit_id, person_id, role, department_id, post_level, is_primary, valid, note FROM import_post_ready ORDER BY n
			RETURNING id)
		SELECT count(*), COALESCE(min(id), 0), COALESCE(max(id), 0) FROM ins`).Scan(&res.Assignments, &res.FirstAssignmentID, &res.LastAssignmentID)
	if err != nil {
		return translate(err, "import assignments")
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}
