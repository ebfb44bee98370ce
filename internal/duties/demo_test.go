package duties_test

import (
	"context"
	"testing"
	"time"

	"streetchief/internal/dbtest"
	"streetchief/internal/duties"
	"streetchief/internal/reports"
)

// The demo over whatever territory the package's database holds: members in every community with a
// lane chief, a year of records mostly confirmed, some pending, one returned, one voided, last
// year's evaluations, one silent deputy in the gap report and one deputy without a pledge in force.
func TestSeedDemo(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	start := time.Now()
	sum, err := duties.SeedDemo(ctx, dbtest.Pool(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s in %s", sum, time.Since(start))
	if sum.Members == 0 || sum.Returned != 1 || sum.Voided != 1 || sum.Pending == 0 || sum.Confirmed < sum.Records/2 ||
		sum.Evaluations != sum.PartyMembers || sum.Silent == "" || sum.WithoutPledge == "" {
		t.Fatalf("%s", sum)
	}
	rep, err := reports.NewService(dbtest.Pool(t)).Gaps(ctx, w.leader, reports.Query{Scope: reports.Scope{Level: "district"},
		Kinds: []string{reports.KindSilentDeputies}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, g := range rep.Silent {
		found = found || g.Name == sum.Silent
	}
	if !found {
		t.Fatalf("the silent deputy %s is not in the gap report: %+v", sum.Silent, rep.Silent)
	}
	svc := duties.NewService(dbtest.Pool(t), nil) // today, as the demo was written
	ms, err := svc.ListMembers(ctx, w.leader, duties.MemberFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Name == sum.WithoutPledge && m.PledgeCurrent {
			t.Fatalf("%s has a pledge in force", m.Name)
		}
	}
	evs, err := svc.Evaluations(ctx, w.leader, duties.EvaluationFilter{Year: time.Now().Year() - 1})
	if err != nil || len(evs) != sum.Evaluations {
		t.Fatalf("%d evaluations of last year, want %d (%v)", len(evs), sum.Evaluations, err)
	}
}
