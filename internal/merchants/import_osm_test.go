package merchants_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"streetchief/internal/dbtest"
	"streetchief/internal/importer"
	"streetchief/internal/merchants"
	"streetchief/internal/registry"
)

const liechtenstein = "../../../shared/data/liechtenstein-2013-08-03.osm.pbf"

// Liechtenstein's shops, with its municipalities imported as subdistricts: every shop inside one is
// stored under its OSM id, the rest are reported; a second import of the same extract changes nothing.
func TestImportLiechtensteinShops(t *testing.T) {
	if _, err := os.Stat(liechtenstein); err != nil {
		if os.Getenv("STREETCHIEF_REQUIRE_DB") == "1" {
			t.Fatalf("the OSM extract is not here: %v", err)
		}
		t.Skip(err)
	}
	ctx := context.Background()
	pool := dbtest.Pool(t)
	reg := registry.NewStore(pool)
	rep, err := importer.ImportOSM(ctx, reg, system, liechtenstein, importer.DefaultMapping(), registry.ImportOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.UnitsByLevel["subdistrict"] == 0 || len(rep.Merchants) < 50 {
		t.Fatalf("extract: %v units, %d shops", rep.UnitsByLevel, len(rep.Merchants))
	}
	store := merchants.NewStore(pool, reg, nil, nil, merchants.Rules{})
	rows := merchants.OSMRows(rep.Merchants)
	first, err := store.ImportRows(ctx, system, rows, nil, merchants.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if first.Created == 0 || first.Created+len(first.Rejected) != len(rows) {
		t.Fatalf("first: %d rows, %+v", len(rows), first)
	}
	for _, r := range first.Rejected {
		if !strings.Contains(r.Reason, "outside every subdistrict") && !strings.Contains(r.Reason, "finite") {
			t.Errorf("line %d (%s): %s", r.Line, r.Key, r.Reason)
		}
	}
	// An independent count: the shops PostGIS finds strictly inside a municipality.
	var inside int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM merchant m WHERE m.source_key LIKE 'osm:%' AND EXISTS (SELECT 1 FROM admin_unit u
		WHERE u.level = 'subdistrict' AND ST_Contains(u.boundary, m.location))`).Scan(&inside); err != nil {
		t.Fatal(err)
	}
	if inside != first.Created {
		t.Errorf("stored %d, of which %d lie inside a municipality", first.Created, inside)
	}
	second, err := store.ImportRows(ctx, system, rows, nil, merchants.ImportOptions{})
	if err != nil || second.Created != 0 || second.Updated != 0 || second.Unchanged != first.Created {
		t.Fatalf("second: %+v %v (first created %d)", second, err, first.Created)
	}
	t.Logf("%d shops in the extract: %d stored, %d outside; again: %d unchanged", len(rows), first.Created, len(first.Rejected), second.Unchanged)
}
