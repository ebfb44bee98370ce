package volunteers_test

import (
	"context"
	"testing"
	"time"

	"streetchief/internal/dbtest"
	"streetchief/internal/demo"
	"streetchief/internal/funds"
	"streetchief/internal/volunteers"
)

// TestSeedDemoSpendsTheVolunteerBudgetOnceAndBalances loads the demo city into a database of its
// own, seeds the volunteer services and then the funds demo as the demo command does, and checks
// the ledger: each year's payments are the only volunteer spending, and each payer's balance is its
// 500,000 less its half of the quarters paid.
func TestSeedDemoSpendsTheVolunteerBudgetOnceAndBalances(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Own(t)
	city, err := demo.Generate(demo.Options{Seed: 1, Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, pool, city); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sum, err := volunteers.SeedDemo(ctx, pool, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded in %s: %s", time.Since(start).Round(time.Millisecond), sum)
	ledger, err := funds.SeedDemo(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if ledger.Spendings != 0 || ledger.Allocations == 0 {
		t.Errorf("funds demo after the volunteers': %+v, want its allocations and none of its stand-in purchases", ledger)
	}
	if sum.Contracts != 2 || sum.Volunteers != 80 || sum.Voided != 1 || sum.Activities < 7*40 || sum.Activities > 7*53 {
		t.Errorf("summary: %+v", sum)
	}
	leader := accessLeader()
	now := time.Now()
	for _, y := range []int{2025, 2026} {
		quarters := int64(0)
		for _, end := range []time.Time{time.Date(y, 3, 31, 0, 0, 0, 0, time.UTC), time.Date(y, 6, 30, 0, 0, 0, 0, time.UTC),
			time.Date(y, 9, 30, 0, 0, 0, 0, time.UTC), time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)} {
			if !end.After(now) {
				quarters++
			}
		}
		b, err := funds.NewService(pool).Balances(ctx, leader, y, -1)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range b.Rows {
			if want := funds.Amount(50000000 - quarters*12500000); r.Balance != want || r.Balance < 0 {
				t.Errorf("%d %s: balance %s, want 500,000 less %d quarters of 125,000 = %s", y, r.Payer, r.Balance, quarters, want)
			}
		}
	}
	svc := volunteers.NewService(pool, nil)
	tot, err := svc.Totals(ctx, leader, 2026)
	if err != nil {
		t.Fatal(err)
	}
	subs := map[int64]bool{}
	for _, r := range tot.Rows {
		subs[r.SubdistrictID] = true
	}
	if len(subs) != 7 {
		t.Errorf("activities in %d subdistricts, want all 7", len(subs))
	}
	again, err := volunteers.SeedDemo(ctx, pool, 1)
	if err != nil || again != (volunteers.DemoSummary{}) {
		t.Errorf("second seed: %+v %v, want nothing written", again, err)
	}
}
