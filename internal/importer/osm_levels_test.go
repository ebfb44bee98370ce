package importer_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"streetchief/internal/dbtest"
	"streetchief/internal/importer"
	"streetchief/internal/registry"
)

// levels7and10 is a district (Kreis, admin_level 7) of two quarters (admin_level 10), a state
// (4) that runs off the file, and a road: none of it at the default levels 6 and 8.
const levels7and10 = "testdata/levels-7-10.osm"

func TestExtractAtOtherAdminLevelsUsesItsDeepestClosedLevels(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	// A dry run: other tests count what this package's database holds under OSM keys.
	rep, err := importer.ImportOSM(ctx, registry.NewStore(pool), system, levels7and10, importer.DefaultMapping(), registry.ImportOptions{DryRun: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ChosenLevels["7"] != "district" || rep.ChosenLevels["10"] != "subdistrict" || len(rep.ChosenLevels) != 2 {
		t.Errorf("chosen levels %v, want 7 → district, 10 → subdistrict", rep.ChosenLevels)
	}
	if rep.UnitsByLevel["district"] != 1 || rep.UnitsByLevel["subdistrict"] != 2 || rep.Areas != 1 {
		t.Errorf("would load %v and %d areas, want the Kreis, its two quarters and the road", rep.UnitsByLevel, rep.Areas)
	}
	hint := strings.Join(rep.AdminLevelHint(), "\n")
	for _, want := range []string{"7 → district", "10 → subdistrict", "admin_level 4: 1 relation(s), e.g. Land", "admin_level 10: 2 relation(s), 2 closed, e.g. Westend, Ostend", "--mapping"} {
		if !strings.Contains(hint, want) {
			t.Errorf("the hint does not say %q:\n%s", want, hint)
		}
	}
}

func TestMappedAdminLevelsThatMatchNothingAreExplained(t *testing.T) {
	path := t.TempDir() + "/mapping.json"
	if err := os.WriteFile(path, []byte(`{"admin_levels": {"5": "district"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := importer.LoadMapping(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := importer.ImportOSM(context.Background(), registry.NewStore(dbtest.Pool(t)), system, levels7and10, m, registry.ImportOptions{DryRun: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Units != 0 || len(rep.ChosenLevels) != 0 {
		t.Fatalf("levels a mapping names are kept: loaded %d units, chose %v", rep.Units, rep.ChosenLevels)
	}
	hint := strings.Join(rep.AdminLevelHint(), "\n")
	for _, want := range []string{"no admin unit", "5, 6, 8", "admin_level 7: 1 relation(s), e.g. Kreis", "admin_level 10: 2 relation(s), e.g. Westend, Ostend",
		`{"admin_levels": {"7": "district", "10": "subdistrict"}}`} {
		if !strings.Contains(hint, want) {
			t.Errorf("the hint does not say %q:\n%s", want, hint)
		}
	}
}
