package importer_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"streetchief/internal/dbtest"
	"streetchief/internal/importer"
	"streetchief/internal/registry"
)

// An updated survey file imported again changes the areas stored under its keys in place: same id
// (so the responsible people and incidents stay), new geometry and name; what did not change is
// left alone, and a key given twice in one file is refused, not guessed.
func TestGeoJSONImportAgainChangesAreasInPlaceByKey(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	store := registry.NewStore(pool)
	g := importer.GeoJSONOptions{Kind: "park", KeyProp: "parcel"}
	first := collection(
		feature(square(151, 10, 0.001), `{"name":"东园","parcel":"P-1"}`),
		feature(square(151.01, 10, 0.001), `{"name":"西园","parcel":"P-2"}`))
	rep, err := importString(t, first, g, registry.ImportOptions{})
	if err != nil || rep.Areas != 2 || rep.Updated != 0 || len(rep.Skipped) != 0 {
		t.Fatalf("first import: %+v, %v", rep.ImportResult, err)
	}
	var id int64
	if err := pool.QueryRow(ctx, `SELECT id FROM area WHERE source_key = 'P-1'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	person, err := store.CreatePerson(ctx, system, registry.PersonInput{Name: "园长", Phone: "13900000001", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateAssignment(ctx, system, registry.AssignmentInput{AreaID: id, PersonID: person.ID, Role: "area_manager", Primary: true}); err != nil {
		t.Fatal(err)
	}

	again := collection(
		feature(square(151, 10, 0.002), `{"name":"东园（扩建）","parcel":"P-1"}`),
		feature(square(151.01, 10, 0.001), `{"name":"西园","parcel":"P-2"}`),
		feature(square(151.02, 10, 0.001), `{"name":"南园","parcel":"P-3"}`),
		feature(square(151.03, 10, 0.001), `{"name":"重号","parcel":"P-3"}`),
		feature(square(151.04, 10, 0.001), `{"name":"无号"}`))
	rep, err = importString(t, again, g, registry.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Areas != 2 || rep.Updated != 1 || rep.Unchanged != 1 || len(rep.Skipped) != 2 {
		t.Fatalf("second import: loaded %d, updated %d, unchanged %d, skipped %+v; want 2, 1, 1 and two skipped",
			rep.Areas, rep.Updated, rep.Unchanged, rep.Skipped)
	}
	for i, want := range map[int]string{3: "key P-3 was given to feature 2 already", 4: "no key: properties.parcel is missing"} {
		if sk := rep.Skipped[i-3]; sk.Index != i || !strings.Contains(sk.Reason, want) {
			t.Errorf("skipped %+v, want feature %d: %s", sk, i, want)
		}
	}
	var name string
	var areaM2 float64
	var holders int
	err = pool.QueryRow(ctx, `SELECT name, ST_Area(geom::geography),
		(SELECT count(*) FROM assignment s WHERE s.area_id = a.id AND s.valid @> now()) FROM area a WHERE id = $1`, id).Scan(&name, &areaM2, &holders)
	if err != nil {
		t.Fatal(err)
	}
	if name != "东园（扩建）" || areaM2 < 40000 || holders != 1 {
		t.Fatalf("area %d after the second import: %q, %.0f m², %d holders; want the new name and shape, and its manager kept", id, name, areaM2, holders)
	}
	var stored int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM area WHERE source_key LIKE 'P-%'`).Scan(&stored); err != nil || stored != 3 {
		t.Fatalf("%d areas under P- keys (%v), want 3", stored, err)
	}

	// An export carries the keys, so the exported file imports back by them: nothing new.
	var out bytes.Buffer
	walk := func(fn func(registry.ExportArea) error) error {
		return store.EachArea(ctx, system, func(a registry.ExportArea) error {
			if !strings.HasPrefix(a.SourceKey, "P-") {
				return nil
			}
			return fn(a)
		})
	}
	if err := importer.Export(&out, "geojson", walk); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"source_key":"P-1"`) {
		t.Fatalf("the export does not carry the keys: %.300s", out.String())
	}
	rep, err = importString(t, out.String(), importer.GeoJSONOptions{KeyProp: "source_key"}, registry.ImportOptions{})
	if err != nil || rep.Areas != 0 || rep.Unchanged != 3 || len(rep.Skipped) != 0 {
		t.Fatalf("the export imported back by key: %+v, %v; want 3 unchanged and nothing else", rep.ImportResult, err)
	}
}
