package merchants_test

import (
	"context"
	"testing"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
	"streetchief/internal/merchants"
)

func (w *vendorWorld) incident(id int64) incidents.Incident {
	w.t.Helper()
	in, err := w.inc.Incident(context.Background(), system, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return in
}

// A registered vendor is judged by its own zone and hours: inside both (the zone's edge and the
// opening minute included) is recorded only; a minute early, or a step outside, is a 占道经营 case
// routed to the lane chief there.
func TestSightingOfARegisteredVendorIsJudgedByItsZoneAndHours(t *testing.T) {
	w := newVendorWorld(t)
	v := w.register("老王")
	day := func(hh, mm int) time.Time {
		return time.Date(2026, 11, 30, hh, mm, 0, 0, time.FixedZone("CST", 8*3600))
	}
	for _, c := range []struct {
		name    string
		at      time.Time
		inside  bool
		wantOut bool
	}{
		{"inside at 20:00", day(20, 0), true, false},
		{"inside at 17:30, the opening minute", day(17, 30), true, false},
		{"inside at 17:29, before opening", day(17, 29), true, true},
		{"inside at 23:30, closed", day(23, 30), true, true},
		{"outside the zone in its hours", day(20, 0), false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := w.inMarket()
			if !c.inside {
				p = w.inA()
			}
			s := w.see(w.asLane, v.ID, p, c.at)
			if s.Outside != c.wantOut || s.InZone != c.inside || !s.Registered || s.Zone == nil || s.Zone.ID != w.market.ID {
				t.Fatalf("sighting %+v, want outside %v, in zone %v", s, c.wantOut, c.inside)
			}
			if !c.wantOut && s.IncidentID != 0 {
				t.Fatalf("an allowed sighting became incident %d", s.IncidentID)
			}
			if c.wantOut {
				got := w.incident(s.IncidentID)
				if got.Category != "street_occupying" || got.AssigneePersonID != w.lane.ID || got.Status != incidents.Assigned {
					t.Fatalf("incident %+v, want a street_occupying case with the lane chief", got)
				}
			}
		})
	}
	w.clock.Set(day(20, 0))
	s, _, err := w.v.RecordSighting(context.Background(), w.asLane, sighting(v.ID, w.marketEdge(), day(20, 0), ""))
	if err != nil || s.Outside || !s.InZone {
		t.Fatalf("on the zone's edge: %+v %v, want inside", s, err)
	}
}

// Hours that cross midnight keep the small hours on the day they opened.
func TestSightingAfterMidnightIsInTheNightBeforesHours(t *testing.T) {
	w := newVendorWorld(t)
	v := w.register("夜宵")
	if _, err := w.v.SetZoneHours(context.Background(), w.asStreet, w.market.ID, merchants.HoursInput{From: "2026-11-15",
		Windows: []merchants.WindowJSON{{Weekdays: []int{5, 6}, Opens: "20:00", Closes: "02:00"}}}); err != nil {
		t.Fatal(err)
	}
	bj := time.FixedZone("CST", 8*3600)
	if s := w.see(w.asLane, v.ID, w.inMarket(), time.Date(2026, 11, 28, 1, 30, 0, 0, bj)); s.Outside { // Saturday 01:30: Friday's night
		t.Fatalf("Saturday 01:30 %+v, want inside Friday night's hours", s)
	}
	if s := w.see(w.asLane, v.ID, w.inMarket(), time.Date(2026, 11, 27, 1, 30, 0, 0, bj)); !s.Outside { // Friday 01:30: Thursday's
		t.Fatalf("Friday 01:30 %+v, want outside: Thursday has no night market", s)
	}
}

// Seen outside N−1 times in D days, a vendor's cases stay with the lane chief; the Nth goes to the
// street chief; the next joins that case while it is open.
func TestRepeatOffenderFiresAtNAndJoinsTheOpenCase(t *testing.T) {
	w := newVendorWorld(t)
	v := w.register("屡犯")
	other := w.register("守规")
	start := monday.Add(-20 * 24 * time.Hour)
	var ids []int64
	for i := range 2 {
		s := w.see(w.asLane, v.ID, w.inA(), start.Add(time.Duration(i)*24*time.Hour))
		if s.RepeatOffender || w.incident(s.IncidentID).Status == incidents.Escalated {
			t.Fatalf("sighting %d of N−1 %+v is a repeat offender", i+1, s)
		}
		ids = append(ids, s.IncidentID)
	}
	w.see(w.asLane, other.ID, w.inA(), start.Add(36*time.Hour)) // another vendor's count is its own
	third := w.see(w.asLane, v.ID, w.inA(), start.Add(48*time.Hour))
	got := w.incident(third.IncidentID)
	if !third.RepeatOffender || got.Status != incidents.Escalated || got.AssigneePersonID != w.street.ID {
		t.Fatalf("the Nth sighting %+v, incident %+v: want a repeat offender's case with the street chief", third, got)
	}
	if third.IncidentID == ids[0] || third.IncidentID == ids[1] {
		t.Fatal("the repeat case reused an earlier incident")
	}
	events := len(got.Events)
	fourth := w.see(w.asLane, v.ID, w.inA(), start.Add(72*time.Hour))
	if fourth.IncidentID != third.IncidentID || !fourth.RepeatOffender {
		t.Fatalf("the next sighting %+v opened another case, want it added to %d", fourth, third.IncidentID)
	}
	if n := len(w.incident(third.IncidentID).Events); n != events+1 {
		t.Fatalf("the open case has %d events, want %d", n, events+1)
	}
	if list, err := w.v.RepeatOffenders(context.Background(), w.asStreet); err != nil || len(list) != 1 || list[0].ID != v.ID || len(list[0].Record) != 4 {
		t.Fatalf("repeat offenders %+v %v, want %d with its 4 sightings", list, err, v.ID)
	}
}

