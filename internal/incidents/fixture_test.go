package incidents_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/database"
	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var system = access.System("test")

// clock is a settable clock for the service; it starts at the real now so that posts created by the
// fixture are already held.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// world is one subdistrict with communities A (with a lane chief) and B (without), a park in A with an
// area manager, a street chief and an urban-management liaison; and the principals of those people.
type world struct {
	t                            testing.TB
	svc                          *incidents.Service
	store                        *registry.Store
	engine                       *lookup.Engine
	clock                        *clock
	sub, comA, comB              registry.AdminUnit
	park                         registry.Area
	manager, lane, street, liais registry.Person
	asLane, asStreet, asLiaison  access.Principal
	asLeader, asManager          access.Principal
	x0                           float64
}

var worlds atomic.Int64

func sq(x, y, d float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}}
}

func newWorld(t testing.TB) *world {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	n := worlds.Add(1)
	w := &world{t: t, store: registry.NewStore(pool), x0: 10 + float64(n)*0.1}
	code := func(s string) string { return fmt.Sprintf("inc%d-%s", n, s) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	s, x := w.store, w.x0
	city, err := s.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "city", Code: code("c"), Name: "城", Boundary: sq(x, 30, 0.05)})
	must(err)
	dist, err := s.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "district", ParentID: city.ID, Code: code("d"), Name: "区", Boundary: sq(x, 30, 0.05)})
	must(err)
	w.sub, err = s.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "subdistrict", ParentID: dist.ID, Code: code("s"), Name: "街道",
		Boundary: orb.MultiPolygon{{{{x, 30}, {x + 0.02, 30}, {x + 0.02, 30.01}, {x, 30.01}, {x, 30}}}}})
	must(err)
	w.comA, err = s.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "community", ParentID: w.sub.ID, Code: code("a"), Name: "甲社区", Boundary: sq(x, 30, 0.01)})
	must(err)
	w.comB, err = s.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "community", ParentID: w.sub.ID, Code: code("b"), Name: "乙社区", Boundary: sq(x+0.01, 30, 0.01)})
	must(err)
	w.park, err = s.CreateArea(ctx, system, registry.AreaInput{Kind: "farmers_market", Name: "菜市场", Geom: sq(x+0.002, 30.002, 0.002)})
	must(err)
	person := func(name string) registry.Person {
		p, err := s.CreatePerson(ctx, system, registry.PersonInput{Name: name, Active: true})
		must(err)
		return p
	}
	w.manager, w.lane, w.street, w.liais = person("区域经理"), person("巷长"), person("街长"), person("联络员")
	assign := func(in registry.AssignmentInput) {
		in.Primary = true
		_, err := s.CreateAssignment(ctx, system, in)
		must(err)
	}
	assign(registry.AssignmentInput{AreaID: w.park.ID, PersonID: w.manager.ID, Role: "area_manager"})
	assign(registry.AssignmentInput{AdminUnitID: w.comA.ID, PersonID: w.lane.ID, Role: "lane_chief"})
	assign(registry.AssignmentInput{AdminUnitID: w.sub.ID, PersonID: w.street.ID, Role: "street_chief"})
	var urban int64
	must(pool.QueryRow(ctx, `SELECT id FROM department WHERE code = 'urban_management'`).Scan(&urban))
	assign(registry.AssignmentInput{AdminUnitID: w.sub.ID, PersonID: w.liais.ID, Role: "department_liaison", DepartmentID: urban})

	w.asLane = access.Principal{Role: access.LaneChief, Username: "lane", PersonID: w.lane.ID, Scope: access.Scope{Communities: []int64{w.comA.ID}}}
	w.asStreet = access.Principal{Role: access.StreetChief, Username: "street", PersonID: w.street.ID,
		Scope: access.Scope{Subdistricts: []int64{w.sub.ID}, Communities: []int64{w.comA.ID, w.comB.ID}}}
	w.asLiaison = access.Principal{Role: access.DepartmentLiaison, Username: "liaison", PersonID: w.liais.ID,
		Scope: access.Scope{Subdistricts: []int64{w.sub.ID}, Departments: []int64{urban}}}
	w.asLeader = access.Principal{Role: access.DistrictLeader, Username: "leader", Scope: access.Scope{All: true}}
	w.asManager = access.Principal{Role: access.Inspector, Username: "manager", PersonID: w.manager.ID}

	w.clock = &clock{t: time.Now()}
	w.engine = lookup.New(w.store)
	w.reload()
	w.svc = incidents.NewService(pool, w.engine, incidents.Options{Now: w.clock.Now})
	return w
}

// reload brings the world's lookup engine up to the registry, as following its notifications would:
// tests that change the territory and then route call it in between.
func (w *world) reload() {
	w.t.Helper()
	if err := w.engine.Load(context.Background()); err != nil {
		w.t.Fatal(err)
	}
}

// Points of the world: in the market, in community A outside the market, in community B, outside.
func (w *world) inMarket() orb.Point { return orb.Point{w.x0 + 0.003, 30.003} }
func (w *world) inA() orb.Point      { return orb.Point{w.x0 + 0.008, 30.008} }
func (w *world) inB() orb.Point      { return orb.Point{w.x0 + 0.015, 30.005} }
func (w *world) outside() orb.Point  { return orb.Point{w.x0 + 0.04, 30.04} }
func offset(p orb.Point, metresEast float64) orb.Point {
	return orb.Point{p[0] + metresEast/(111_320*0.866), p[1]}
}

// report files an incident at p as the public.
func (w *world) report(cat string, p orb.Point) incidents.Receipt {
	w.t.Helper()
	lon, lat := p[0], p[1]
	in, err := incidents.IntakeFields{Category: cat, Lon: &lon, Lat: &lat, Description: "test"}.Intake(nil)
	if err != nil {
		w.t.Fatal(err)
	}
	rc, _, err := w.svc.Report(context.Background(), access.Anonymous("t"), in, incidents.IdempotencyKey{})
	if err != nil {
		w.t.Fatal(err)
	}
	return rc
}

func (w *world) get(id int64) incidents.Incident {
	w.t.Helper()
	in, err := w.svc.Incident(context.Background(), system, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return in
}

// follow runs the registry's change feed into the world's engine and the engine's updates into the
// re-router, as the server wires them, until ctx ends.
func (w *world) follow(ctx context.Context) *database.Listener {
	listener := database.NewListener(dbtest.Pool(w.t), nil)
	feed := listener.Subscribe(registry.ChangeChannel)
	updates := w.engine.Follow()
	go listener.Run(ctx)
	go w.engine.Run(ctx, feed, slog.New(slog.DiscardHandler))
	go w.svc.RunRerouter(ctx, updates, slog.New(slog.DiscardHandler))
	return listener
}
