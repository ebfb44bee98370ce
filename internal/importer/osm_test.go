package importer_test

import (
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/importer"
	"streetchief/internal/registry"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var system = access.System("test")

const liechtenstein = "../../../shared/data/liechtenstein-2013-08-03.osm.pbf"

func needExtract(t *testing.T) { needFile(t, liechtenstein) }

// needFile skips the test when the real data file is not there, except under make test
// (STREETCHIEF_REQUIRE_DB=1), where a test that cannot run has failed.
func needFile(tb testing.TB, path string) {
	tb.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("STREETCHIEF_REQUIRE_DB") == "1" {
			tb.Fatalf("the OSM extract is not here (%v), and STREETCHIEF_REQUIRE_DB=1: see ../shared/data/README.md", err)
			return
		}
		tb.Skipf("the OSM extract is not here (%v): see ../shared/data/README.md", err)
	}
}

// outcomeTB records how a helper ended a test instead of ending it.
type outcomeTB struct {
	testing.TB
	skipped, failed bool
}

func (o *outcomeTB) Helper()               {}
func (o *outcomeTB) Skipf(string, ...any)  { o.skipped = true }
func (o *outcomeTB) Fatalf(string, ...any) { o.failed = true }

func TestMissingExtractFailsWhenTheDatabaseIsRequired(t *testing.T) {
	missing := t.TempDir() + "/absent.osm.pbf"
	for _, tc := range []struct {
		require    string
		fail, skip bool
	}{{"1", true, false}, {"", false, true}} {
		t.Setenv("STREETCHIEF_REQUIRE_DB", tc.require)
		o := &outcomeTB{TB: t}
		needFile(o, missing)
		if o.failed != tc.fail || o.skipped != tc.skip {
			t.Errorf("STREETCHIEF_REQUIRE_DB=%q: failed %v, skipped %v; want %v, %v", tc.require, o.failed, o.skipped, tc.fail, tc.skip)
		}
	}
}

// expectedKind restates the documented default mapping (docs/import.md) without the importer's
// code: what an object with these tags should become, and whether it needs to be an area.
func expectedKind(tags map[string]string, relation bool) (kind string, area bool) {
	in := func(k string, vs ...string) bool { v, ok := tags[k]; return ok && slices.Contains(vs, v) }
	night := regexp.MustCompile(`(?i)night|夜市|nacht|abend`)
	type rule struct {
		ok   bool
		kind string
		area bool
	}
	for _, r := range []rule{
		{in("amenity", "marketplace") && night.MatchString(tags["name"]), "night_market", true},
		{in("amenity", "marketplace"), "farmers_market", true},
		{in("highway", "pedestrian") && in("area", "yes"), "square", true},
		{in("place", "square"), "square", true},
		{in("highway", "trunk", "primary"), "main_road", false},
		{in("highway", "secondary", "tertiary"), "secondary_road", false},
		{in("highway", "residential", "living_street", "service", "pedestrian", "unclassified"), "back_lane", false},
		{in("waterway", "riverbank"), "river", true},
		{in("natural", "water") && in("water", "river"), "river", true},
		{in("waterway", "river"), "river", false},
		{in("landuse", "retail", "commercial"), "commercial_street", true},
		{in("leisure", "park"), "park", true},
		{in("landuse", "residential"), "residential_compound", true},
	} {
		if r.ok && (!relation || r.area) {
			return r.kind, r.area
		}
	}
	return "", false
}

