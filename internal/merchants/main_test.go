package merchants_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/merchants"
	"streetchief/internal/registry"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var system = access.System("test")

func rect(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
}

// world is a subdistrict of two communities side by side, A west of B, each 0.01° square, in a
// patch of its own so tests in one database do not meet; and a person to assign.
type world struct {
	store        *merchants.Store
	reg          *registry.Store
	sub          registry.AdminUnit
	comA, comB   registry.AdminUnit
	x, y         float64
	person       registry.Person
	laneA, laneB access.Principal
	street       access.Principal
}

var worlds int

func newWorld(t *testing.T) *world {
	t.Helper()
	worlds++
	ctx := context.Background()
	pool := dbtest.Pool(t)
	reg := registry.NewStore(pool)
	w := &world{store: merchants.NewStore(pool, reg, nil, nil, merchants.Rules{}), reg: reg, x: 100 + 0.1*float64(worlds), y: 30}
	unit := func(level string, parent int64, code, name string, b orb.MultiPolygon) registry.AdminUnit {
		t.Helper()
		u, err := reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: level, ParentID: parent,
			Code: fmt.Sprintf("m%d-%s", worlds, code), Name: name, Boundary: b})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	all := rect(w.x, w.y, w.x+0.02, w.y+0.01)
	city := unit("city", 0, "c", "龙岩市", all)
	dist := unit("district", city.ID, "d", "新罗区", all)
	w.sub = unit("subdistrict", dist.ID, "s", "东城街道", all)
	w.comA = unit("community", w.sub.ID, "a", "甲社区", rect(w.x, w.y, w.x+0.01, w.y+0.01))
	w.comB = unit("community", w.sub.ID, "b", "乙社区", rect(w.x+0.01, w.y, w.x+0.02, w.y+0.01))
	var err error
	if w.person, err = reg.CreatePerson(ctx, system, registry.PersonInput{Name: "包户员", Active: true}); err != nil {
		t.Fatal(err)
	}
	w.laneA = access.Principal{UserID: 0, Username: "lane-a", Role: access.LaneChief, Scope: access.Scope{Communities: []int64{w.comA.ID}}}
	w.laneB = access.Principal{Username: "lane-b", Role: access.LaneChief, Scope: access.Scope{Communities: []int64{w.comB.ID}}}
	w.street = access.Principal{Username: "street", Role: access.StreetChief, Scope: access.Scope{Subdistricts: []int64{w.sub.ID},
		Communities: []int64{w.comA.ID, w.comB.ID}}}
	return w
}

// inA and inB are points well inside each community.
func (w *world) inA() orb.Point { return orb.Point{w.x + 0.005, w.y + 0.005} }
func (w *world) inB() orb.Point { return orb.Point{w.x + 0.015, w.y + 0.005} }

// shop registers a shop at p as the system.
func (w *world) shop(t *testing.T, name string, p orb.Point) merchants.Merchant {
	t.Helper()
	m, err := w.store.CreateMerchant(context.Background(), system, merchants.Input{Name: name, Location: p, Address: "中山路 1 号"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// licence makes a valid 统一社会信用代码 from a serial number.
func licence(n int) string {
	first := fmt.Sprintf("92350802MA%07d", n)
	return first + string(merchants.LicenceCheckChar(first))
}

// rowCounts counts the register's rows, to prove a refusal wrote nothing.
func rowCounts(t *testing.T) string {
	t.Helper()
	var m, p, i, a int
	err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT (SELECT count(*) FROM merchant), (SELECT count(*) FROM merchant_pledge),
		(SELECT count(*) FROM merchant_inspector), (SELECT count(*) FROM audit_log)`).Scan(&m, &p, &i, &a)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("merchants=%d pledges=%d inspectors=%d audit=%d", m, p, i, a)
}

// inspectorPrincipal is an inspector account standing for the world's person.
func inspectorPrincipal(w *world) access.Principal {
	return access.Principal{Username: "insp", Role: access.Inspector, PersonID: w.person.ID, Scope: access.Scope{Subdistricts: []int64{w.sub.ID}}}
}
