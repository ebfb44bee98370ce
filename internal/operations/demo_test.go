package operations_test

import (
	"context"
	"testing"
	"time"

	"streetchief/internal/dbtest"
	"streetchief/internal/operations"
)

// The demo's operations over whatever territory the package's database holds: months of done ones,
// one outcome overdue, one cancelled, two to come — each as the clock now says.
func TestSeedDemo(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.shops(10, w.inE(0))
	w.shops(10, w.inW(0))
	w.clock = time.Now()
	w.incident(w.inE(0.001))
	w.incident(w.inE(0.002))
	sum, err := operations.SeedDemo(ctx, w.store, 1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", sum)
	if sum.Overdue != 1 || sum.Cancelled != 1 || sum.Upcoming != 2 || sum.Done < 6 {
		t.Fatalf("%s", sum)
	}
	count := func(s operations.State) int {
		ops, err := operations.NewStore(dbtest.Pool(t), w.reg, w.inc, nil).List(ctx, w.leader, operations.Filter{State: s})
		if err != nil {
			t.Fatal(err)
		}
		return len(ops)
	}
	if count(operations.StateOutcomeOverdue) < 1 || count(operations.StateCancelled) < 1 || count(operations.StatePlanned) < 2 || count(operations.StateDone) < sum.Done {
		t.Fatalf("listed by state: overdue %d, cancelled %d, planned %d, done %d", count(operations.StateOutcomeOverdue),
			count(operations.StateCancelled), count(operations.StatePlanned), count(operations.StateDone))
	}
}
