package registry

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"streetchief/geo"
)

// communityIndex holds the communities for the locate's shortcuts: their bounding boxes, widened a
// little so that a box test in Go never misses what PostGIS's && (on boxes rounded outward to
// float4) would find, and their boundaries and subdistricts, to place in Go an area with a vertex
// strictly inside the one community its box meets.
type communityIndex struct {
	boxes *rtree.RTreeG[int]
	units []community
}

type community struct {
	id          int64
	subdistrict *int64
	boundary    orb.MultiPolygon
}

func communityBoxes(ctx context.Context, tx pgx.Tx) (*communityIndex, error) {
	rows, err := tx.Query(ctx, `SELECT id, parent_id, ST_AsBinary(boundary) FROM admin_unit WHERE level = 'community' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("import: communities: %w", err)
	}
	const pad = 1e-6 // degrees, ~0.1 m
	ix := &communityIndex{boxes: &rtree.RTreeG[int]{}}
	var c community
	var boundary []byte
	if _, err := pgx.ForEachRow(rows, []any{&c.id, &c.subdistrict, &boundary}, func() error {
		mp, err := multiPolygonFromWKB(boundary)
		if err != nil {
			return err
		}
		b := mp.Bound().Pad(pad)
		ix.boxes.Insert(b.Min, b.Max, len(ix.units))
		ix.units = append(ix.units, community{id: c.id, subdistrict: c.subdistrict, boundary: mp})
		return nil
	}); err != nil {
		return nil, fmt.Errorf("import: communities: %w", err)
	}
	return ix, nil
}

// meeting says how many communities' boxes meet the area's (0, 1, or 2 for several), and which
// one when it is one.
func (ix *communityIndex) meeting(a *ImportArea) (int, *community) {
	k, at := 0, 0
	ix.boxes.Search(a.bound.Min, a.bound.Max, func(_, _ [2]float64, i int) bool {
		k, at = k+1, i
		return k < 2
	})
	if k == 1 {
		return 1, &ix.units[at]
	}
	return k, nil
}

// candidates says how many communities' boxes meet the area's (0, 1, or 2 for several), and which
// one when it is one; -1 when it cannot tell (a corridor is drawn in PostGIS).
func (l *areaLoad) candidates(a *ImportArea) (int, *int64) {
	if l.communities == nil || a.Geom == nil {
		return -1, nil
	}
	k, c := l.communities.meeting(a)
	if c != nil {
		return k, &c.id
	}
	return k, nil
}

// place is locateStage's first shortcut decided in Go: an area whose box meets one community's box
// only, with a vertex strictly inside that community, lies in it (a polygon with a boundary point in
// the interior of another overlaps it, and nothing else can). Any vertex of the first outer ring
// will do: an area drawn along the community's edge has some of them on it. false when it takes
// PostGIS to tell.
func (ix *communityIndex) place(a *ImportArea) (*community, bool) {
	if a.Geom == nil {
		return nil, false
	}
	k, c := ix.meeting(a)
	if k != 1 {
		return nil, false
	}
	var ring orb.Ring
	switch g := a.Geom.(type) {
	case orb.Polygon:
		ring = g[0]
	case orb.MultiPolygon:
		ring = g[0][0]
	}
	for _, v := range ring {
		if geo.InInterior(c.boundary, v) {
			return c, true
		}
	}
	return nil, false
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
		SELECT n, id, parent_id FROM (`+largestOverlap("community", `SELECT n, geom FROM import_area_stage
			WHERE n >= $1 AND problem IS NULL AND NOT ($2 AND ncand BETWEEN 0 AND 1)`)+`) c`, lo, boxes)
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
			WHERE s.n >= $1 AND s.problem IS NULL AND NOT EXISTS (SELECT 1 FROM import_area_place p WHERE p.n = s.n))
		SELECT n, NULL::bigint, id FROM (`+largestOverlap("subdistrict", `SELECT n, geom FROM rest`)+`) c`, lo); err != nil {
		return fmt.Errorf("import: locate in subdistricts: %w", err)
	}
	return nil
}

// placement is where an area goes: its community and subdistrict, either or both nil.
type placement struct{ community, subdistrict *int64 }

// locatePlaces finds, by locateStage's rule, the places of the areas of chunk at positions unplaced
// (those communityIndex.place could not decide), for a chunk about to be copied straight into area.
func locatePlaces(ctx context.Context, tx pgx.Tx, chunk []*ImportArea, unplaced []int, places []placement) error {
	if len(unplaced) == 0 {
		return nil
	}
	geoms := make([][]byte, len(unplaced))
	for j, i := range unplaced {
		geoms[j] = chunk[i].geomEWKB
	}
	rows, err := tx.Query(ctx, `WITH src AS MATERIALIZED (SELECT n, ST_GeomFromEWKB(g) AS geom FROM unnest($1::bytea[]) WITH ORDINALITY AS s(g, n)),
			com AS MATERIALIZED (`+largestOverlap("community", `SELECT n, geom FROM src`)+`),
			sub AS (`+largestOverlap("subdistrict", `SELECT n, geom FROM src WHERE n NOT IN (SELECT n FROM com)`)+`)
		SELECT n, id, parent_id FROM com UNION ALL SELECT n, NULL::bigint, id FROM sub`, geoms)
	if err != nil {
		return fmt.Errorf("import: locate: %w", err)
	}
	var (
		n                      int64
		community, subdistrict *int64
	)
	if _, err := pgx.ForEachRow(rows, []any{&n, &community, &subdistrict}, func() error {
		p := &places[unplaced[n-1]]
		if community != nil {
			p.community = &[]int64{*community}[0]
		}
		if subdistrict != nil {
			p.subdistrict = &[]int64{*subdistrict}[0]
		}
		return nil
	}); err != nil {
		return fmt.Errorf("import: locate: %w", err)
	}
	return nil
}

// largestOverlap is the SQL choosing, for each row (n, geom) of src, the unit of the level whose
// interior meets it with the largest overlap (the lowest id among equals): the rows n, id,
// parent_id. Overlap areas are computed only where several units qualify.
func largestOverlap(level, src string) string {
	return `SELECT DISTINCT ON (n) n, id, parent_id FROM (
			SELECT s.n, u.id, u.parent_id, count(*) OVER (PARTITION BY s.n) AS k, s.geom, u.boundary
			FROM (` + src + `) s JOIN admin_unit u ON u.level = '` + level + `' AND u.boundary && s.geom AND ` + interiorsMeet("u.boundary", "s.geom") + `) cand
		ORDER BY n, CASE WHEN k = 1 THEN 0 ELSE -ST_Area(ST_Intersection(boundary, geom)) END, id`
}

// interiorsMeet is the SQL test that unit boundary u and geometry g overlap by a positive area, as
// admin_unit_by_largest_overlap (migration 0012) has it: the indexed, prepared ST_Intersects rejects
// most pairs before the exact ST_Relate.
func interiorsMeet(u, g string) string {
	return fmt.Sprintf("(ST_Intersects(%[1]s, %[2]s) AND ST_Relate(%[1]s, %[2]s, 'T********'))", u, g)
}