func TestImportLiechtensteinMatchesAnIndependentCount(t *testing.T) {
	needExtract(t)
	ctx := context.Background()
	pool := dbtest.Pool(t)
	store := registry.NewStore(pool)

	want := map[string]int{}      // candidates per kind, from the independent reader
	unclosed := map[string]bool{} // ways that need an area but do not close
	wantUnits, merchants := 0, 0
	for _, o := range readPBFObjects(t, liechtenstein) {
		// The documented merchant keys (docs/import.md), restated: every shop, and the amenities
		// that trade onto the pavement.
		_, shop := o.tags["shop"]
		if shop || slices.Contains([]string{"restaurant", "cafe", "fast_food", "bar", "pub", "food_court", "ice_cream",
			"pharmacy", "bank", "fuel", "car_wash", "internet_cafe"}, o.tags["amenity"]) {
			merchants++
		}
		switch o.typ {
		case 'w':
			if kind, area := expectedKind(o.tags, false); kind != "" {
				want[kind]++
				if area && (len(o.nodes) < 4 || o.nodes[0] != o.nodes[len(o.nodes)-1]) {
					unclosed[o.source()] = true
				}
			}
		case 'r':
			typ := o.tags["type"]
			admin := o.tags["boundary"] == "administrative" && (typ == "boundary" || typ == "multipolygon")
			if admin && (o.tags["admin_level"] == "6" || o.tags["admin_level"] == "8") {
				wantUnits++
			} else if typ == "multipolygon" {
				if kind, _ := expectedKind(o.tags, true); kind != "" {
					want[kind]++
				}
			}
		}
	}
	if want["main_road"] == 0 || want["back_lane"] == 0 || wantUnits == 0 {
		t.Fatalf("the independent count found too little to compare: %v, %d units", want, wantUnits)
	}

	rep, err := importer.ImportOSM(ctx, store, system, liechtenstein, importer.DefaultMapping(), registry.ImportOptions{Label: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("independent count: %v, %d admin units, %d merchants; imported %v, %v, %d skipped",
		want, wantUnits, merchants, rep.ByKind, rep.UnitsByLevel, len(rep.Skipped))
	skipped := map[string]int{}
	skippedUnits := 0
	for _, s := range rep.Skipped {
		if s.Target == "admin_unit" {
			skippedUnits++
			if !strings.HasPrefix(s.Source, "r") || !strings.HasPrefix(s.Reason, "incomplete: member ways") {
				t.Errorf("admin unit skipped for an unexpected reason: %+v", s)
			}
			continue
		}
		skipped[s.Kind]++
		if unclosed[s.Source] != strings.Contains(s.Reason, "not closed") {
			t.Errorf("skip of %s does not match the independent closedness check: %+v", s.Source, s)
		}
	}
	for _, kind := range registry.AreaKinds {
		if got := rep.ByKind[kind] + skipped[kind]; got != want[kind] {
			t.Errorf("%s: loaded %d + skipped %d = %d, the independent count says %d", kind, rep.ByKind[kind], skipped[kind], got, want[kind])
		}
	}
	if rep.Units+skippedUnits != wantUnits {
		t.Errorf("admin units: loaded %d + skipped %d, the independent count says %d", rep.Units, skippedUnits, wantUnits)
	}
	if skippedUnits == 0 {
		t.Errorf("no incomplete boundary relation was reported, but the extract cuts through its neighbours' boundaries")
	}
	if rep.MerchantCount != merchants {
		t.Errorf("merchants to come: %d, the independent count says %d", rep.MerchantCount, merchants)
	}
	if len(unclosed) > 0 && len(rep.Skipped) == 0 {
		t.Errorf("unclosed area ways were not reported")
	}

	// What the report says is what the tables hold: every polygon valid, every municipality a
	// subdistrict under an electoral district, areas located in them by the database.
	rows, err := pool.Query(ctx, `SELECT kind, count(*) FROM area WHERE attributes ? 'osm_id' GROUP BY kind`)
	if err != nil {
		t.Fatal(err)
	}
	inDB := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		inDB[k] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for k, n := range rep.ByKind {
		if inDB[k] != n {
			t.Errorf("%s: report says %d loaded, the table holds %d", k, n, inDB[k])
		}
	}
	var invalid, located, vaduz int
	err = pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM area WHERE NOT ST_IsValid(geom) OR NOT ST_IsValid(centreline)),
		(SELECT count(*) FROM area WHERE subdistrict_id IS NOT NULL AND attributes ? 'osm_id'),
		(SELECT count(*) FROM admin_unit u JOIN admin_unit p ON p.id = u.parent_id
			WHERE u.name = 'Vaduz' AND u.level = 'subdistrict' AND p.level = 'district')`).Scan(&invalid, &located, &vaduz)
	if err != nil {
		t.Fatal(err)
	}
	if invalid != 0 {
		t.Errorf("%d imported geometries are not valid", invalid)
	}
	if vaduz != 1 {
		t.Errorf("Vaduz is not a subdistrict under a district")
	}
	if located < rep.Areas*9/10 {
		t.Errorf("only %d of %d areas were located in a municipality", located, rep.Areas)
	}
	checkNothingPlacedByATouch(t, pool)

	// The same extract again adds nothing: every area and unit is stored under its OSM key as it
	// is, except one renamed here since, which the import puts back — in place, keeping its id.
	var renamed int64
	if err := pool.QueryRow(ctx, `UPDATE area SET name = 'renamed' WHERE id = (SELECT min(id) FROM area WHERE source_key LIKE 'osm:%')
		RETURNING id`).Scan(&renamed); err != nil {
		t.Fatal(err)
	}
	before := tableCounts(t)
	again, err := importer.ImportOSM(ctx, store, system, liechtenstein, importer.DefaultMapping(), registry.ImportOptions{Label: "test again"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Areas != 1 || again.Updated != 1 || again.Unchanged != rep.Areas-1 || again.Units != 0 || again.UnitsUnchanged != rep.Units {
		t.Errorf("importing again: loaded %d (updated %d), unchanged %d, units loaded %d, unchanged %d; want 1 (1), %d, 0, %d",
			again.Areas, again.Updated, again.Unchanged, again.Units, again.UnitsUnchanged, rep.Areas-1, rep.Units)
	}
	if after := tableCounts(t); strings.Split(after, " audit")[0] != strings.Split(before, " audit")[0] {
		t.Errorf("importing again changed the row counts: %s → %s", before, after)
	}
	var name string
	if err := pool.QueryRow(ctx, `SELECT name FROM area WHERE id = $1`, renamed).Scan(&name); err != nil || name == "renamed" {
		t.Errorf("area %d is still %q (%v) after importing again", renamed, name, err)
	}
}

func TestImportOSMStrictAndDryRunWriteNothing(t *testing.T) {
	needExtract(t)
	ctx := context.Background()
	pool := dbtest.Pool(t)
	store := registry.NewStore(pool)
	before := tableCounts(t)
	_, err := importer.ImportOSM(ctx, store, system, liechtenstein, importer.DefaultMapping(), registry.ImportOptions{Strict: true}, nil)
	if err == nil || !strings.Contains(err.Error(), "nothing was imported") {
		t.Fatalf("strict import of an extract with incomplete relations: %v, want a refusal", err)
	}
	rep, err := importer.ImportOSM(ctx, store, system, liechtenstein, importer.DefaultMapping(), registry.ImportOptions{DryRun: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Areas+rep.Unchanged == 0 || !rep.DryRun { // unchanged: when the extract is already in
		t.Fatalf("dry run reported %d areas", rep.Areas)
	}
	if after := tableCounts(t); after != before {
		t.Fatalf("tables changed: %s → %s", before, after)
	}
}

func TestMappingFileOverridesTheDefault(t *testing.T) {
	path := t.TempDir() + "/mapping.json"
	if err := os.WriteFile(path, []byte(`{"admin_levels":{"8":"community","6":""},"rules":[{"tags":{"highway":"*"},"kind":"back_lane","geometry":"line","width_m":4}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := importer.LoadMapping(path)
	if err != nil {
		t.Fatal(err)
	}
	if m.AdminLevels["8"] != "community" || m.AdminLevels["6"] != "" || len(m.Rules) != 1 {
		t.Fatalf("mapping not overridden: %+v", m)
	}
	if r := m.Match(map[string]string{"highway": "footway"}); r == nil || r.Kind != "back_lane" {
		t.Fatalf("highway=* should match any highway: %+v", r)
	}
	for _, bad := range []string{`{"rules":[{"tags":{"a":"b"},"kind":"castle","geometry":"area"}]}`, `{"colour":"red"}`,
		`{"rules":[{"tags":{"a":"b"},"kind":"park","geometry":"line"}]}`} {
		if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := importer.LoadMapping(path); err == nil {
			t.Errorf("mapping %s was accepted", bad)
		}
	}
}
