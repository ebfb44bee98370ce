package demo

import (
	"context"
	"errors"
	"math"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb/encoding/wkb"

	"streetchief/internal/dbtest"
	"streetchief/internal/registry"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// testSeed is the city the database tests load; the flaws they look for are the ones it declares.
const testSeed = 42

var (
	cityOnce sync.Once
	testCity *City
)

// mustLoad returns the database with the Scale 1 test city loaded, loading it if the registry is
// empty (the first test, or the first after a test that reset it).
func mustLoad(tb testing.TB) (*pgxpool.Pool, *City) {
	tb.Helper()
	pool := dbtest.Pool(tb)
	cityOnce.Do(func() { testCity, _ = Generate(Options{Seed: testSeed, Scale: 1}) })
	if testCity == nil {
		tb.Fatal("generate test city failed")
	}
	ctx := context.Background()
	empty, err := Empty(ctx, pool)
	if err != nil {
		tb.Fatal(err)
	}
	if empty {
		start := time.Now()
		sum, err := Load(ctx, pool, testCity)
		if err != nil {
			tb.Fatalf("Load: %v", err)
		}
		tb.Logf("loaded in %v: %v", time.Since(start).Round(time.Millisecond), sum.Counts)
	}
	return pool, testCity
}

// mustReset empties the registry (departments stay, as the migration seeded them).
func mustReset(tb testing.TB, pool *pgxpool.Pool) {
	tb.Helper()
	// Benchmarks only, on their scratch database: the cascade reaches the funds ledger, whose trigger
	// refuses TRUNCATE to everyone but a restore (replica role), which a scratch database starting over is.
	err := pgx.BeginFunc(context.Background(), pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(context.Background(), `SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
		_, err := tx.Exec(context.Background(), `TRUNCATE assignment, area, person, admin_unit, audit_log RESTART IDENTITY CASCADE`)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// mustInt runs a query returning one integer.
func mustInt(tb testing.TB, pool *pgxpool.Pool, sql string, args ...any) int {
	tb.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestLoadWritesOnlyValidGeometry(t *testing.T) {
	pool, _ := mustLoad(t)
	for _, q := range []string{
		`SELECT count(*) FROM admin_unit WHERE NOT ST_IsValid(boundary)`,
		`SELECT count(*) FROM area WHERE NOT ST_IsValid(geom) OR NOT coalesce(ST_IsValid(centreline), true)`,
	} {
		if n := mustInt(t, pool, q); n != 0 {
			t.Errorf("%s: %d", q, n)
		}
	}
}

func TestAdminUnitsTileTheirParents(t *testing.T) {
	pool, _ := mustLoad(t)
	checks := map[string]string{
		"siblings overlap": `SELECT count(*) FROM admin_unit a JOIN admin_unit b
			ON a.parent_id = b.parent_id AND a.id < b.id AND a.boundary && b.boundary
			WHERE ST_Area(ST_Transform(ST_Intersection(a.boundary, b.boundary), 4547)) > 0.01`,
		"child outside parent": `SELECT count(*) FROM admin_unit c JOIN admin_unit p ON p.id = c.parent_id
			WHERE NOT ST_CoveredBy(c.boundary, p.boundary)`,
		"children do not fill parent": `SELECT count(*) FROM admin_unit p
			WHERE EXISTS (SELECT 1 FROM admin_unit c WHERE c.parent_id = p.id)
			  AND ST_Area(ST_Transform(ST_SymDifference(p.boundary,
			      (SELECT ST_Union(c.boundary) FROM admin_unit c WHERE c.parent_id = p.id)), 4547)) > 0.01`,
	}
	for name, q := range checks {
		if n := mustInt(t, pool, q); n != 0 {
			t.Errorf("%s: %d", name, n)
		}
	}
}

func TestTriggerPutsBlocksInTheCommunityTheyWereBuiltIn(t *testing.T) {
	pool, c := mustLoad(t)
	if n := mustInt(t, pool, `SELECT count(*) FROM area WHERE subdistrict_id IS NULL OR community_id IS NULL`); n != 0 {
		t.Fatalf("%d areas not located", n)
	}
	rows, err := pool.Query(context.Background(),
		`SELECT a.name, u.code FROM area a JOIN admin_unit u ON u.id = a.community_id`)
	if err != nil {
		t.Fatal(err)
	}
	type located struct{ Name, Code string }
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[located])
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, a := range c.Areas {
		switch a.Kind {
		case KindMainRoad, KindSecondaryRoad, KindRiver: // on community lines; the trigger decides
		default:
			want[a.Name] = c.AdminUnits[a.Community-1].Code
		}
	}
	for _, g := range got {
		if w, ok := want[g.Name]; ok && w != g.Code {
			t.Errorf("%s: in community %s, built in %s", g.Name, g.Code, w)
		}
	}
}

func TestEveryUnitHasOneChiefAndEveryAreaButOneAManager(t *testing.T) {
	pool, c := mustLoad(t)
	for level, role := range map[string]registry.PostRole{LevelSubdistrict: registry.StreetChief, LevelCommunity: registry.LaneChief} {
		n := mustInt(t, pool, `SELECT count(*) FROM admin_unit u WHERE u.level = $1 AND (SELECT count(*)
			FROM assignment a WHERE a.admin_unit_id = u.id AND a.role = $2 AND a.valid @> now()) <> 1`, level, role)
		if n != 0 {
			t.Errorf("%d %s units without exactly one current %s", n, level, role)
		}
	}
	rows, err := pool.Query(context.Background(), `SELECT name FROM area x WHERE NOT EXISTS (SELECT 1
		FROM assignment a WHERE a.area_id = x.id AND a.role = 'area_manager' AND a.valid @> now())`)
	if err != nil {
		t.Fatal(err)
	}
	unmanaged, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(unmanaged) != 1 || unmanaged[0] != c.UnassignedAreaName {
		t.Errorf("areas without a current manager: %v, want only %q", unmanaged, c.UnassignedAreaName)
	}
	if n := mustInt(t, pool, `SELECT count(*) FROM assignment a JOIN area x ON x.id = a.area_id WHERE x.name = $1`,
		c.UnassignedAreaName); n != 0 {
		t.Errorf("the unassigned lane has %d assignments", n)
	}
	if n := mustInt(t, pool, `SELECT count(*) FROM assignment WHERE NOT upper_inf(valid)`); n == 0 {
		t.Error("no assignment has ended: the history has no depth")
	}
}

func TestOnlyTheDeclaredStripIsUncovered(t *testing.T) {
	pool, c := mustLoad(t)
	strip := wkb.MustMarshal(c.UncoveredStrip)
	if n := mustInt(t, pool, `SELECT count(*) FROM area WHERE geom && ST_GeomFromWKB($1, 4326)
		AND ST_Area(ST_Transform(ST_Intersection(geom, ST_GeomFromWKB($1, 4326)), 4547)) > 0.01`, strip); n != 0 {
		t.Errorf("%d areas cover part of the uncovered strip", n)
	}
	if n := mustInt(t, pool, `SELECT count(*) FROM admin_unit WHERE level = 'community'
		AND ST_CoveredBy(ST_GeomFromWKB($1, 4326), boundary)`, strip); n != 1 {
		t.Errorf("strip lies in %d communities, want 1", n)
	}
	rows, err := pool.Query(context.Background(), `
		WITH gap AS (
		    SELECT (ST_Dump(ST_Difference(c.boundary,
		           (SELECT ST_Union(a.geom) FROM area a WHERE a.geom && c.boundary)))).geom AS g
		      FROM admin_unit c WHERE c.level = 'community')
		SELECT ST_Area(ST_Transform(g, 4547)),
		       ST_Area(ST_Transform(ST_SymDifference(g, ST_GeomFromWKB($1, 4326)), 4547))
		  FROM gap WHERE ST_Area(ST_Transform(g, 4547)) > 1`, strip)
	if err != nil {
		t.Fatal(err)
	}
	type gap struct{ M2, OffByM2 float64 }
	gaps, err := pgx.CollectRows(rows, pgx.RowToStructByPos[gap])
	if err != nil {
		t.Fatal(err)
	}
	if len(gaps) != 1 {
		t.Fatalf("uncovered pieces over 1 m²: %v, want just the strip", gaps)
	}
	if got, want := gaps[0].M2, c.UncoveredStripArea; math.Abs(got-want) > 0.005*want {
		t.Errorf("uncovered strip measures %.1f m², declared %.1f m²", got, want)
	}
	if gaps[0].OffByM2 > 1 {
		t.Errorf("uncovered piece differs from the declared strip by %.2f m²", gaps[0].OffByM2)
	}
}

func TestOnlyTheDeclaredAreasOverlap(t *testing.T) {
	pool, c := mustLoad(t)
	type overlap struct {
		A, B string
		M2   float64
	}
	rows, err := pool.Query(context.Background(), `
		SELECT a.name, b.name, ST_Area(ST_Transform(ST_Intersection(a.geom, b.geom), 4547))
		  FROM area a JOIN area b ON a.id < b.id AND a.geom && b.geom
		 WHERE ST_Relate(a.geom, b.geom, '2********')
		   AND ST_Area(ST_Transform(ST_Intersection(a.geom, b.geom), 4547)) > 0.01`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[overlap])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("overlaps over 0.01 m²: %+v, want exactly %v", got, c.OverlapNames)
	}
	names := []string{got[0].A, got[0].B}
	want := []string{c.OverlapNames[0], c.OverlapNames[1]}
	sort.Strings(names)
	sort.Strings(want)
	if names[0] != want[0] || names[1] != want[1] {
		t.Errorf("%v overlap, want %v", names, want)
	}
	if math.Abs(got[0].M2-c.OverlapArea) > 0.005*c.OverlapArea {
		t.Errorf("overlap measures %.2f m², declared %.2f m²", got[0].M2, c.OverlapArea)
	}
	if n := mustInt(t, pool, `SELECT count(DISTINCT a.person_id) FROM assignment a JOIN area x ON x.id = a.area_id
		WHERE x.name = ANY($1) AND a.role = 'area_manager' AND a.valid @> now()`, want); n != 2 {
		t.Errorf("overlapping areas have %d distinct current managers, want 2", n)
	}
}

func TestLoadRefusesANonEmptyRegistryAndChangesNothing(t *testing.T) {
	pool, c := mustLoad(t)
	const census = `SELECT (SELECT count(*) FROM admin_unit) + (SELECT count(*) FROM area)
		+ (SELECT count(*) FROM person) + (SELECT count(*) FROM assignment) + (SELECT count(*) FROM audit_log)`
	before := mustInt(t, pool, census)
	if _, err := Load(context.Background(), pool, c); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("second Load: %v, want ErrNotEmpty", err)
	}
	if after := mustInt(t, pool, census); after != before {
		t.Errorf("rows %d → %d after a refused load", before, after)
	}
	n := mustInt(t, pool, `SELECT count(*) FROM audit_log WHERE actor = 'demo' AND action = 'import'
		AND target_type = 'demo' AND (after->>'areas')::int = $1`, len(c.Areas))
	if n != 1 {
		t.Errorf("%d audit rows for the load, want 1", n)
	}
}

// The city goes through the registry's own imports, as a user's file would: their audit rows are
// there, and each area is stored under its key, numbered in key order.
func TestLoadGoesThroughTheRegistrysImports(t *testing.T) {
	pool, c := mustLoad(t)
	for target, want := range map[string]int{"area": len(c.Areas), "assignment": len(c.Assignments)} {
		n := mustInt(t, pool, `SELECT count(*) FROM audit_log WHERE actor = 'demo' AND action = 'import' AND target_type = $1
			AND COALESCE(after->>'loaded', after->>'assignments')::int = $2`, target, want)
		if n != 1 {
			t.Errorf("%d audit rows of the registry's %s import, want 1", n, target)
		}
	}
	if n := mustInt(t, pool, `SELECT count(*) FROM (SELECT source_key, row_number() OVER (ORDER BY id) AS k FROM area) x
		WHERE source_key IS DISTINCT FROM 'demo:area:' || k`); n != 0 {
		t.Errorf("%d areas not stored under demo:area:<key> in key order", n)
	}
}

func TestLoadLeavesNothingBehindOnError(t *testing.T) {
	_, c := mustLoad(t)
	pool := dbtest.Own(t) // an empty registry of its own: nothing to truncate
	broken := *c
	broken.Areas = append([]Area(nil), c.Areas...)
	broken.Areas[len(broken.Areas)-1].Kind = "swimming_pool" // refused by the CHECK on area.kind
	if _, err := Load(context.Background(), pool, &broken); err == nil {
		t.Fatal("a city with an unknown area kind loaded")
	}
	if empty, err := Empty(context.Background(), pool); err != nil || !empty {
		t.Errorf("after a failed load: empty=%v err=%v", empty, err)
	}
	if n := mustInt(t, pool, `SELECT count(*) FROM person`); n != 0 {
		t.Errorf("%d people left behind", n)
	}
}

// BenchmarkLoadBenchScale loads about 100,000 areas into an emptied registry per iteration.
func BenchmarkLoadBenchScale(b *testing.B) {
	pool := dbtest.Pool(b)
	c := MustGenerate(b, Options{Seed: 1, Scale: BenchScale})
	for b.Loop() {
		b.StopTimer()
		mustReset(b, pool)
		b.StartTimer()
		if _, err := Load(context.Background(), pool, c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(c.Areas)), "areas")
	mustReset(b, pool)
}
