package cadres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var system = access.System("test")

// world is a subdistrict (and a second one beside it) with a street chief, two responsible persons
// of one department in turn during 2025 — the first until 1 April, the second from then on — a
// city-level linked leader for no department since 2020, and a person who holds no post.
type world struct {
	svc              *Service
	sub, other       registry.AdminUnit
	dept             registry.Department
	first, second    registry.Person
	leader, outsider registry.Person
	chief            access.Principal
}

var worldSeq int

func beijing(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, incidents.Beijing)
	return &t
}

func newWorld(t *testing.T) world {
	t.Helper()
	// The demo city loads only into an empty registry, so it comes first; the worlds lie far from it.
	demoCity(t)
	worldSeq++
	ctx := context.Background()
	pool := dbtest.Pool(t)
	store := registry.NewStore(pool)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	x := 100 + float64(worldSeq)
	sq := func(x float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, 30}, {x + 0.4, 30}, {x + 0.4, 30.4}, {x, 30.4}, {x, 30}}}}
	}
	code := func(s string) string { return fmt.Sprintf("cadres%d-%s", worldSeq, s) }
	city, err := store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "city", Code: code("c"), Name: "城", Boundary: sq(x)})
	must(err)
	dist, err := store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "district", ParentID: city.ID, Code: code("d"), Name: "区", Boundary: sq(x)})
	must(err)
	w := world{}
	w.sub, err = store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "subdistrict", ParentID: dist.ID, Code: code("s"), Name: "东街道",
		Boundary: orb.MultiPolygon{{{{x, 30}, {x + 0.2, 30}, {x + 0.2, 30.4}, {x, 30.4}, {x, 30}}}}})
	must(err)
	w.other, err = store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "subdistrict", ParentID: dist.ID, Code: code("o"), Name: "西街道",
		Boundary: orb.MultiPolygon{{{{x + 0.2, 30}, {x + 0.4, 30}, {x + 0.4, 30.4}, {x + 0.2, 30.4}, {x + 0.2, 30}}}}})
	must(err)
	depts, err := store.Departments(ctx)
	must(err)
	w.dept = depts[0]
	person := func(name string) registry.Person {
		p, err := store.CreatePerson(ctx, system, registry.PersonInput{Name: name, Active: true})
		must(err)
		return p
	}
	chief := person("街长甲")
	w.first, w.second, w.leader, w.outsider = person("联络员甲"), person("联络员乙"), person("挂钩领导"), person("路人")
	post := func(in registry.AssignmentInput) {
		in.AdminUnitID, in.Primary = w.sub.ID, true
		_, err := store.CreateAssignment(ctx, system, in)
		must(err)
	}
	post(registry.AssignmentInput{PersonID: chief.ID, Role: registry.StreetChief, From: beijing(2019, 1, 1)})
	post(registry.AssignmentInput{PersonID: w.first.ID, Role: registry.DepartmentLiaison, DepartmentID: w.dept.ID,
		From: beijing(2023, 5, 1), Until: beijing(2025, 4, 1)})
	post(registry.AssignmentInput{PersonID: w.second.ID, Role: registry.DepartmentLiaison, DepartmentID: w.dept.ID, From: beijing(2025, 4, 1)})
	post(registry.AssignmentInput{PersonID: w.leader.ID, Role: registry.LinkedLeader, Level: registry.CityLevel, From: beijing(2020, 1, 1)})
	engine := lookup.New(store)
	must(engine.Load(ctx))
	w.svc = NewService(pool, incidents.NewService(pool, engine, incidents.Options{}))
	w.svc.now = func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, incidents.Beijing) }
	w.chief = access.Principal{Role: access.StreetChief, Username: "chief", PersonID: chief.ID,
		Scope: access.Scope{Subdistricts: []int64{w.sub.ID}}}
	return w
}

// firstPost is the first liaison's post, held in 2025 until 1 April.
func (w world) firstPost() Post {
	return Post{PersonID: w.first.ID, SubdistrictID: w.sub.ID, Role: registry.DepartmentLiaison, DepartmentID: w.dept.ID, Level: registry.DistrictLevel}
}

// rowCounts is how many opinions and audit rows there are, to show a refusal wrote nothing.
func rowCounts(t *testing.T) string {
	t.Helper()
	var o, a int64
	if err := dbtest.Pool(t).QueryRow(context.Background(),
		`SELECT (SELECT count(*) FROM cadre_opinion), (SELECT count(*) FROM audit_log)`).Scan(&o, &a); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d opinions, %d audit rows", o, a)
}
