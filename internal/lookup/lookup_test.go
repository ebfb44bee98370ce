package lookup_test

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"streetchief/geo"
	"streetchief/internal/access"
	"streetchief/internal/database"
	"streetchief/internal/dbtest"
	"streetchief/internal/demo"
	"streetchief/internal/demotest"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// demoCity loads the demo city into the package's database once.
func demoCity(t testing.TB) *demo.City { return demotest.City(t, 7) }

func loadedEngine(t testing.TB) *lookup.Engine {
	t.Helper()
	demoCity(t)
	e := lookup.New(registry.NewStore(dbtest.Pool(t)))
	if err := e.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e
}

// probePoints are random points over the city plus every vertex and edge midpoint of a sample of
// areas: the places where neighbours share a boundary and a careless test would differ from PostGIS.
func probePoints(c *demo.City, n int) []orb.Point {
	b := c.Bound()
	rng := rand.New(rand.NewPCG(1, 2))
	pts := make([]orb.Point, 0, n+4000)
	for range n {
		pts = append(pts, orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])})
	}
	for i := 0; i < len(c.Areas); i += 7 {
		for _, poly := range c.Areas[i].Geom {
			ring := poly[0]
			for j := 0; j+1 < len(ring); j++ {
				pts = append(pts, ring[j], orb.Point{(ring[j][0] + ring[j+1][0]) / 2, (ring[j][1] + ring[j+1][1]) / 2})
			}
		}
	}
	return pts
}

