package merchants_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/merchants"
	"streetchief/internal/registry"
)

// iworld is one subdistrict with communities A and B, a street chief over it, a lane chief of A and
// two inspectors, the merchants store over them and the principals of those people.
type iworld struct {
	t                         *testing.T
	store                     *merchants.Store
	inc                       *incidents.Service
	sub, comA, comB           registry.AdminUnit
	street, lane, insp, insp2 registry.Person
	asStreet, asLane          access.Principal
	asInsp, asInsp2, asAdmin  access.Principal
	x0                        float64
}

var iworlds atomic.Int64

func sq(x, y, d float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}}
}

func newIWorld(t *testing.T) *iworld {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	n := iworlds.Add(1)
	// East of the register tests' worlds (main_test.go), so the two never share a patch.
	w := &iworld{t: t, x0: 110 + float64(n)*0.1}
	code := func(s string) string { return fmt.Sprintf("insp%d-%s", n, s) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	reg := registry.NewStore(pool)
	x := w.x0
	city, err := reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "city", Code: code("c"), Name: "城", Boundary: sq(x, 30, 0.05)})
	must(err)
	dist, err := reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "district", ParentID: city.ID, Code: code("d"), Name: "区", Boundary: sq(x, 30, 0.05)})
	must(err)
	w.sub, err = reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "subdistrict", ParentID: dist.ID, Code: code("s"), Name: "东街道",
		Boundary: orb.MultiPolygon{{{{x, 30}, {x + 0.02, 30}, {x + 0.02, 30.01}, {x, 30.01}, {x, 30}}}}})
	must(err)
	w.comA, err = reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "community", ParentID: w.sub.ID, Code: code("a"), Name: "甲社区", Boundary: sq(x, 30, 0.01)})
	must(err)
	w.comB, err = reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "community", ParentID: w.sub.ID, Code: code("b"), Name: "乙社区", Boundary: sq(x+0.01, 30, 0.01)})
	must(err)
	person := func(name string) registry.Person {
		p, err := reg.CreatePerson(ctx, system, registry.PersonInput{Name: name, Active: true})
		must(err)
		return p
	}
	w.street, w.lane, w.insp, w.insp2 = person("街长"), person("巷长"), person("督查员甲"), person("督查员乙")
	for _, a := range []registry.AssignmentInput{
		{AdminUnitID: w.sub.ID, PersonID: w.street.ID, Role: "street_chief", Primary: true},
		{AdminUnitID: w.comA.ID, PersonID: w.lane.ID, Role: "lane_chief", Primary: true},
	} {
		_, err := reg.CreateAssignment(ctx, system, a)
		must(err)
	}
	w.asAdmin = access.Principal{Role: access.Admin, Username: "admin", Scope: access.Scope{All: true}}
	w.asStreet = access.Principal{Role: access.StreetChief, Username: "street", PersonID: w.street.ID,
		Scope: access.Scope{Subdistricts: []int64{w.sub.ID}, Communities: []int64{w.comA.ID, w.comB.ID}}}
	w.asLane = access.Principal{Role: access.LaneChief, Username: "lane", PersonID: w.lane.ID, Scope: access.Scope{Communities: []int64{w.comA.ID}}}
	w.asInsp = access.Principal{Role: access.Inspector, Username: "insp", PersonID: w.insp.ID, Scope: access.Scope{Subdistricts: []int64{w.sub.ID}}}
	w.asInsp2 = access.Principal{Role: access.Inspector, Username: "insp2", PersonID: w.insp2.ID, Scope: access.Scope{Subdistricts: []int64{w.sub.ID}}}
	engine := lookup.New(reg)
	must(engine.Load(ctx))
	w.inc = incidents.NewService(pool, engine, incidents.Options{})
	w.store = merchants.NewStore(pool, reg, w.inc, nil, merchants.Rules{})
	return w
}

// Places of the world: in community A, in community B.
func (w *iworld) inA(dx float64) orb.Point { return orb.Point{w.x0 + 0.003 + dx, 30.003} }
func (w *iworld) inB(dx float64) orb.Point { return orb.Point{w.x0 + 0.013 + dx, 30.003} }

// east is p moved metres east.
func east(p orb.Point, metres float64) orb.Point {
	return orb.Point{p[0] + metres/(111_320*0.866), p[1]}
}

// shop adds an open shop at p with the inspector (0: none), with plain SQL: the register's own
// methods are not the subject here.
func (w *iworld) shop(name string, p orb.Point, inspector int64) int64 {
	w.t.Helper()
	ctx := context.Background()
	var id int64
	if err := dbtest.Pool(w.t).QueryRow(ctx, `INSERT INTO merchant (name, location, status_since)
		VALUES ($1, ST_SetSRID(ST_MakePoint($2, $3), 4326), '2026-01-01') RETURNING id`, name, p[0], p[1]).Scan(&id); err != nil {
		w.t.Fatal(err)
	}
	if inspector != 0 {
		w.assignInspector(id, inspector)
	}
	return id
}

func (w *iworld) assignInspector(shop, person int64) {
	w.t.Helper()
	if _, err := dbtest.Pool(w.t).Exec(context.Background(), `INSERT INTO merchant_inspector (merchant_id, person_id, valid)
		VALUES ($1, $2, tstzrange('2026-01-01', NULL))`, shop, person); err != nil {
		w.t.Fatal(err)
	}
}

func (w *iworld) pledge(shop int64, from, until string) {
	w.t.Helper()
	if _, err := dbtest.Pool(w.t).Exec(context.Background(), `INSERT INTO merchant_pledge (merchant_id, signed_on, valid)
		VALUES ($1, $2::date, daterange($2::date, $3::date))`, shop, from, until); err != nil {
		w.t.Fatal(err)
	}
}

// visit describes an inspection to send.
type visit struct {
	shop      int64
	at        time.Time
	p         orb.Point
	accuracy  float64
	violation string // an incident category for the order item, or ""
	refused   bool
	note      string
}

func (v visit) fields() merchants.InspectionFields {
	f := merchants.NewInspectionFields()
	f.MerchantID, f.At, f.Lon, f.Lat, f.AccuracyM = v.shop, v.at.Format(time.RFC3339Nano), &v.p[0], &v.p[1], &v.accuracy
	f.Refused, f.Note = v.refused, v.note
	f.Results.Items = []merchants.ItemResult{{Item: "sanitation", OK: true}, {Item: "order", OK: v.violation == "", Category: v.violation},
		{Item: "greenery", OK: true}}
	return f
}

func (w *iworld) inspect(who access.Principal, v visit, key string) (merchants.Inspection, error) {
	w.t.Helper()
	in, err := v.fields().Input(nil, time.Now())
	if err != nil {
		return merchants.Inspection{}, err
	}
	ins, _, err := w.store.Inspect(context.Background(), who, in, key)
	return ins, err
}

func (w *iworld) mustInspect(who access.Principal, v visit) merchants.Inspection {
	w.t.Helper()
	ins, err := w.inspect(who, v, "")
	if err != nil {
		w.t.Fatal(err)
	}
	return ins
}

func count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := dbtest.Pool(t).QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
