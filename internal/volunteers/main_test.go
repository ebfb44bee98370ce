package volunteers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/funds"
	"streetchief/internal/registry"
	"streetchief/internal/volunteers"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var system = access.System("test")

func rect(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
}

// world is a district of two subdistricts side by side, east (communities E1, E2) and west (W1), each
// 0.01° square in a patch of the map of its own; an organisation, a street chief of E, a lane chief
// of E1, a district leader, and a clock at 2026-06-15 12:00 Beijing.
type world struct {
	t                   testing.TB
	pool                *pgxpool.Pool
	svc                 *volunteers.Service
	ledger              *funds.Service
	subE, subW          registry.AdminUnit
	comE1, comE2, comW1 registry.AdminUnit
	x, y                float64
	chiefE, lane        access.Principal
	leader, admin       access.Principal
	org                 volunteers.Organisation
	clock               time.Time
}

var worlds int

func newWorld(t testing.TB) *world {
	t.Helper()
	worlds++
	ctx := context.Background()
	pool := dbtest.Pool(t)
	reg := registry.NewStore(pool)
	w := &world{t: t, pool: pool, x: 100 + 0.1*float64(worlds), y: 30, clock: time.Date(2026, 6, 15, 4, 0, 0, 0, time.UTC)}
	unit := func(level string, parent int64, code, name string, b orb.MultiPolygon) registry.AdminUnit {
		t.Helper()
		u, err := reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: level, ParentID: parent,
			Code: fmt.Sprintf("vo%d-%s", worlds, code), Name: name, Boundary: b})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	all := rect(w.x, w.y, w.x+0.02, w.y+0.01)
	city := unit("city", 0, "c", "龙岩市", all)
	dist := unit("district", city.ID, "d", "新罗区", all)
	w.subE = unit("subdistrict", dist.ID, "e", "东城街道", rect(w.x+0.01, w.y, w.x+0.02, w.y+0.01))
	w.subW = unit("subdistrict", dist.ID, "w", "西城街道", rect(w.x, w.y, w.x+0.01, w.y+0.01))
	w.comE1 = unit("community", w.subE.ID, "e1", "东一社区", rect(w.x+0.01, w.y, w.x+0.015, w.y+0.01))
	w.comE2 = unit("community", w.subE.ID, "e2", "东二社区", rect(w.x+0.015, w.y, w.x+0.02, w.y+0.01))
	w.comW1 = unit("community", w.subW.ID, "w1", "西一社区", rect(w.x, w.y, w.x+0.01, w.y+0.01))
	w.chiefE = access.Principal{Username: "chief-e", Role: access.StreetChief,
		Scope: access.Scope{Subdistricts: []int64{w.subE.ID}, Communities: []int64{w.comE1.ID, w.comE2.ID}}}
	w.lane = access.Principal{Username: "lane-e1", Role: access.LaneChief, Scope: access.Scope{Communities: []int64{w.comE1.ID}}}
	w.leader = access.Principal{Username: "leader", Role: access.DistrictLeader, Scope: access.Scope{All: true}}
	w.admin = access.Principal{Username: "admin", Role: access.Admin, Scope: access.Scope{All: true}}
	w.svc = volunteers.NewService(pool, nil).WithClock(func() time.Time { return w.clock })
	w.ledger = funds.NewService(pool)
	var err error
	w.org, err = w.svc.CreateOrganisation(ctx, w.leader, volunteers.OrganisationInput{Name: fmt.Sprintf("志愿服务中心%d", worlds),
		RegistrationNo: fmt.Sprintf("5235%08d", worlds), ContactName: "林主任", ContactPhone: "0597-2233445"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// inE1, inE2 and inW1 are points well inside those communities; outside is east of the district.
func (w *world) inE1() orb.Point    { return orb.Point{w.x + 0.0125, w.y + 0.0025} }
func (w *world) inE2() orb.Point    { return orb.Point{w.x + 0.0175, w.y + 0.0025} }
func (w *world) inW1() orb.Point    { return orb.Point{w.x + 0.0025, w.y + 0.0025} }
func (w *world) outside() orb.Point { return orb.Point{w.x + 0.03, w.y + 0.0025} }

func (w *world) contract(year int, yuan string) volunteers.Contract {
	w.t.Helper()
	amount, err := funds.ParseYuan(yuan)
	if err != nil {
		w.t.Fatal(err)
	}
	c, err := w.svc.CreateContract(context.Background(), w.leader, volunteers.ContractInput{OrgID: w.org.ID, Year: year,
		Terms: volunteers.Terms{PeriodFrom: fmt.Sprintf("%d-01-01", year), PeriodTo: fmt.Sprintf("%d-12-31", year), Yuan: amount,
			HoursTarget: 1000, SignedOn: fmt.Sprintf("%d-01-05", year)}})
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

func (w *world) volunteer(community int64, name string) volunteers.Volunteer {
	w.t.Helper()
	v, err := w.svc.AddVolunteer(context.Background(), w.admin, volunteers.VolunteerInput{OrgID: w.org.ID, CommunityID: community,
		Name: name, Phone: "13800000000", Skills: []string{"急救"}, JoinedOn: "2026-01-10"})
	if err != nil {
		w.t.Fatal(err)
	}
	return v
}

// activityJSON is an activity at p on day (Beijing, 09:00–11:00) with the given participants.
func activityJSON(org int64, p orb.Point, day string, ids []int64, head int, hours string) []byte {
	idList := "[]"
	if len(ids) > 0 {
		idList = "[" + joinInts(ids) + "]"
	}
	return []byte(fmt.Sprintf(`{"org_id":%d,"starts_at":"%sT09:00:00+08:00","ends_at":"%sT11:00:00+08:00",
		"place":{"type":"Point","coordinates":[%v,%v]},"kind":"environment","description":"清理河道垃圾",
		"volunteer_ids":%s,"head_count":%d,"hours_each":%s}`, org, day, day, p[0], p[1], idList, head, hours))
}

func joinInts(ids []int64) string {
	s := ""
	for i, id := range ids {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprint(id)
	}
	return s
}

func (w *world) record(who access.Principal, body []byte) (volunteers.Activity, error) {
	w.t.Helper()
	in, err := volunteers.DecodeActivity(body)
	if err != nil {
		return volunteers.Activity{}, err
	}
	return w.svc.RecordActivity(context.Background(), who, in)
}

// counts is the number of rows of every table a request here could write.
func (w *world) counts() map[string]int {
	w.t.Helper()
	out := map[string]int{}
	for _, table := range []string{"volunteer_org", "volunteer_contract", "volunteer_contract_revision", "volunteer_payment",
		"volunteer_payment_void", "volunteer", "volunteer_membership", "volunteer_photo", "volunteer_activity",
		"volunteer_activity_participant", "volunteer_activity_void", "funds_entry", "audit_log"} {
		var n int
		if err := w.pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			w.t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// volunteerBalance is the year's volunteer-service balance from payer, as the ledger sums it.
func (w *world) volunteerBalance(year int, p funds.Payer) funds.Balance {
	w.t.Helper()
	b, err := w.ledger.Balances(context.Background(), w.leader, year, -1)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, r := range b.Rows {
		if r.Fund == funds.VolunteerService && r.Payer == p {
			return r
		}
	}
	return funds.Balance{}
}

func accessLeader() access.Principal {
	return access.Principal{Username: "leader", Role: access.DistrictLeader, Scope: access.Scope{All: true}}
}
