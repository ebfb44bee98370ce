package incidents_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
)

// TestJointKPIsMatchHandCountedCases works three joint cases with known times and checks every figure:
//
//	case 1: urban (lead, liaison) acknowledges after 1 h and acts after 3 h; market (vacant post)
//	        is acknowledged by an administrator after 5 h
//	case 2: urban acknowledges after 2 h, does nothing (an action voided does not count)
//	case 3: urban has not acknowledged; food_drug (vacant) is withdrawn
func TestJointKPIsMatchHandCountedCases(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	urban, market, food := departmentID(t, "urban_management"), departmentID(t, "market_regulation"), departmentID(t, "food_drug")
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	t0 := w.clock.Now()
	c1 := w.jointCase("")
	w.clock.Add(time.Hour)
	must(w.svc.Acknowledge(ctx, w.asLiaison, c1.ID, urban))
	w.clock.Add(2 * time.Hour)
	must(w.svc.RecordAction(ctx, w.asLiaison, c1.ID, incidents.ActionInput{DepartmentID: urban, Kind: incidents.Inspection}))
	w.clock.Add(2 * time.Hour)
	must(w.svc.Acknowledge(ctx, asAdmin, c1.ID, market))

	w.clock.Add(time.Hour)
	c2 := w.report("illegal_construction", w.inA()).ID
	must(w.svc.Transition(ctx, w.asStreet, c2, incidents.TransitionInput{To: incidents.Escalated}))
	must(w.svc.Transition(ctx, w.asStreet, c2, incidents.TransitionInput{To: incidents.JointEnforcement, Departments: []string{"urban_management"}}))
	w.clock.Add(2 * time.Hour)
	must(w.svc.Acknowledge(ctx, w.asLiaison, c2, urban))
	a, err := w.svc.RecordAction(ctx, w.asLiaison, c2, incidents.ActionInput{DepartmentID: urban, Kind: incidents.Seizure})
	must(a, err)
	must(w.svc.VoidAction(ctx, w.asLiaison, c2, a.ID, "录错"))

	c3 := w.report("illegal_construction", w.inA()).ID
	must(w.svc.Transition(ctx, w.asStreet, c3, incidents.TransitionInput{To: incidents.Escalated}))
	must(w.svc.Transition(ctx, w.asStreet, c3, incidents.TransitionInput{To: incidents.JointEnforcement, Departments: []string{"urban_management", "food_drug"}}))
	must(w.svc.WithdrawDepartment(ctx, w.asStreet, c3, food, "不涉及"))

	day := func(t time.Time) string { return t.In(incidents.Beijing).Format(time.DateOnly) }
	p, err := incidents.ParsePeriod("", "", day(t0.AddDate(0, 0, -1)), day(t0.AddDate(0, 0, 2)), t0)
	if err != nil {
		t.Fatal(err)
	}
	f := func(v float64) *float64 { return &v }
	want := map[int64]incidents.JointKPIFigures{
		urban:  {Requested: 3, Acknowledged: 2, Pending: 1, MedianAckSec: f(5400), MeanAckSec: f(5400), Acted: 1, MedianFirstSec: f(3 * 3600), MeanFirstSec: f(3 * 3600)},
		market: {Requested: 1, Vacant: 1, Acknowledged: 1, MedianAckSec: f(5 * 3600), MeanAckSec: f(5 * 3600)},
		food:   {Requested: 1, Vacant: 1, Withdrawn: 1},
	}
	wantNow := map[int64]int64{urban: 1}
	scoped := []int64{w.sub.ID}
	for _, who := range []access.Principal{w.asLeader, w.asStreet} {
		rep, err := w.svc.JointKPIs(ctx, who, incidents.JointByDepartment, p, incidents.KPIFilter{SubdistrictID: w.sub.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Rows) != len(want) {
			t.Fatalf("%s: rows %+v", who.Username, rep.Rows)
		}
		for _, r := range rep.Rows {
			if !sameJointFigures(r.JointKPIFigures, want[r.ID]) || r.PendingNow != wantNow[r.ID] || r.Name == "" {
				t.Errorf("%s: department %d (%s): %s, pending now %d; want %s", who.Username, r.ID, r.Name, showJoint(r.JointKPIFigures), r.PendingNow, showJoint(want[r.ID]))
			}
		}
		total := incidents.JointKPIFigures{Requested: 5, Vacant: 2, Withdrawn: 1, Acknowledged: 3, Pending: 1, MedianAckSec: f(7200),
			MeanAckSec: f((3600 + 7200 + 18000) / 3.0), Acted: 1, MedianFirstSec: f(3 * 3600), MeanFirstSec: f(3 * 3600)}
		if !sameJointFigures(rep.Total.JointKPIFigures, total) || rep.Total.PendingNow != 1 {
			t.Errorf("%s: total %s, pending now %d; want %s", who.Username, showJoint(rep.Total.JointKPIFigures), rep.Total.PendingNow, showJoint(total))
		}
	}
	bySub, err := w.svc.JointKPIs(ctx, w.asLeader, incidents.JointBySubdistrict, p, incidents.KPIFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var mine *incidents.JointKPIRow
	for i, r := range bySub.Rows {
		if r.ID == w.sub.ID {
			mine = &bySub.Rows[i]
		}
	}
	if mine == nil || mine.Requested != 5 || mine.Acknowledged != 3 || mine.Name != "街道" {
		t.Fatalf("by subdistrict %+v", bySub.Rows)
	}
	// The liaison sees their department only.
	rep, err := w.svc.JointKPIs(ctx, w.asLiaison, incidents.JointByDepartment, p, incidents.KPIFilter{})
	if err != nil || len(rep.Rows) != 1 || rep.Rows[0].ID != urban || rep.Total.Requested != 3 {
		t.Fatalf("liaison %+v %v", rep, err)
	}
	if _, err := w.svc.JointKPIs(ctx, w.asLiaison, incidents.JointByDepartment, p, incidents.KPIFilter{SubdistrictID: scoped[0] + 999999}); err == nil {
		t.Fatal("a subdistrict that is none answered")
	}
	if _, err := w.svc.JointKPIs(ctx, w.asManager, incidents.JointByDepartment, p, incidents.KPIFilter{}); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("an inspector: %v", err)
	}
	if _, err := w.svc.JointKPIs(ctx, w.asLeader, "person", p, incidents.KPIFilter{}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("by person: %v", err)
	}
	// A period before the cases counts none of them.
	early, err := incidents.ParsePeriod("", "", day(t0.AddDate(0, 0, -3)), day(t0.AddDate(0, 0, -2)), t0)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := w.svc.JointKPIs(ctx, w.asLeader, incidents.JointByDepartment, early, incidents.KPIFilter{}); err != nil || rep.Total.Requested != 0 {
		t.Fatalf("a period before the cases: %+v %v", rep.Total, err)
	}
}

func sameJointFigures(a, b incidents.JointKPIFigures) bool {
	eq := func(x, y *float64) bool {
		return (x == nil) == (y == nil) && (x == nil || (*x-*y < 0.5 && *y-*x < 0.5))
	}
	return a.Requested == b.Requested && a.Vacant == b.Vacant && a.Withdrawn == b.Withdrawn && a.Acknowledged == b.Acknowledged &&
		a.Pending == b.Pending && a.Acted == b.Acted && eq(a.MedianAckSec, b.MedianAckSec) && eq(a.MeanAckSec, b.MeanAckSec) &&
		eq(a.MedianFirstSec, b.MedianFirstSec) && eq(a.MeanFirstSec, b.MeanFirstSec)
}

func showJoint(f incidents.JointKPIFigures) string {
	s := func(v *float64) any {
		if v == nil {
			return "-"
		}
		return *v
	}
	return fmt.Sprintf("req %d vac %d wd %d ack %d pend %d ack med %v mean %v acted %d first med %v mean %v", f.Requested, f.Vacant,
		f.Withdrawn, f.Acknowledged, f.Pending, s(f.MedianAckSec), s(f.MeanAckSec), f.Acted, s(f.MedianFirstSec), s(f.MeanFirstSec))
}
