package registry_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/dbtest"
	"streetchief/internal/registry"
	"streetchief/migrations"
)

// touchingAreas are the fixture's test areas for the overlap rule (its subdistrict is
// [x0, x0+0.02] × [20, 20.01], community A the west half, B the east half).
func touchingAreas(f fixture) []registry.ImportArea {
	b := f.comB.Boundary.Bound()
	// The subdistrict's east edge (x0+0.02) and B's (x0+0.01+0.01) may differ in the last bit: the
	// further one keeps the areas that touch from overlapping either by a sliver.
	east, north := math.Max(b.Max[0], f.sub.Boundary.Bound().Max[0]), b.Max[1]
	return []registry.ImportArea{
		// East of the subdistrict, on B's east edge: one community box, a vertex on its boundary.
		{Index: 0, Kind: "park", Name: "east", Geom: square(east, 20.003, 0.001)},
		// North of both communities, on their common corner: several candidates, none overlapping.
		{Index: 1, Kind: "park", Name: "north", Geom: square(b.Min[0]-0.001, north, 0.002)},
		// Mostly outside, but a sliver inside B: a positive overlap, however small, still counts.
		{Index: 2, Kind: "park", Name: "sliver", Geom: square(east-0.0001, 20.003, 0.002)},
	}
}

func checkTouchingAreas(t *testing.T, f fixture, got map[string][2]int64) {
	t.Helper()
	for name, want := range map[string][2]int64{"east": {0, 0}, "north": {0, 0}, "sliver": {f.comB.ID, f.sub.ID}} {
		if got[name] != want {
			t.Errorf("area %s: community and subdistrict %v, want %v", name, got[name], want)
		}
	}
}

func TestAreaThatOnlyTouchesUnitsHasNoPlace(t *testing.T) {
	f := newFixture(t, "touch")
	ctx := context.Background()
	got := map[string][2]int64{}
	for _, in := range touchingAreas(f) {
		a, err := f.store.CreateArea(ctx, admin, registry.AreaInput{Kind: in.Kind, Name: in.Name, Geom: in.Geom.(orb.MultiPolygon)})
		if err != nil {
			t.Fatal(err)
		}
		got[in.Name] = [2]int64{a.CommunityID, a.SubdistrictID}
	}
	checkTouchingAreas(t, f, got)
}

func TestBulkImportPlacesOnlyByPositiveOverlap(t *testing.T) {
	f := newFixture(t, "touchbulk")
	defer registry.SetBulkForTest(1, 2)()
	ctx := context.Background()
	res, err := f.store.Import(ctx, admin, nil, touchingAreas(f), registry.ImportOptions{})
	if err != nil || res.Areas != 3 {
		t.Fatalf("import: %+v, %v", res, err)
	}
	rows, err := dbtest.Pool(t).Query(ctx, `SELECT name, COALESCE(community_id, 0), COALESCE(subdistrict_id, 0) FROM area
		WHERE id BETWEEN $1 AND $2`, res.FirstID, res.LastID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int64{}
	var name string
	var c, s int64
	if _, err := pgx.ForEachRow(rows, []any{&name, &c, &s}, func() error { got[name] = [2]int64{c, s}; return nil }); err != nil {
		t.Fatal(err)
	}
	checkTouchingAreas(t, f, got)
}

func TestImportedUnitThatOnlyTouchesGetsNoParent(t *testing.T) {
	f := newFixture(t, "touchunit")
	x0 := f.sub.Boundary.Bound().Min[0]
	res, err := f.store.Import(context.Background(), admin, []registry.ImportUnit{
		// Beside the subdistrict, across its east edge, as a commune across a border.
		{Index: 0, Source: "east", Level: "community", Code: "touchunit-east", Name: "east", Boundary: square(x0+0.02, 20, 0.01)},
		// Half inside: its parent is the subdistrict.
		{Index: 1, Source: "half", Level: "community", Code: "touchunit-half", Name: "half", Boundary: square(x0+0.015, 20.005, 0.01)},
	}, nil, registry.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Units != 1 || len(res.Skipped) != 1 || res.Skipped[0].Source != "east" || !strings.Contains(res.Skipped[0].Reason, "no subdistrict") {
		t.Fatalf("want the touching unit skipped without a parent and the other loaded, got %+v", res)
	}
	var parent int64
	if err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT parent_id FROM admin_unit WHERE code = 'touchunit-half'`).Scan(&parent); err != nil || parent != f.sub.ID {
		t.Fatalf("the overlapping unit's parent is %d (%v), want %d", parent, err, f.sub.ID)
	}
}

// A database placed by the old rule (any contact counted) is corrected by the migration: run it
// again over rows put where only a touch would put them.
func TestMigrationCorrectsPlacesFromTouchesOnly(t *testing.T) {
	f := newFixture(t, "touchfix")
	ctx := context.Background()
	pool := dbtest.Pool(t)
	x0 := f.sub.Boundary.Bound().Min[0]
	east, err := f.store.CreateArea(ctx, admin, registry.AreaInput{Kind: "park", Name: "east", Geom: square(x0+0.02, 20.003, 0.001)})
	if err != nil {
		t.Fatal(err)
	}
	// A community beside the subdistrict, given it as parent (as the old import did), and one
	// given a parent it only touches while overlapping another.
	beside, err := f.store.CreateAdminUnit(ctx, admin, registry.AdminUnitInput{Level: "community", ParentID: f.sub.ID,
		Code: "touchfix-beside", Name: "beside", Boundary: square(x0+0.02, 20, 0.01)})
	if err != nil {
		t.Fatal(err)
	}
	dist := f.sub.ParentID
	other, err := f.store.CreateAdminUnit(ctx, admin, registry.AdminUnitInput{Level: "subdistrict", ParentID: dist,
		Code: "touchfix-other", Name: "other", Boundary: square(x0, 20.01, 0.02)})
	if err != nil {
		t.Fatal(err)
	}
	inside, err := f.store.CreateAdminUnit(ctx, admin, registry.AdminUnitInput{Level: "community", ParentID: other.ID,
		Code: "touchfix-inside", Name: "inside", Boundary: square(x0+0.005, 20.008, 0.002)})
	if err != nil {
		t.Fatal(err)
	}
	// The creations above located east in beside; put it where the old rule put it.
	if _, err := pool.Exec(ctx, `UPDATE area SET community_id = $2, subdistrict_id = $3 WHERE id = $1`, east.ID, f.comB.ID, f.sub.ID); err != nil {
		t.Fatal(err)
	}
	sql, err := migrations.Files.ReadFile("0012_positive_overlap.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, string(sql)); err != nil {
		t.Fatalf("the migration does not run again: %v", err)
	}
	var c, s, pb, pi int64
	if err := pool.QueryRow(ctx, `SELECT COALESCE(community_id, 0), COALESCE(subdistrict_id, 0),
		(SELECT COALESCE(parent_id, 0) FROM admin_unit WHERE id = $2), (SELECT COALESCE(parent_id, 0) FROM admin_unit WHERE id = $3)
		FROM area WHERE id = $1`, east.ID, beside.ID, inside.ID).Scan(&c, &s, &pb, &pi); err != nil {
		t.Fatal(err)
	}
	if c != beside.ID || s != 0 || pb != 0 || pi != f.sub.ID {
		t.Fatalf("after the migration: east in %d/%d (want %d/0), beside's parent %d (want none), inside's parent %d (want %d)",
			c, s, beside.ID, pb, pi, f.sub.ID)
	}
}
