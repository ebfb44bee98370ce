package registry_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/registry"
)

func TestParseChangeReadsRowsAndRanges(t *testing.T) {
	for _, tc := range []struct {
		payload string
		want    registry.Change
		ok      bool
	}{
		{"area:insert:42", registry.Change{Table: "area", Op: "insert", First: 42, Last: 42}, true},
		{"area:insert:7-9000", registry.Change{Table: "area", Op: "insert", First: 7, Last: 9000}, true},
		{"person:update:3", registry.Change{Table: "person", Op: "update", First: 3, Last: 3}, true},
		{"area:insert:9-7", registry.Change{}, false},
		{"area:insert:x", registry.Change{}, false},
		{"area:insert", registry.Change{}, false},
	} {
		got, ok := registry.ParseChange(tc.payload)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%q: got %+v %v, want %+v %v", tc.payload, got, ok, tc.want, tc.ok)
		}
		if ok && got.Bulk() != (got.First != got.Last) {
			t.Errorf("%q: Bulk() = %v", tc.payload, got.Bulk())
		}
	}
}

// listenForChanges is a connection listening on registry.ChangeChannel until the test ends.
func listenForChanges(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := dbtest.Pool(t).Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Release)
	if _, err := conn.Exec(context.Background(), "LISTEN "+registry.ChangeChannel); err != nil {
		t.Fatal(err)
	}
	return conn.Conn()
}

// areaSchema is what a bulk import may take off area and must put back exactly.
func areaSchema(t *testing.T) string {
	t.Helper()
	var s string
	err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT
		(SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), '; ' ORDER BY conname) FROM pg_constraint WHERE conrelid = 'area'::regclass)
		|| ' | ' || (SELECT string_agg(pg_get_indexdef(indexrelid), '; ' ORDER BY indexrelid::regclass::text) FROM pg_index WHERE indrelid = 'area'::regclass)
		|| ' | ' || (SELECT string_agg(tgname || ' ' || tgenabled::text, '; ' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 'area'::regclass AND NOT tgisinternal)`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// misplaced counts the areas of ids first to last that are not where the area_locate trigger would
// have put them.
func misplaced(t *testing.T, first, last int64) int {
	t.Helper()
	var wrong int
	if err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT count(*) FROM area a WHERE a.id BETWEEN $1 AND $2 AND (
			a.community_id IS DISTINCT FROM admin_unit_by_largest_overlap(a.geom, 'community') OR
			a.subdistrict_id IS DISTINCT FROM COALESCE((SELECT parent_id FROM admin_unit WHERE id = admin_unit_by_largest_overlap(a.geom, 'community')),
				admin_unit_by_largest_overlap(a.geom, 'subdistrict')))`, first, last).Scan(&wrong); err != nil {
		t.Fatal(err)
	}
	return wrong
}

// bulkAreas are areas in and around fixture f's two communities: inside A, inside B, across both
// (more in A), north of everything, a corridor, and, at index 6, a bow tie.
func bulkAreas(x0 float64) []registry.ImportArea {
	bow := orb.Polygon{{{x0 + 0.001, 20.001}, {x0 + 0.002, 20.002}, {x0 + 0.002, 20.001}, {x0 + 0.001, 20.002}, {x0 + 0.001, 20.001}}}
	var out []registry.ImportArea
	add := func(kind string, g orb.Geometry, line orb.MultiLineString) {
		out = append(out, registry.ImportArea{Index: len(out), Source: "test", Kind: kind, Name: kind, Geom: g, Centreline: line, WidthM: 6})
	}
	for i := range 3 {
		add("park", square(x0+0.001+float64(i)*0.002, 20.005, 0.001), nil)
	}
	add("square", square(x0+0.013, 20.005, 0.001), nil)
	add("park", orb.Polygon{{{x0 + 0.006, 20.007}, {x0 + 0.0105, 20.007}, {x0 + 0.0105, 20.008}, {x0 + 0.006, 20.008}, {x0 + 0.006, 20.007}}}, nil)
	add("park", square(x0+0.015, 20.0095, 0.0004), nil)
	add("park", bow, nil)
	add("park", square(x0+0.005, 20.0102, 0.0005), nil) // in no unit: looked for among the subdistricts too
	add("back_lane", nil, orb.MultiLineString{{{x0 + 0.0121, 20.002}, {x0 + 0.0121, 20.004}}})
	add("square", square(x0+0.003, 20.003, 0.0005), nil)
	return out
}

