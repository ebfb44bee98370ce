package registry_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"streetchief/internal/dbtest"
	"streetchief/internal/registry"
)

// directAreas are eight keyed areas for chunks of four copied straight into area: the first chunk
// holds, at index 2, a centreline PostGIS finds invalid though Go lets it by (two equal positions),
// the second, at index 5, a bow tie across the line between the two communities (so that PostGIS,
// not Go, is asked to place it before the COPY refuses it); index 6 lies across that line too, and
// index 7 sits in community B.
func directAreas(x0 float64, prefix string) []registry.ImportArea {
	var out []registry.ImportArea
	add := func(g orb.Geometry, line orb.MultiLineString) {
		i := len(out)
		out = append(out, registry.ImportArea{Index: i, Source: fmt.Sprintf("feature %d", i), Key: fmt.Sprintf("%s:%d", prefix, i),
			Kind: "park", Name: fmt.Sprintf("park %d", i), Geom: g, Centreline: line})
	}
	for i := range 5 {
		var line orb.MultiLineString
		if i == 2 {
			line = orb.MultiLineString{{{x0 + 0.0045, 20.0055}, {x0 + 0.0045, 20.0055}}}
		}
		add(square(x0+0.001+float64(i)*0.0015, 20.005, 0.001), line)
	}
	add(orb.Polygon{{{x0 + 0.0095, 20.001}, {x0 + 0.0105, 20.002}, {x0 + 0.0105, 20.001}, {x0 + 0.0095, 20.002}, {x0 + 0.0095, 20.001}}}, nil)
	add(square(x0+0.0095, 20.007, 0.001), nil)
	add(square(x0+0.013, 20.005, 0.001), nil)
	return out
}

// keysInIDOrder are the keys under prefix in the order of the areas' ids.
func keysInIDOrder(t *testing.T, prefix string) []string {
	t.Helper()
	rows, err := dbtest.Pool(t).Query(context.Background(), `SELECT source_key FROM area WHERE source_key LIKE $1 || ':%' ORDER BY id`, prefix)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

// A chunk area's CHECKs refuse is rolled back whole and goes through staging, which names each bad
// feature with PostGIS's reason; every good area is written once, in input order, where the
// trigger would put it.
func TestBulkChunkTheDatabaseRefusesLoadsEachGoodAreaOnceAndNamesTheBadOnes(t *testing.T) {
	f := newFixture(t, "direct")
	x0 := f.sub.Boundary.Bound().Min[0]
	defer registry.SetBulkForTest(3, 4)()
	before := areaSchema(t)
	res, err := f.store.Import(context.Background(), admin, nil, directAreas(x0, "direct"), registry.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Areas != 6 || len(res.Skipped) != 2 {
		t.Fatalf("want 6 loaded and 2 skipped, got %d loaded, skipped %+v", res.Areas, res.Skipped)
	}
	if s := res.Skipped[0]; s.Index != 2 || s.Source != "feature 2" || !strings.Contains(s.Reason, "centreline: Too few points") {
		t.Errorf("first skip %+v, want feature 2's centreline with PostGIS's reason", s)
	}
	if s := res.Skipped[1]; s.Index != 5 || !strings.Contains(s.Reason, "Self-intersection") || s.Location == nil {
		t.Errorf("second skip %+v, want feature 5's self-intersection with its place", s)
	}
	want := []string{"direct:0", "direct:1", "direct:3", "direct:4", "direct:6", "direct:7"}
	if got := keysInIDOrder(t, "direct"); !slices.Equal(got, want) {
		t.Fatalf("areas stored by id %v, want each good one once in input order %v", got, want)
	}
	if wrong := misplaced(t, res.FirstID, res.LastID); wrong != 0 {
		t.Fatalf("%d areas located unlike the trigger would", wrong)
	}
	schemaKept(t, before)
}

// Keys are checked in Go before anything is copied: a key given twice in one import skips its
// second feature, and a key area already holds sends its chunk through staging to change that area
// in place rather than fail the COPY on the unique index.
func TestBulkImportKeysGivenTwiceOrStoredAlready(t *testing.T) {
	f := newFixture(t, "directkeys")
	x0 := f.sub.Boundary.Bound().Min[0]
	defer registry.SetBulkForTest(3, 4)()
	ctx := context.Background()
	clean := func() []registry.ImportArea {
		var out []registry.ImportArea
		for _, a := range directAreas(x0, "directkeys") {
			if a.Index != 2 && a.Index != 5 {
				a.Centreline = nil
				out = append(out, a)
			}
		}
		return out
	}
	twice := clean()
	twice[3].Key = twice[1].Key
	res, err := f.store.Import(ctx, admin, nil, twice, registry.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Areas != 5 || len(res.Skipped) != 1 || res.Skipped[0].Index != twice[3].Index ||
		res.Skipped[0].Reason != fmt.Sprintf("key %s was given to feature %d already", twice[1].Key, twice[1].Index) {
		t.Fatalf("want the second use of key %s skipped, got %d loaded, skipped %+v", twice[1].Key, res.Areas, res.Skipped)
	}
	again := clean()
	again[0].Name = "renamed"
	res, err = f.store.Import(ctx, admin, nil, again, registry.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != 1 || res.Areas != 2 || res.Unchanged != 4 {
		t.Fatalf("importing again: %+v; want 1 changed in place, the once-skipped one added, 4 unchanged", res)
	}
	want := []string{"directkeys:0", "directkeys:1", "directkeys:3", "directkeys:6", "directkeys:7", "directkeys:4"}
	if got := keysInIDOrder(t, "directkeys"); !slices.Equal(got, want) {
		t.Fatalf("areas by id %v, want %v", got, want)
	}
}
