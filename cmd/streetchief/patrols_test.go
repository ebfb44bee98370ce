package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/fieldproof"
	"streetchief/internal/merchants"
	"streetchief/internal/patrols"
	"streetchief/internal/registry"
)

// A shop inspected on the way is an event of the patrol, read through the merchants' register as
// serve wires it; one inspected after the patrol ended is not.
func TestAPatrolListsTheInspectionsMadeOnTheWay(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	system := access.System("test")
	reg := registry.NewStore(pool)
	rect := func(x0, y0, x1, y1 float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
	}
	x, y := 121.0, 31.0
	var parent int64
	var com registry.AdminUnit
	for _, level := range []string{"city", "district", "subdistrict", "community"} {
		u, err := reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: level, ParentID: parent, Code: "pt-" + level, Name: level,
			Boundary: rect(x, y, x+0.01, y+0.01)})
		if err != nil {
			t.Fatal(err)
		}
		parent, com = u.ID, u
	}
	person, err := reg.CreatePerson(ctx, system, registry.PersonInput{Name: "巷长", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	lane := access.Principal{Username: "lane", Role: access.LaneChief, PersonID: person.ID, Scope: access.Scope{Communities: []int64{com.ID}}}
	shops := merchants.NewStore(pool, reg, nil, nil, merchants.Rules{})
	shop, err := shops.CreateMerchant(ctx, system, merchants.Input{Name: "早餐店", Location: orb.Point{x + 0.005, y + 0.005}, Address: "中山路 2 号"})
	if err != nil {
		t.Fatal(err)
	}
	store := patrolStore(pool, fieldproof.DefaultRules().Patrol, shops, merchants.NewVendors(shops, merchants.VendorRules{}), nil)

	now := time.Now()
	start := now.Add(-90 * time.Minute).UTC().Truncate(time.Second)
	inspect := func(at time.Time) int64 {
		t.Helper()
		in, err := merchants.DecodeInspectionJSON([]byte(fmt.Sprintf(`{"merchant_id": %d, "at": %q, "lon": %g, "lat": %g, "accuracy_m": 5,
			"results": [{"item": "sanitation", "ok": true}, {"item": "order", "ok": true}, {"item": "greenery", "ok": true}]}`,
			shop.ID, at.Format(time.RFC3339), x+0.005, y+0.005)), now)
		if err != nil {
			t.Fatal(err)
		}
		ins, _, err := shops.Inspect(ctx, lane, in, "")
		if err != nil {
			t.Fatal(err)
		}
		return ins.ID
	}
	during := inspect(start.Add(10 * time.Minute))
	inspect(start.Add(50 * time.Minute))

	id := "7d1c9a4e-3b2f-4c6d-9e8a-1f2b3c4d5e6f"
	in, _ := patrols.DecodeStart(id, []byte(`{"started_at": "`+start.Format(time.RFC3339)+`"}`), now)
	if _, _, err := store.Start(ctx, lane, in); err != nil {
		t.Fatal(err)
	}
	var parts []string
	for i := range 60 {
		parts = append(parts, fmt.Sprintf(`{"seq": %d, "lon": %.7f, "lat": %g, "accuracy_m": 6, "at": %q}`, i, x+0.001+float64(i)*0.0001,
			y+0.005, start.Add(time.Duration(i*20+10)*time.Second).Format(time.RFC3339)))
	}
	fixes, err := patrols.DecodeFixes([]byte(`{"fixes": [`+strings.Join(parts, ",")+`]}`), now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.AddFixes(ctx, lane, id, fixes); err != nil {
		t.Fatal(err)
	}
	end, _ := patrols.DecodeEnd([]byte(`{"ended_at": "`+start.Add(21*time.Minute).Format(time.RFC3339)+`"}`), now)
	if _, err := store.End(ctx, lane, id, end); err != nil {
		t.Fatal(err)
	}
	p, err := store.Get(ctx, lane, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.EventList) != 1 || p.EventList[0].Kind != patrols.KindInspection || p.EventList[0].ID != during || p.Events != 1 {
		t.Fatalf("the patrol's events: %+v (count %d), want inspection %d only", p.EventList, p.Events, during)
	}
}
