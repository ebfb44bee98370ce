package tasks_test

import (
	"context"
	"testing"
	"time"

	"streetchief/internal/dbtest"
	"streetchief/internal/tasks"
)

// The demo's tasks over whatever territory the package's database holds: eight tasks, most items
// accepted, some late, one returned now, two overdue now, and Completion telling subdistricts apart.
func TestSeedDemo(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	sum, err := tasks.SeedDemo(ctx, dbtest.Pool(t), nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", sum)
	if sum.Tasks != 8 || sum.OverdueNow != 2 || sum.Returned < 1 || sum.Late < 1 || sum.Accepted < sum.Items/2 {
		t.Fatalf("%s", sum)
	}
	svc := tasks.NewService(dbtest.Pool(t), nil)
	over, err := svc.Overdue(ctx, w.leader, 0)
	if err != nil {
		t.Fatal(err)
	}
	demoOverdue := 0
	for _, o := range over {
		if o.Deadline.After(time.Now().AddDate(0, -2, 0)) && len(o.Escalated) == 2 {
			demoOverdue++
		}
	}
	if demoOverdue != 2 {
		t.Fatalf("overdue now and escalated: %d of %+v", demoOverdue, over)
	}
	year := time.Now().AddDate(-1, 0, 0)
	e, err := svc.Completion(ctx, w.subE.ID, year, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	wc, err := svc.Completion(ctx, w.subW.ID, year, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("E %+v, W %+v", e, wc)
	if e.Items == 0 || wc.Items == 0 || e == wc {
		t.Fatalf("completion does not tell the subdistricts apart: E %+v, W %+v", e, wc)
	}
}