func TestBulkImportLocatesChecksRestoresAndAnnouncesOnce(t *testing.T) {
	f := newFixture(t, "bulk")
	x0 := f.sub.Boundary.Bound().Min[0]
	defer registry.SetBulkForTest(3, 4)()
	ctx := context.Background()
	before := areaSchema(t)

	conn := listenForChanges(t)

	res, err := f.store.Import(ctx, admin, nil, bulkAreas(x0), registry.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Areas != 9 || len(res.Skipped) != 1 || res.Skipped[0].Index != 6 || !strings.Contains(res.Skipped[0].Reason, "Self-intersection") || res.Skipped[0].Location == nil {
		t.Fatalf("want 9 loaded and the bow tie skipped with reason and place, got %d loaded, skipped %+v", res.Areas, res.Skipped)
	}
	schemaKept(t, before)
	if wrong := misplaced(t, res.FirstID, res.LastID); wrong != 0 {
		t.Fatalf("%d areas located unlike the trigger would", wrong)
	}
	wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	n, err := conn.WaitForNotification(wctx)
	if err != nil {
		t.Fatal(err)
	}
	ch, ok := registry.ParseChange(n.Payload)
	if !ok || ch.Table != "area" || ch.First != res.FirstID || ch.Last != res.LastID {
		t.Fatalf("announcement %q, want area:insert:%d-%d", n.Payload, res.FirstID, res.LastID)
	}
	qctx, cancel2 := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel2()
	if extra, err := conn.WaitForNotification(qctx); err == nil {
		t.Fatalf("a second announcement: %q", extra.Payload)
	}
}

// A strict import refused in a chunk copied straight into area (the centreline PostGIS finds
// invalid) or in one through staging (the bow tie, whose chunk holds a corridor) writes nothing.
func TestStrictBulkImportRollsBackEverything(t *testing.T) {
	f := newFixture(t, "bulkstrict")
	x0 := f.sub.Boundary.Bound().Min[0]
	defer registry.SetBulkForTest(3, 4)()
	ctx := context.Background()
	before := areaSchema(t)
	count := func() int {
		var n int
		if err := dbtest.Pool(t).QueryRow(ctx, `SELECT count(*) FROM area`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		areas        []registry.ImportArea
		what, reason string
	}{
		{bulkAreas(x0), "area 6", "Self-intersection"},
		{directAreas(x0, "bulkstrict"), "area 2 (feature 2)", "centreline: Too few points"},
	} {
		n0 := count()
		_, err := f.store.Import(ctx, admin, nil, tc.areas, registry.ImportOptions{Strict: true})
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), tc.what) || !strings.Contains(err.Error(), tc.reason) {
			t.Fatalf("want %s refused (%s), got %v", tc.what, tc.reason, err)
		}
		if n := count(); n != n0 {
			t.Fatalf("%d areas written by a refused import", n-n0)
		}
		schemaKept(t, before)
	}
}

// schemaKept fails the test unless area's constraints, indexes and triggers are as before.
func schemaKept(t *testing.T, before string) {
	t.Helper()
	if after := areaSchema(t); after != before {
		t.Fatalf("area's constraints, indexes or triggers changed:\nbefore %s\nafter  %s", before, after)
	}
}