// The window is D days back from the sighting: three outside sightings spread over more than D days
// make no repeat offender.
func TestRepeatRuleCountsOnlyTheWindow(t *testing.T) {
	w := newVendorWorld(t)
	v := w.register("偶犯")
	w.v = merchants.NewVendors(merchants.NewStore(dbtest.Pool(t), nil, w.inc, nil, merchants.Rules{}),
		merchants.VendorRules{Now: w.clock.Now, RepeatDays: 2, MaxAge: 60 * 24 * time.Hour})
	start := monday.Add(-10 * 24 * time.Hour)
	for i, d := range []int{0, 1, 3} {
		if s := w.see(w.asLane, v.ID, w.inA(), start.Add(time.Duration(d)*24*time.Hour)); s.RepeatOffender {
			t.Fatalf("sighting %d (day %d) is a repeat offender within a 2-day window", i+1, d)
		}
	}
}

// A vendor nobody registered may trade in any zone in its hours; elsewhere, or out of hours, it is a
// case like any other.
func TestUnregisteredVendorIsJudgedByAnyZone(t *testing.T) {
	w := newVendorWorld(t)
	bj := time.FixedZone("CST", 8*3600)
	if s := w.see(w.asLane, 0, w.inMarket(), time.Date(2026, 11, 30, 21, 0, 0, 0, bj)); s.Outside || s.Registered || s.Zone == nil {
		t.Fatalf("unregistered in the market in hours: %+v, want recorded only", s)
	}
	if s := w.see(w.asLane, 0, w.inMarket(), time.Date(2026, 11, 30, 10, 0, 0, 0, bj)); !s.Outside || s.IncidentID == 0 {
		t.Fatalf("unregistered in the market at 10:00: %+v, want a case", s)
	}
	s := w.see(w.asLane, 0, w.inA(), time.Date(2026, 11, 30, 21, 0, 0, 0, bj))
	if !s.Outside || s.IncidentID == 0 || s.Zone != nil || s.RepeatOffender {
		t.Fatalf("unregistered in the street: %+v, want a case", s)
	}
}

// A suspended vendor trades without a registration wherever it stands; its registrations stay on
// record.
func TestSuspendedVendorIsOutsideEvenInItsZone(t *testing.T) {
	w := newVendorWorld(t)
	ctx := context.Background()
	v := w.register("停业")
	w.clock.Set(monday.Add(-time.Hour))
	got, err := w.v.SetVendorStatus(ctx, w.asLane, v.ID, merchants.StatusInput{Status: merchants.VendorSuspended, Reason: "多次越界"})
	if err != nil || got.Status != merchants.VendorSuspended || len(got.History) != 2 || got.History[0].Until == nil {
		t.Fatalf("suspended: %+v %v, want two registrations, the first ended", got, err)
	}
	if s := w.see(w.asLane, v.ID, w.inMarket(), monday); !s.Outside || s.Registered || s.IncidentID == 0 {
		t.Fatalf("a suspended vendor in its zone in hours: %+v, want a case", s)
	}
	if _, err := w.v.SetVendorStatus(ctx, w.asLane, v.ID, merchants.StatusInput{Status: merchants.VendorSuspended}); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("suspending again: %v, want a conflict", err)
	}
}

// A step past the zone's edge is outside it, as the edge itself is inside.
func TestSightingJustPastTheZoneEdgeIsOutside(t *testing.T) {
	w := newVendorWorld(t)
	v := w.register("边界")
	past := w.marketEdge()
	past[0] -= 0.000001 // about 10 cm west
	if s := w.see(w.asLane, v.ID, past, monday); !s.Outside || s.InZone || s.IncidentID == 0 {
		t.Fatalf("just past the edge: %+v, want outside its zone", s)
	}
}

// A voided sighting stays on record but no longer counts: two outside and a void one before a third
// make no repeat offender; only the street chief voids, with a reason, once.
func TestVoidedSightingDoesNotCountTowardsARepeatOffender(t *testing.T) {
	w := newVendorWorld(t)
	ctx := context.Background()
	v := w.register("误录")
	start := monday.Add(-5 * 24 * time.Hour)
	first := w.see(w.asLane, v.ID, w.inA(), start)
	w.see(w.asLane, v.ID, w.inA(), start.Add(24*time.Hour))
	if _, err := w.v.VoidSighting(ctx, w.asLane, first.ID, "认错了人"); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("a lane chief voiding: %v, want forbidden", err)
	}
	if _, err := w.v.VoidSighting(ctx, w.asStreet, first.ID, " "); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a void without a reason: %v, want invalid", err)
	}
	got, err := w.v.VoidSighting(ctx, w.asStreet, first.ID, "认错了人")
	if err != nil || !got.Void || got.VoidReason != "认错了人" {
		t.Fatalf("void: %+v %v", got, err)
	}
	if _, err := w.v.VoidSighting(ctx, w.asStreet, first.ID, "again"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("voiding twice: %v, want a conflict", err)
	}
	if third := w.see(w.asLane, v.ID, w.inA(), start.Add(48*time.Hour)); third.RepeatOffender {
		t.Fatalf("third sighting with one voided %+v: a repeat offender", third)
	}
	if list, err := w.v.ListSightings(ctx, w.asStreet, merchants.SightingFilter{VendorID: v.ID}); err != nil || len(list) != 2 {
		t.Fatalf("sightings listed %d %v, want the two that stand", len(list), err)
	}
}
