package partners_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/merchants"
	"streetchief/internal/partners"
	"streetchief/internal/registry"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var system = access.System("test")

func rect(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
}

// world is a subdistrict with communities A and B, a residential compound in each and a park in A,
// in a patch of the map of its own; a lane chief of A, the street chief, a leader, people for
// contacts and teams, and a clock the test moves.
type world struct {
	t                    testing.TB
	svc                  *partners.Service
	reg                  *registry.Store
	sub, comA, comB      registry.AdminUnit
	compA, compB, park   registry.Area
	contact, contact2    registry.Person
	resident, resident2  registry.Person
	lanePerson           registry.Person
	lane, street, leader access.Principal
	admin                access.Principal
	x, y                 float64
	clock                time.Time
}

var worlds int

func newWorld(t testing.TB) *world {
	t.Helper()
	worlds++
	ctx := context.Background()
	pool := dbtest.Pool(t)
	reg := registry.NewStore(pool)
	w := &world{t: t, reg: reg, x: 110 + 0.05*float64(worlds), y: 25, clock: time.Date(2026, 3, 2, 9, 0, 0, 0, partners.Beijing)}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	unit := func(level string, parent int64, code, name string, b orb.MultiPolygon) registry.AdminUnit {
		t.Helper()
		u, err := reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: level, ParentID: parent,
			Code: fmt.Sprintf("pt%d-%s", worlds, code), Name: name, Boundary: b})
		must(err)
		return u
	}
	person := func(name string) registry.Person {
		t.Helper()
		p, err := reg.CreatePerson(ctx, system, registry.PersonInput{Name: name, Phone: "13800000001", Active: true})
		must(err)
		return p
	}
	area := func(kind, name string, b orb.MultiPolygon) registry.Area {
		t.Helper()
		a, err := reg.CreateArea(ctx, system, registry.AreaInput{Kind: kind, Name: name, Geom: b})
		must(err)
		return a
	}
	x, y := w.x, w.y
	all := rect(x, y, x+0.02, y+0.01)
	city := unit("city", 0, "c", "龙岩市", all)
	dist := unit("district", city.ID, "d", "新罗区", all)
	w.sub = unit("subdistrict", dist.ID, "s", "东城街道", all)
	w.comA = unit("community", w.sub.ID, "a", "甲社区", rect(x, y, x+0.01, y+0.01))
	w.comB = unit("community", w.sub.ID, "b", "乙社区", rect(x+0.01, y, x+0.02, y+0.01))
	w.compA = area("residential_compound", "龙津花园", rect(x+0.002, y+0.002, x+0.004, y+0.004))
	w.compB = area("residential_compound", "莲东小区", rect(x+0.012, y+0.002, x+0.014, y+0.004))
	w.park = area("park", "中山公园", rect(x+0.006, y+0.006, x+0.008, y+0.008))
	w.contact, w.contact2 = person("物业经理甲"), person("物业经理乙")
	w.resident, w.resident2 = person("居民组长"), person("楼栋长")
	w.lanePerson = person("甲巷长")
	street := person("街长")
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err := reg.CreateAssignment(ctx, system, registry.AssignmentInput{AdminUnitID: w.comA.ID, PersonID: w.lanePerson.ID, Role: "lane_chief", Primary: true, From: &from})
	must(err)
	_, err = reg.CreateAssignment(ctx, system, registry.AssignmentInput{AdminUnitID: w.sub.ID, PersonID: street.ID, Role: "street_chief", Primary: true, From: &from})
	must(err)
	w.lane = access.Principal{Username: "lane-a", PersonID: w.lanePerson.ID, Role: access.LaneChief, Scope: access.Scope{Communities: []int64{w.comA.ID}}}
	w.street = access.Principal{Username: "chief", PersonID: street.ID, Role: access.StreetChief,
		Scope: access.Scope{Subdistricts: []int64{w.sub.ID}, Communities: []int64{w.comA.ID, w.comB.ID}}}
	w.leader = access.Principal{Username: "leader", Role: access.DistrictLeader, Scope: access.Scope{All: true}}
	w.admin = system
	w.svc = partners.NewService(pool, reg).WithClock(func() time.Time { return w.clock })
	return w
}

var licences int

// licence makes a valid 统一社会信用代码, a new one each call.
func licence() string {
	licences++
	first := fmt.Sprintf("91350802%09d", 700000000+licences)
	return first + string(merchants.LicenceCheckChar(first))
}

func (w *world) company(name string, contact registry.Person) partners.Company {
	w.t.Helper()
	c, err := w.svc.AddCompany(context.Background(), w.street, partners.CompanyInput{Name: name, LicenceNo: licence(), ContactPersonID: contact.ID, Phone: "0597-2233445"})
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

func day(s string) *partners.Moment {
	t, err := partners.ParseMoment("test", s)
	if err != nil {
		panic(err)
	}
	return &partners.Moment{Time: t}
}

func signed(s string) *partners.Day {
	return &partners.Day{Time: day(s).Time}
}

func (w *world) sign(who access.Principal, compound int64, company partners.Company, from, until string) partners.Partner {
	w.t.Helper()
	p, err := w.svc.SignContract(context.Background(), who, compound, partners.ContractInput{CompanyID: company.ID,
		SignedOn: signed(from), From: day(from), Until: day(until)})
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

// managerAt is the company managing compound at moment s ("" none), as the list answers.
func (w *world) managerAt(who access.Principal, compound int64, s string) string {
	w.t.Helper()
	list, err := w.svc.Compounds(context.Background(), who, partners.Filter{AreaID: compound, At: day(s).Time})
	if err != nil {
		w.t.Fatal(err)
	}
	if len(list) != 1 {
		w.t.Fatalf("compound %d: %d rows", compound, len(list))
	}
	if list[0].Manager == nil {
		return ""
	}
	return list[0].Manager.CompanyName
}

// counts are the rows of the partner tables and the audit log, to show a refusal wrote nothing.
func (w *world) counts() string {
	w.t.Helper()
	var a, b, c, d int
	err := dbtest.Pool(w.t).QueryRow(context.Background(), `SELECT (SELECT count(*) FROM property_company), (SELECT count(*) FROM compound_partner),
		(SELECT count(*) FROM compound_partner_closing), (SELECT count(*) FROM audit_log)`).Scan(&a, &b, &c, &d)
	if err != nil {
		w.t.Fatal(err)
	}
	return fmt.Sprintf("companies %d, partners %d, closings %d, audit %d", a, b, c, d)
}