// A bulk import of areas already stored under their keys changes them in place and, its row
// triggers being paused, announces each change itself; unchanged ones are neither written nor
// announced.
func TestBulkImportAgainUpdatesByKeyAndAnnouncesEachChange(t *testing.T) {
	f := newFixture(t, "bulkkeys")
	x0 := f.sub.Boundary.Bound().Min[0]
	defer registry.SetBulkForTest(3, 4)()
	ctx := context.Background()
	keyed := func(moved int) []registry.ImportArea {
		var out []registry.ImportArea
		for _, a := range bulkAreas(x0) {
			if a.Index == 6 { // the bow tie
				continue
			}
			a.Index, a.Key = len(out), "bulkkeys:"+a.Kind+":"+string(rune('a'+len(out)))
			if a.Index == moved {
				a.Name = "moved"
				a.Geom = square(x0+0.0035, 20.0035, 0.0005)
			}
			out = append(out, a)
		}
		return out
	}
	pool := dbtest.Pool(t)
	conn := listenForChanges(t)
	first, err := f.store.Import(ctx, admin, nil, keyed(-1), registry.ImportOptions{})
	if err != nil || first.Areas != 9 || len(first.Skipped) != 0 {
		t.Fatalf("first import: %+v, %v", first, err)
	}
	// Read up to the first import's own announcement, so that what follows is the second's.
	for {
		wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		if err != nil {
			t.Fatalf("the first import was not announced: %v", err)
		}
		if n.Payload == fmt.Sprintf("area:insert:%d-%d", first.FirstID, first.LastID) {
			break
		}
	}
	before := areaSchema(t)
	again, err := f.store.Import(ctx, admin, nil, keyed(8), registry.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Areas != 1 || again.Updated != 1 || again.Unchanged != 8 || again.FirstID != 0 {
		t.Fatalf("importing again: %+v; want 1 updated, 8 unchanged, no new ids", again)
	}
	schemaKept(t, before)
	var id int64
	var community *int64
	if err := pool.QueryRow(ctx, `SELECT id, community_id FROM area WHERE source_key = $1 AND name = 'moved'`, keyed(8)[8].Key).Scan(&id, &community); err != nil {
		t.Fatal(err)
	}
	if id > first.LastID || id < first.FirstID || community == nil {
		t.Fatalf("the moved area is %d in community %v; want its old id (%d–%d), located", id, community, first.FirstID, first.LastID)
	}
	// Other tests announce their own rows on the same channel meanwhile.
	var areaChanges []string
	wctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	for {
		n, err := conn.WaitForNotification(wctx)
		if err != nil {
			break
		}
		if ch, ok := registry.ParseChange(n.Payload); ok && ch.Table == "area" && ch.Last >= first.FirstID && ch.First <= first.LastID || ch.First == 0 {
			areaChanges = append(areaChanges, n.Payload)
		}
	}
	if want := "area:update:" + strconv.FormatInt(id, 10); len(areaChanges) != 1 || areaChanges[0] != want {
		t.Fatalf("announcements %q, want just %q (first import: %d–%d)", areaChanges, want, first.FirstID, first.LastID)
	}
}

// Pausing triggers and dropping keys locks area against everyone for the transaction: only an
// administrator's real import may do it. A street chief's import, or anyone's dry run, goes row by
// row however large it is.
func TestOnlyAnAdministratorsRealImportLoadsInBulk(t *testing.T) {
	for _, tc := range []struct {
		who  access.Principal
		opt  registry.ImportOptions
		bulk bool
	}{
		{admin, registry.ImportOptions{}, true},
		{access.System("import"), registry.ImportOptions{}, true},
		{admin, registry.ImportOptions{DryRun: true}, false},
		{access.Principal{Role: access.StreetChief}, registry.ImportOptions{}, false},
		{access.Principal{Role: access.LaneChief}, registry.ImportOptions{DryRun: true}, false},
	} {
		if got := registry.MayBulkLoad(tc.who, tc.opt); got != tc.bulk {
			t.Errorf("%s dry_run=%v: bulk %v, want %v", tc.who.Role, tc.opt.DryRun, got, tc.bulk)
		}
	}
	f := newFixture(t, "chiefbulk")
	x0 := f.sub.Boundary.Bound().Min[0]
	defer registry.SetBulkForTest(3, 4)()
	conn := listenForChanges(t)
	chief := access.Principal{Role: access.StreetChief, Username: "chief", Scope: access.Scope{Subdistricts: []int64{f.sub.ID}, Communities: []int64{f.comA.ID, f.comB.ID}}}
	res, err := f.store.Import(context.Background(), chief, nil, bulkAreas(x0), registry.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Areas < 4 {
		t.Fatalf("the chief's import loaded %d areas: %+v", res.Areas, res.Skipped)
	}
	wctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err := conn.WaitForNotification(wctx)
	if err != nil {
		t.Fatal(err)
	}
	if ch, ok := registry.ParseChange(n.Payload); !ok || ch.Bulk() {
		t.Fatalf("first announcement %q: the row triggers were paused for a street chief's import", n.Payload)
	}
}
