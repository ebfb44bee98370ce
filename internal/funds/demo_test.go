package funds

import (
	"context"
	"testing"
)

func TestSeedDemoStaysUnderTheVolunteerBudgetAndBooksNothingTwice(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	first, err := SeedDemo(ctx, w.svc.db)
	if err != nil {
		t.Fatal(err)
	}
	if first.Spendings != 23 || first.Corrections != 1 || first.Allocations == 0 {
		t.Fatalf("first seed = %+v", first)
	}
	again, err := SeedDemo(ctx, w.svc.db)
	if err != nil {
		t.Fatal(err)
	}
	if again != (DemoSummary{}) {
		t.Errorf("second seed booked %+v", again)
	}
	for _, y := range []int{2025, 2026} {
		b, err := w.svc.Balances(ctx, w.leader, y, -1)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range Payers {
			r := find(t, b, 0, VolunteerService, p)
			if r.Balance <= 0 || r.Spending >= 0 || r.Allocation != 50000000 {
				t.Errorf("%d %s: %+v, want spending under the 500,000.00 allocated", y, p, r)
			}
		}
	}
	b, err := w.svc.Balances(ctx, w.leader, 2026, -1)
	if err != nil {
		t.Fatal(err)
	}
	// 2026: eleven purchases of 75,000, one booked at 77,500 and corrected by 2,500; March is the city's.
	if c := find(t, b, 0, VolunteerService, City); c.Spending != -(5*7500000+7750000) || c.Corrections != 250000 || c.Balance != 50000000-6*7500000 {
		t.Errorf("2026 city: %+v", c)
	}
}
