package merchants_test

import (
	"context"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/demo"
	"streetchief/internal/lookup"
	"streetchief/internal/merchants"
	"streetchief/internal/registry"
)

// The demo city's night markets get their vendors and three weeks of sightings: most inside, some
// outside (incidents), one repeat offender with the street chief.
func TestDemoVendorsTradeMostlyInsideWithOneRepeatOffender(t *testing.T) {
	// A database of its own: the demo city loads only into an empty registry, and this package's
	// other tests fill the shared one.
	ctx := context.Background()
	pool := dbtest.Own(t)
	city, err := demo.Generate(demo.Options{Seed: 1, Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, pool, city); err != nil {
		t.Fatal(err)
	}
	reg := registry.NewStore(pool)
	engine := lookup.New(reg)
	if err := engine.Load(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sum, err := merchants.SeedDemoVendors(ctx, pool, reg, engine, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v in %s", sum, time.Since(start).Round(time.Millisecond))
	if sum.Zones < 2 || sum.Vendors < 4*sum.Zones || sum.Vendors > 6*sum.Zones {
		t.Fatalf("%+v: want 4–6 vendors in each of the night markets", sum)
	}
	if sum.Outside == 0 || sum.Outside*5 > sum.Sightings || sum.Incidents == 0 || sum.Incidents > sum.Outside {
		t.Fatalf("%+v: want most sightings inside, and the outside ones incidents", sum)
	}
	if sum.RepeatOffenders != 1 {
		t.Fatalf("%+v: want one repeat offender", sum)
	}
	v := merchants.NewVendors(merchants.NewStore(pool, reg, nil, nil, merchants.Rules{}), merchants.VendorRules{})
	offenders, err := v.RepeatOffenders(ctx, access.System("test"))
	if err != nil || len(offenders) != 1 || len(offenders[0].Record) < 3 {
		t.Fatalf("repeat offenders %+v %v", offenders, err)
	}
	for _, s := range offenders[0].Record {
		if s.IncidentID == 0 {
			t.Fatalf("an outside sighting without its incident: %+v", s)
		}
	}
}
