package duties_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/duties"
	"streetchief/internal/registry"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var system = access.System("test")

func rect(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
}

// world is a district of one subdistrict with communities A and B, each 0.01° wide, in a patch of
// the map of its own; a deputy of A (signed in as a participant), a party member of A, the lane
// chiefs of A and B, the street chief, a district leader, and a clock the test moves.
type world struct {
	t                   testing.TB
	svc                 *duties.Service
	sub, comA, comB     registry.AdminUnit
	area                registry.Area
	x, y                float64
	deputy, party       duties.Member
	me                  access.Principal // the deputy's own account
	laneA, laneB, chief access.Principal
	leader              access.Principal
	clock               time.Time
}

var worlds int

func newWorld(t testing.TB) *world {
	t.Helper()
	worlds++
	ctx := context.Background()
	pool := dbtest.Pool(t)
	reg := registry.NewStore(pool)
	w := &world{t: t, x: 110 + 0.1*float64(worlds), y: 20, clock: time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)}
	unit := func(level string, parent int64, code, name string, b orb.MultiPolygon) registry.AdminUnit {
		t.Helper()
		u, err := reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: level, ParentID: parent,
			Code: fmt.Sprintf("du%d-%s", worlds, code), Name: name, Boundary: b})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	person := func(name string) registry.Person {
		t.Helper()
		p, err := reg.CreatePerson(ctx, system, registry.PersonInput{Name: name, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	all := rect(w.x, w.y, w.x+0.02, w.y+0.01)
	city := unit("city", 0, "c", "龙岩市", all)
	dist := unit("district", city.ID, "d", "新罗区", all)
	w.sub = unit("subdistrict", dist.ID, "s", "东城街道", all)
	w.comA = unit("community", w.sub.ID, "a", "甲社区", rect(w.x, w.y, w.x+0.01, w.y+0.01))
	w.comB = unit("community", w.sub.ID, "b", "乙社区", rect(w.x+0.01, w.y, w.x+0.02, w.y+0.01))
	var err error
	if w.area, err = reg.CreateArea(ctx, system, registry.AreaInput{Kind: "park", Name: "甲公园", Geom: rect(w.x+0.002, w.y+0.002, w.x+0.003, w.y+0.003)}); err != nil {
		t.Fatal(err)
	}
	dep, pm, laneA, laneB, chief := person("人大代表甲"), person("党员乙"), person("甲巷长"), person("乙巷长"), person("街长")
	for _, post := range []struct {
		unit int64
		p    registry.Person
		role registry.PostRole
	}{{w.comA.ID, laneA, "lane_chief"}, {w.comB.ID, laneB, "lane_chief"}, {w.sub.ID, chief, "street_chief"}} {
		from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		if _, err := reg.CreateAssignment(ctx, system, registry.AssignmentInput{AdminUnitID: post.unit, PersonID: post.p.ID, Role: post.role, Primary: true, From: &from}); err != nil {
			t.Fatal(err)
		}
	}
	w.svc = duties.NewService(pool, nil).WithClock(func() time.Time { return w.clock })
	w.deputy = w.mustMember(duties.MemberInput{PersonID: dep.ID, Type: duties.PeoplesCongressDeputy, Level: "district", CommunityID: w.comA.ID, From: "2025-01-01"})
	w.party = w.mustMember(duties.MemberInput{PersonID: pm.ID, Type: duties.PartyMember, Level: "subdistrict", CommunityID: w.comA.ID, From: "2025-01-01"})
	w.me = access.Principal{UserID: 9001, Username: "deputy", PersonID: dep.ID, Role: access.Participant}
	w.laneA = access.Principal{UserID: 9002, Username: "lane-a", PersonID: laneA.ID, Role: access.LaneChief, Scope: access.Scope{Communities: []int64{w.comA.ID}}}
	w.laneB = access.Principal{UserID: 9003, Username: "lane-b", PersonID: laneB.ID, Role: access.LaneChief, Scope: access.Scope{Communities: []int64{w.comB.ID}}}
	w.chief = access.Principal{UserID: 9004, Username: "chief", PersonID: chief.ID, Role: access.StreetChief,
		Scope: access.Scope{Subdistricts: []int64{w.sub.ID}, Communities: []int64{w.comA.ID, w.comB.ID}}}
	w.leader = access.Principal{UserID: 9005, Username: "leader", Role: access.DistrictLeader, Scope: access.Scope{All: true}}
	return w
}

func (w *world) mustMember(in duties.MemberInput) duties.Member {
	w.t.Helper()
	m, err := w.svc.AddMember(context.Background(), system, in)
	if err != nil {
		w.t.Fatal(err)
	}
	return m
}

// inA is a point well inside community A; outside lies east of the district.
func (w *world) inA() (*float64, *float64)     { return ptr(w.x + 0.005), ptr(w.y + 0.005) }
func (w *world) outside() (*float64, *float64) { return ptr(w.x + 0.05), ptr(w.y + 0.005) }

func ptr[T any](v T) *T { return &v }

// record is a good record of the deputy's on the day before the clock.
func (w *world) record() duties.RecordInput {
	lon, lat := w.inA()
	return duties.RecordInput{MemberID: w.deputy.ID, Day: w.clock.AddDate(0, 0, -1).Format(time.DateOnly), Kind: "home_visit",
		Lon: lon, Lat: lat, Description: "走访独居老人三户", Hours: 2.5}
}

func (w *world) count(table string) int {
	w.t.Helper()
	var n int
	if err := dbtest.Pool(w.t).QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}
