package servicepoints_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/registry"
	"streetchief/internal/servicepoints"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var system = access.System("test")

func rect(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
}

// world is one subdistrict (0.02° × 0.01°) of two communities, A west and B east, in its own patch of
// the map, with a lane chief of A and a street chief of the subdistrict.
type world struct {
	t           testing.TB
	svc         *servicepoints.Service
	sub         registry.AdminUnit
	comA, comB  registry.AdminUnit
	x, y        float64
	lane, chief access.Principal
}

var worlds int

func newWorld(t testing.TB) *world {
	t.Helper()
	worlds++
	ctx := context.Background()
	pool := dbtest.Pool(t)
	reg := registry.NewStore(pool)
	w := &world{t: t, x: 95 + 0.1*float64(worlds), y: 31, svc: servicepoints.NewService(pool)}
	unit := func(level string, parent int64, code, name string, b orb.MultiPolygon) registry.AdminUnit {
		t.Helper()
		u, err := reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: level, ParentID: parent,
			Code: fmt.Sprintf("sp%d-%s", worlds, code), Name: name, Boundary: b})
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
	w.lane = access.Principal{Username: "lane-a", Role: access.LaneChief, Scope: access.Scope{Communities: []int64{w.comA.ID}}}
	w.chief = access.Principal{Username: "chief", Role: access.StreetChief,
		Scope: access.Scope{Subdistricts: []int64{w.sub.ID}, Communities: []int64{w.comA.ID, w.comB.ID}}}
	return w
}

func (w *world) inA() orb.Point { return orb.Point{w.x + 0.005, w.y + 0.005} }
func (w *world) inB() orb.Point { return orb.Point{w.x + 0.015, w.y + 0.005} }

// input is a valid after-school room at p.
func (w *world) input(p orb.Point) servicepoints.Input {
	c := 30
	return servicepoints.Input{Type: servicepoints.AfterSchool, Name: "红坊四点半学校", Location: p, Address: "红坊路1号",
		Hours:       []servicepoints.Window{{Weekdays: []int{1, 2, 3, 4, 5}, Opens: "16:30", Closes: "18:30"}},
		OperatorOrg: "红坊社区居委会", ContactName: "林老师", ContactPhone: "0597-2345678", Capacity: &c}
}

// counts is the rows of every service point table, to show a refusal wrote nothing.
func counts(t testing.TB) [4]int {
	t.Helper()
	var n [4]int
	for i, table := range []string{"service_point", "service_point_revision", "service_point_status", "service_point_type"} {
		if err := dbtest.Pool(t).QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n[i]); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

func errorAs(err error, target **apperr.Error) bool { return errors.As(err, target) }
