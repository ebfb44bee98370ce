package merchants_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"sync"
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

type vendorClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *vendorClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *vendorClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// vendorWorld is a subdistrict of two communities, A with a lane chief and a night market (a square
// zone open 17:30–23:30 every day), B with none; a street chief over both.
type vendorWorld struct {
	t               *testing.T
	v               *merchants.Vendors
	inc             *incidents.Service
	clock           *vendorClock
	sub, comA, comB registry.AdminUnit
	market          registry.Area
	lane, street    registry.Person
	asLane, asLaneB access.Principal
	asStreet        access.Principal
	x0              float64
}

var vendorWorlds atomic.Int64

func square(x, y, d float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}}
}

// A Monday evening in Beijing, inside the market's hours; the world's clock starts there.
var monday = time.Date(2026, 11, 30, 20, 0, 0, 0, time.FixedZone("CST", 8*3600))

func newVendorWorld(t *testing.T) *vendorWorld {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	n := vendorWorlds.Add(1)
	// West of the register and inspection worlds, so no two share a patch.
	x := 90 + float64(n)*0.1
	w := &vendorWorld{t: t, x0: x, clock: &vendorClock{t: monday}}
	code := func(s string) string { return fmt.Sprintf("ven%d-%s", n, s) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	reg := registry.NewStore(pool)
	city, err := reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "city", Code: code("c"), Name: "城", Boundary: square(x, 30, 0.05)})
	must(err)
	dist, err := reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "district", ParentID: city.ID, Code: code("d"), Name: "区", Boundary: square(x, 30, 0.05)})
	must(err)
	w.sub, err = reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "subdistrict", ParentID: dist.ID, Code: code("s"), Name: "街道",
		Boundary: orb.MultiPolygon{{{{x, 30}, {x + 0.02, 30}, {x + 0.02, 30.01}, {x, 30.01}, {x, 30}}}}})
	must(err)
	w.comA, err = reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "community", ParentID: w.sub.ID, Code: code("a"), Name: "甲社区", Boundary: square(x, 30, 0.01)})
	must(err)
	w.comB, err = reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "community", ParentID: w.sub.ID, Code: code("b"), Name: "乙社区", Boundary: square(x+0.01, 30, 0.01)})
	must(err)
	w.market, err = reg.CreateArea(ctx, system, registry.AreaInput{Kind: "night_market", Name: "夜市", Geom: square(x+0.002, 30.002, 0.002)})
	must(err)
	w.lane, err = reg.CreatePerson(ctx, system, registry.PersonInput{Name: "巷长", Active: true})
	must(err)
	w.street, err = reg.CreatePerson(ctx, system, registry.PersonInput{Name: "街长", Active: true})
	must(err)
	since := monday.AddDate(0, -3, 0)
	for _, in := range []registry.AssignmentInput{
		{AdminUnitID: w.comA.ID, PersonID: w.lane.ID, Role: "lane_chief", Primary: true, From: &since},
		{AdminUnitID: w.sub.ID, PersonID: w.street.ID, Role: "street_chief", Primary: true, From: &since},
	} {
		_, err := reg.CreateAssignment(ctx, system, in)
		must(err)
	}
	engine := lookup.New(reg)
	must(engine.Load(ctx))
	w.inc = incidents.NewService(pool, engine, incidents.Options{Now: w.clock.Now})
	w.v = merchants.NewVendors(merchants.NewStore(pool, reg, w.inc, nil, merchants.Rules{}), merchants.VendorRules{Now: w.clock.Now})
	w.asLane = access.Principal{UserID: 0, Role: access.LaneChief, Username: "lane", PersonID: w.lane.ID, Scope: access.Scope{Communities: []int64{w.comA.ID}}}
	w.asLaneB = access.Principal{Role: access.LaneChief, Username: "laneB", Scope: access.Scope{Communities: []int64{w.comB.ID}}}
	w.asStreet = access.Principal{Role: access.StreetChief, Username: "street", PersonID: w.street.ID,
		Scope: access.Scope{Subdistricts: []int64{w.sub.ID}, Communities: []int64{w.comA.ID, w.comB.ID}}}
	_, err = w.v.SetZoneHours(ctx, w.asStreet, w.market.ID, merchants.HoursInput{From: "2026-11-01",
		Windows: []merchants.WindowJSON{{Weekdays: []int{1, 2, 3, 4, 5, 6, 7}, Opens: "17:30", Closes: "23:30"}}})
	must(err)
	return w
}

// Points of the world: the market's inside, its west edge, community A outside it, community B.
func (w *vendorWorld) inMarket() orb.Point   { return orb.Point{w.x0 + 0.003, 30.003} }
func (w *vendorWorld) marketEdge() orb.Point { return orb.Point{w.x0 + 0.002, 30.003} }
func (w *vendorWorld) inA() orb.Point        { return orb.Point{w.x0 + 0.008, 30.008} }
func (w *vendorWorld) inB() orb.Point        { return orb.Point{w.x0 + 0.015, 30.005} }

func (w *vendorWorld) register(name string) merchants.Vendor {
	w.t.Helper()
	v, err := w.v.RegisterVendor(context.Background(), w.asLane, merchants.VendorInput{Name: name, Goods: "烤红薯",
		ContactName: "王", ContactPhone: "13800000000", ZoneID: w.market.ID, From: monday.AddDate(0, -1, 0)})
	if err != nil {
		w.t.Fatal(err)
	}
	return v
}

// sighting builds the input as the field app would send it.
func sighting(vendorID int64, p orb.Point, at time.Time, key string) merchants.SightingInput {
	f := merchants.SightingFields{Lon: &p[0], Lat: &p[1], AccuracyM: ptr(8.0), At: at.Format(time.RFC3339)}
	if vendorID != 0 {
		f.VendorID = &vendorID
	}
	in, err := f.Input(nil, key)
	if err != nil {
		panic(err)
	}
	return in
}

func ptr[T any](v T) *T { return &v }

// see records a sighting at t (the clock moved there first) and fails the test on an error.
func (w *vendorWorld) see(who access.Principal, vendorID int64, p orb.Point, at time.Time) merchants.Sighting {
	w.t.Helper()
	w.clock.Set(at)
	s, _, err := w.v.RecordSighting(context.Background(), who, sighting(vendorID, p, at, ""))
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

func tinyPNG(tb testing.TB) string {
	tb.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		tb.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

func decode(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
