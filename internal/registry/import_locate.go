package registry

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// communityBoxes indexes the communities' bounding boxes, widened a little so that a box test in Go
// never misses what PostGIS's && (on boxes rounded outward to float4) would find.
func communityBoxes(ctx context.Context, tx pgx.Tx) (*rtree.RTreeG[int64], error) {
	rows, err := tx.Query(ctx, `SELECT id, ST_XMin(boundary), ST_YMin(boundary), ST_XMax(boundary), ST_YMax(boundary)
		FROM admin_unit WHERE level = 'community'`)
	if err != nil {
		return nil, fmt.Errorf("import: communities: %w", err)
	}
	const pad = 1e-6 // degrees, ~0.1 m
	tr := &rtree.RTreeG[int64]{}
	var id int64
	var b orb.Bound
	if _, err := pgx.ForEachRow(rows, []any{&id, &b.Min[0], &b.Min[1], &b.Max[0], &b.Max[1]}, func() error {
		b = b.Pad(pad)
		tr.Insert(b.Min, b.Max, id)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("import: communities: %w", err)
	}
	return tr, nil
}

// candidates says how many communities' boxes meet the area's (0, 1, or 2 for several), and which
// one when it is one; -1 when it cannot tell (a corridor is drawn in PostGIS).
func (l *areaLoad) candidates(a *ImportArea) (int, *int64) {
	if l.communities == nil || a.Geom == nil {
		return -1, nil
	}
	k, id := 0, int64(0)
	l.communities.Search(a.bound.Min, a.bound.Max, func(_, _ [2]float64, c int64) bool {
		k, id = k+1, c
		return k < 2
	})
	if k == 1 {
		return 1, &id
	}
	return k, nil
}

// locateStage finds the community and subdistrict of each staged area from n = lo on, into
// import_area_place, with the area_locate trigger's rule (migration 0001) — the community of largest
// overlap and its subdistrict, else the subdistrict of largest overlap — as joins instead of two
// function calls a row. Like the trigger, a unit counts only where the interiors meet (an overlap
// of positive area: touching is not overlapping), and overlap areas are computed only where several
// units qualify. With boxes, an area whose box meets one community's box only (ncand, counted in Go)
// needs one test against that community and no index probe: nothing else can overlap it. Most areas
// lie inside their community, so one of their vertices (x0, y0) strictly inside it usually answers
// first, through PostGIS's cached prepared test — a polygon with a boundary point in the interior of
// another overlaps it; a vertex merely on the boundary proves nothing — and only the others are
// compared whole.
func locateStage(ctx context.Context, tx pgx.Tx, lo int, boxes bool) error {
	var placed int64
	if boxes {
		tag, err := tx.Exec(ctx, `INSERT INTO import_area_place (n, community_id, subdistrict_id)
			SELECT s.n, u.id, u.parent_id FROM import_area_stage s JOIN admin_unit u ON u.id = s.cand
			WHERE s.n >= $1 AND s.problem IS NULL AND s.ncand = 1
				AND (ST_ContainsProperly(u.boundary, ST_SetSRID(ST_MakePoint(s.x0, s.y0), 4326)) OR `+interiorsMeet("u.boundary", "s.geom")+`)`, lo)
		if err != nil {
			return fmt.Errorf("import: locate in communities: %w", err)
		}
		placed = tag.RowsAffected()
	}
	tag, err := tx.Exec(ctx, `INSERT INTO import_area_place (n, community_id, subdistrict_id)
		WITH cand AS (
			SELECT s.n, u.id, u.parent_id, count(*) OVER (PARTITION BY s.n) AS k, s.geom, u.boundary
			FROM import_area_stage s JOIN admin_unit u
				ON u.level = 'community' AND u.boundary && s.geom AND `+interiorsMeet("u.boundary", "s.geom")+`
			WHERE s.n >= $1 AND s.problem IS NULL AND NOT ($2 AND s.ncand BETWEEN 0 AND 1))
		SELECT DISTINCT ON (n) n, id, parent_id FROM cand
		ORDER BY n, CASE WHEN k = 1 THEN 0 ELSE -ST_Area(ST_Intersection(boundary, geom)) END, id`, lo, boxes)
	if err != nil {
		return fmt.Errorf("import: locate in communities: %w", err)
	}
	placed += tag.RowsAffected()
	var good int64
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM import_area_stage WHERE n >= $1 AND problem IS NULL`, lo).Scan(&good); err != nil {
		return fmt.Errorf("import: locate: %w", err)
	}
	if placed == good {
		return nil
	}
	// The rest are looked up among the subdistricts; picking them out first keeps the anti-join
	// from running once per candidate pair.
	if _, err := tx.Exec(ctx, `INSERT INTO import_area_place (n, community_id, subdistrict_id)
		WITH rest AS MATERIALIZED (
			SELECT s.n, s.geom FROM import_area_stage s
			WHERE s.n >= $1 AND s.problem IS NULL AND NOT EXISTS (SELECT 1 FROM import_area_place p WHERE p.n = s.n)),
		cand AS (
			SELECT r.n, u.id, count(*) OVER (PARTITION BY r.n) AS k, r.geom, u.boundary
			FROM rest r JOIN admin_unit u
				ON u.level = 'subdistrict' AND u.boundary && r.geom AND `+interiorsMeet("u.boundary", "r.geom")+`)
		SELECT DISTINCT ON (n) n, NULL::bigint, id FROM cand
		ORDER BY n, CASE WHEN k = 1 THEN 0 ELSE -ST_Area(ST_Intersection(boundary, geom)) END, id`, lo); err != nil {
		return fmt.Errorf("import: locate in subdistricts: %w", err)
	}
	return nil
}

// interiorsMeet is the SQL test that unit boundary u and geometry g overlap by a positive area, as
// admin_unit_by_largest_overlap (migration 0012) has it: the indexed, prepared ST_Intersects rejects
// most pairs before the exact ST_Relate.
func interiorsMeet(u, g string) string {
	return fmt.Sprintf("(ST_Intersects(%[1]s, %[2]s) AND ST_Relate(%[1]s, %[2]s, 'T********'))", u, g)
}
