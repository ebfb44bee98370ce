package importer_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"streetchief/internal/dbtest"
	"streetchief/internal/importer"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

// checkNothingPlacedByATouch fails t when an imported unit's parent, or an area's community or
// subdistrict, only touches it: roads and parks run along municipal borders, and units share theirs.
func checkNothingPlacedByATouch(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	var touching []string
	rows, err := pool.Query(ctx, `SELECT u.name || ' in ' || p.name FROM admin_unit u JOIN admin_unit p ON p.id = u.parent_id
		WHERE u.code LIKE 'osm-%' AND NOT ST_Relate(p.boundary, u.boundary, 'T********')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		touching = append(touching, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(touching) > 0 {
		t.Errorf("units whose parent they only touch: %s", strings.Join(touching, ", "))
	}
	var misplaced int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM area a JOIN admin_unit u ON u.id IN (a.community_id, a.subdistrict_id)
		WHERE a.source_key LIKE 'osm:%' AND NOT ST_Relate(u.boundary, a.geom, 'T********')`).Scan(&misplaced); err != nil {
		t.Fatal(err)
	}
	if misplaced > 0 {
		t.Errorf("%d areas placed in a unit they only touch", misplaced)
	}
}

// Liechtenstein's two electoral districts share a border drawn by the same ways. With only the
// Oberland stored, the Unterland's municipalities lie beyond its border — the case of a commune
// across a national border — and those along it only touch it: none may become its subdistrict, and
// a point in them is outside the territory. The real shapes are moved 60° east, so that the other
// tests' imports of the same extract in this database are not candidates.
func TestMunicipalityBeyondItsOnlyDistrictsBorderGetsNoParent(t *testing.T) {
	needExtract(t)
	ctx := context.Background()
	store := registry.NewStore(dbtest.Pool(t))
	d, err := importer.ReadOSM(ctx, liechtenstein, importer.DefaultMapping(), nil)
	if err != nil {
		t.Fatal(err)
	}
	unterland := []string{"Eschen", "Gamprin", "Mauren", "Ruggell", "Schellenberg"}
	var units []registry.ImportUnit
	for _, u := range d.Units {
		if u.Name != "Wahlkreis Oberland" && !slices.Contains(unterland, u.Name) {
			continue
		}
		u.Code = "moved-" + u.Code
		u.Boundary = moved(u.Boundary)
		u.Index = len(units)
		units = append(units, u)
	}
	if len(units) != 1+len(unterland) {
		t.Fatalf("the extract has %d of the Oberland and the Unterland's municipalities, want %d", len(units), 1+len(unterland))
	}
	res, err := store.Import(ctx, system, units, nil, registry.ImportOptions{Label: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if res.UnitsByLevel["district"] != 1 || res.Units != 1 {
		t.Errorf("loaded %v, want the Oberland alone", res.UnitsByLevel)
	}
	refused := map[string]bool{}
	for _, s := range res.Skipped {
		if strings.Contains(s.Reason, "no district overlaps it") {
			refused[units[s.Index].Name] = true
		}
	}
	for _, name := range unterland {
		if !refused[name] {
			t.Errorf("%s was not refused for want of a district it overlaps (skipped: %+v)", name, res.Skipped)
		}
	}
	e := lookup.New(store)
	if err := e.Load(ctx); err != nil {
		t.Fatal(err)
	}
	for _, u := range units[1:] {
		var pt orb.Point
		if err := dbtest.Pool(t).QueryRow(ctx, `SELECT ST_X(p), ST_Y(p) FROM ST_PointOnSurface(ST_GeomFromWKB($1, 4326)) AS p`,
			wkb.Value(u.Boundary)).Scan(&pt[0], &pt[1]); err != nil {
			t.Fatal(err)
		}
		ans, err := e.Answer(lookup.Query{Point: pt, ToleranceM: -1})
		if err != nil {
			t.Fatal(err)
		}
		if ans.Subdistrict != nil || ans.Community != nil {
			t.Errorf("%v, in %s, answers subdistrict %+v, community %+v; want outside", pt, u.Name, ans.Subdistrict, ans.Community)
		}
	}
}

// moved is mp 60° further east.
func moved(mp orb.MultiPolygon) orb.MultiPolygon {
	out := make(orb.MultiPolygon, len(mp))
	for i, p := range mp {
		out[i] = make(orb.Polygon, len(p))
		for j, r := range p {
			out[i][j] = make(orb.Ring, len(r))
			for k, pt := range r {
				out[i][j][k] = orb.Point{pt[0] + 60, pt[1]}
			}
		}
	}
	return out
}