// TestLookupAgreesWithPostGISCoversEverywhere asks the index and PostGIS ST_Covers, for 100,000
// random points and every vertex and edge midpoint of a sample of areas and of every admin unit,
// which areas and which admin units cover each: the answers must be identical, boundaries included.
func TestLookupAgreesWithPostGISCoversEverywhere(t *testing.T) {
	c := demoCity(t)
	e := loadedEngine(t)
	pts := probePoints(c, 100_000)
	for _, u := range c.AdminUnits {
		for _, poly := range u.Boundary {
			for _, ring := range poly {
				for j := 0; j+1 < len(ring); j++ {
					pts = append(pts, ring[j], orb.Point{(ring[j][0] + ring[j+1][0]) / 2, (ring[j][1] + ring[j+1][1]) / 2})
				}
			}
		}
	}
	xs, ys := make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		xs[i], ys[i] = p[0], p[1]
	}
	for _, table := range []struct {
		name, sql string
		class     geo.Class
	}{
		{"area", `SELECT p.i, COALESCE(array_agg(a.id ORDER BY a.id) FILTER (WHERE a.id IS NOT NULL), '{}')
			FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS p(x, y, i)
			LEFT JOIN area a ON ST_Covers(a.geom, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326))
			GROUP BY p.i ORDER BY p.i`, geo.ClassArea},
		{"admin_unit", `SELECT p.i, COALESCE(array_agg(u.id ORDER BY u.id) FILTER (WHERE u.id IS NOT NULL), '{}')
			FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS p(x, y, i)
			LEFT JOIN admin_unit u ON ST_Covers(u.boundary, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326))
			GROUP BY p.i ORDER BY p.i`, geo.ClassAdminUnit},
	} {
		t.Run(table.name, func(t *testing.T) {
			rows, err := dbtest.Pool(t).Query(context.Background(), table.sql, xs, ys)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			diffs, covered, n := 0, 0, 0
			for rows.Next() {
				var i int64
				var want []int64
				if err := rows.Scan(&i, &want); err != nil {
					t.Fatal(err)
				}
				n++
				got := lookup.CoveringIDs(e, pts[i-1], table.class)
				if len(want) > 0 {
					covered++
				}
				if !slices.Equal(got, want) {
					diffs++
					if diffs <= 5 {
						t.Errorf("point %v: index says %v, PostGIS ST_Covers says %v", pts[i-1], got, want)
					}
				}
				if table.class == geo.ClassArea {
					ans, err := e.Answer(lookup.Query{Point: pts[i-1], ToleranceM: -1})
					if err != nil {
						t.Fatal(err)
					}
					var named []int64
					for _, a := range ans.Areas {
						named = append(named, a.ID)
					}
					slices.Sort(named)
					if !slices.Equal(named, want) {
						diffs++
						if diffs <= 5 {
							t.Errorf("point %v: the answer names areas %v, PostGIS ST_Covers says %v", pts[i-1], named, want)
						}
					}
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if n != len(pts) {
				t.Fatalf("PostGIS answered %d of %d points", n, len(pts))
			}
			if diffs > 0 {
				t.Fatalf("%d of %d points differ from PostGIS", diffs, len(pts))
			}
			if covered < len(pts)/2 {
				t.Fatalf("only %d of %d probe points fell in any %s: the probe is not exercising the index", covered, len(pts), table.name)
			}
			t.Logf("%s: %d points, %d covered, 0 differences", table.name, len(pts), covered)
		})
	}
}

func TestLookupOrdersMostSpecificFirstAndNamesTheChiefs(t *testing.T) {
	c := demoCity(t)
	e := loadedEngine(t)
	// The deliberate overlap: a night market reaching into a park. The middle of the two areas'
	// common bounds lies in both.
	var pair []demo.Area
	for _, a := range c.Areas {
		if a.Name == c.OverlapNames[0] || a.Name == c.OverlapNames[1] {
			pair = append(pair, a)
		}
	}
	if len(pair) != 2 {
		t.Fatalf("demo city's overlapping areas %v not found", c.OverlapNames)
	}
	b0, b1 := pair[0].Geom.Bound(), pair[1].Geom.Bound()
	common := orb.Bound{Min: orb.Point{max(b0.Min[0], b1.Min[0]), max(b0.Min[1], b1.Min[1])},
		Max: orb.Point{min(b0.Max[0], b1.Max[0]), min(b0.Max[1], b1.Max[1])}}
	ans, _ := e.Answer(lookup.Query{Point: common.Center()})
	if len(ans.Areas) < 2 {
		t.Fatalf("the middle of the overlap is covered by %d areas, want 2", len(ans.Areas))
	}
	smaller := pair[0]
	if geoArea(pair[1]) < geoArea(pair[0]) {
		smaller = pair[1]
	}
	if ans.Areas[0].Name != smaller.Name {
		t.Fatalf("most specific area is %s, want the smaller %s first", ans.Areas[0].Name, smaller.Name)
	}
	if ans.Community == nil || ans.Community.Chief == nil || ans.Subdistrict == nil || ans.Subdistrict.Chief == nil {
		t.Fatalf("chain incomplete: community %+v subdistrict %+v", ans.Community, ans.Subdistrict)
	}
	for _, r := range append(ans.Areas[0].Responsible, *ans.Community.Chief) {
		if r.Phone != "" {
			t.Fatalf("anonymous caller was shown a phone number: %+v", r)
		}
	}
	leader := access.Principal{Role: access.DistrictLeader, Username: "l", Scope: access.Scope{All: true}}
	withPhones, _ := e.Answer(lookup.Query{Point: orb.Point{ans.Lon, ans.Lat}, Who: leader})
	if withPhones.Community.Chief.Phone == "" {
		t.Fatal("district leader was not shown the lane chief's phone")
	}
}

func TestLookupNamesNearestAreaWithinTolerance(t *testing.T) {
	e := loadedEngine(t)
	c := demoCity(t)
	// Outside the whole city, 10 m west of its western edge, level with some area there.
	b := c.AdminUnits[0].Boundary.Bound()
	var target demo.Area
	for _, a := range c.Areas {
		if a.Geom.Bound().Min[0] == b.Min[0] {
			target = a
			break
		}
	}
	if target.Name == "" {
		t.Skip("no area touches the city's western edge")
	}
	y := target.Geom.Bound().Center()[1]
	metresPerDegree := 111_320 * 0.9055 // cos(25.07°)
	pt := orb.Point{b.Min[0] - 10/metresPerDegree, y}
	near, _ := e.Answer(lookup.Query{Point: pt, ToleranceM: 20})
	if len(near.Areas) != 1 || near.Areas[0].DistanceM < 9.5 || near.Areas[0].DistanceM > 10.5 {
		t.Fatalf("10 m outside with 20 m tolerance: %+v", near.Areas)
	}
	far, _ := e.Answer(lookup.Query{Point: pt, ToleranceM: 5})
	if len(far.Areas) != 0 {
		t.Fatalf("10 m outside with 5 m tolerance found %+v", far.Areas)
	}
}

func TestCommittedChangesReachTheIndexWithinOneSecond(t *testing.T) {
	demoCity(t)
	pool := dbtest.Pool(t)
	store := registry.NewStore(pool)
	e := lookup.New(store)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runLive(ctx, e, pool)
	waitFor(t, 10*time.Second, "initial load", func() bool { return e.Ready() })

	admin := access.System("test")
	far := orb.Point{118.5, 26.5} // outside the demo city: nothing covers it yet
	sq := orb.MultiPolygon{{{{118.499, 26.499}, {118.501, 26.499}, {118.501, 26.501}, {118.499, 26.501}, {118.499, 26.499}}}}
	area, err := store.CreateArea(ctx, admin, registry.AreaInput{Kind: "square", Name: "新广场", Geom: sq})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	waitFor(t, time.Second, "new area", func() bool { return len(answer(t, e, far).Areas) == 1 })
	t.Logf("new area visible after %s", time.Since(start).Round(time.Millisecond))

	p, err := store.CreatePerson(ctx, admin, registry.PersonInput{Name: "新责任人", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateAssignment(ctx, admin, registry.AssignmentInput{AreaID: area.ID, PersonID: p.ID, Role: "area_manager", Primary: true}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, "new manager", func() bool {
		a := answer(t, e, far).Areas
		return len(a) == 1 && len(a[0].Responsible) == 1 && a[0].Responsible[0].Name == "新责任人"
	})
	if err := store.DeleteArea(ctx, admin, area.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, "area deleted", func() bool { return len(answer(t, e, far).Areas) == 0 })

	// A lost connection: the listener is cut off; the engine reconnects, reloads, and keeps up.
	if _, err := pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN%'`); err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateArea(ctx, admin, registry.AreaInput{Kind: "square", Name: "又一广场", Geom: sq}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "area after reconnect", func() bool { return len(answer(t, e, far).Areas) == 1 })
}

func answer(t *testing.T, e *lookup.Engine, p orb.Point) lookup.Answer {
	t.Helper()
	a, err := e.Answer(lookup.Query{Point: p, ToleranceM: -1})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not seen within %s", what, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func geoArea(a demo.Area) float64 {
	b := a.Geom.Bound()
	return (b.Max[0] - b.Min[0]) * (b.Max[1] - b.Min[1])
}

func TestLookupAtAnswersWhoWasResponsibleThen(t *testing.T) {
	e := loadedEngine(t)
	ctx := context.Background()
	var (
		unitID, personID int64
		from             time.Time
		x, y             float64
	)
	// A community whose lane chief has changed: the previous holder's post has ended.
	err := dbtest.Pool(t).QueryRow(ctx, `SELECT s.admin_unit_id, s.person_id, lower(s.valid),
			ST_X(ST_PointOnSurface(u.boundary)), ST_Y(ST_PointOnSurface(u.boundary))
		FROM assignment s JOIN admin_unit u ON u.id = s.admin_unit_id
		WHERE s.role = 'lane_chief' AND upper(s.valid) < now() ORDER BY s.id LIMIT 1`).Scan(&unitID, &personID, &from, &x, &y)
	if err != nil {
		t.Fatalf("demo city has no lane chief history: %v", err)
	}
	then, err := e.Answer(lookup.Query{Point: orb.Point{x, y}, At: from.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if then.Community == nil || then.Community.ID != unitID || then.Community.Chief == nil || then.Community.Chief.PersonID != personID {
		t.Fatalf("lane chief of community %d an hour after %s: %+v, want person %d", unitID, from, then.Community, personID)
	}
	now, _ := e.Answer(lookup.Query{Point: orb.Point{x, y}})
	if now.Community.Chief == nil || now.Community.Chief.PersonID == personID {
		t.Fatalf("lane chief now: %+v, want the successor of person %d", now.Community.Chief, personID)
	}
}

// runLive keeps e current from the database's change notifications until ctx ends, as serve does.
func runLive(ctx context.Context, e *lookup.Engine, pool *pgxpool.Pool) {
	listener := database.NewListener(pool, slog.New(slog.DiscardHandler))
	feed := listener.Subscribe(registry.ChangeChannel)
	go listener.Run(ctx)
	go e.Run(ctx, feed, slog.New(slog.DiscardHandler))
}
