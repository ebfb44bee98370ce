package merchants_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
	"streetchief/internal/merchants"
)

// coverageFixture is a world whose coverage on day D (the Wednesday of last week) was counted by
// hand: community A has shops a1..a4, B has b1, b2 and a shop closed before D.
type coverageFixture struct {
	*iworld
	d                      time.Time
	a1, a2, a3, a4, b1, b2 int64
}

func newCoverageFixture(t *testing.T) *coverageFixture {
	w := newIWorld(t)
	now := time.Now().In(incidents.Beijing)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, incidents.Beijing)
	monday := today.AddDate(0, 0, -((int(today.Weekday())+6)%7)-7)
	f := &coverageFixture{iworld: w, d: monday.AddDate(0, 0, 2)}
	day := func(offset int) string { return f.d.AddDate(0, 0, offset).Format(time.DateOnly) }
	f.a1 = w.shop("a1", w.inA(0), w.insp.ID)
	f.a2 = w.shop("a2", w.inA(0.0003), w.insp.ID)
	f.a3 = w.shop("a3", w.inA(0.0006), w.insp2.ID)
	f.a4 = w.shop("a4", w.inA(0.0009), 0)
	f.b1 = w.shop("b1", w.inB(0), w.insp2.ID)
	f.b2 = w.shop("b2", w.inB(0.0003), 0)
	closed := w.shop("closed", w.inB(0.0006), w.insp2.ID)
	if _, err := dbtest.Pool(t).Exec(context.Background(), `UPDATE merchant SET status = 'closed', status_since = $2::date WHERE id = $1`, closed, day(-5)); err != nil {
		t.Fatal(err)
	}
	w.pledge(f.a1, day(-10), day(100))
	w.pledge(f.a2, day(-10), day(100))
	w.pledge(f.a3, day(-100), day(0)) // expired the day before D
	w.pledge(f.b1, day(-10), day(100))
	w.pledge(closed, day(-10), day(100))
	at := func(offset, hour int) time.Time {
		return f.d.AddDate(0, 0, offset).Add(time.Duration(hour) * time.Hour)
	}
	on := func(shop int64, p [2]float64, offset, hour int, violation string, off bool) visit {
		v := visit{shop: shop, at: at(offset, hour), p: p, accuracy: 5, violation: violation}
		if off {
			v.p = east(p, 200)
		}
		return v
	}
	w.mustInspect(w.asInsp, on(f.a1, w.inA(0), 0, 9, "", false))
	w.mustInspect(w.asInsp, on(f.a1, w.inA(0), 0, 17, "", false))
	w.mustInspect(w.asInsp, on(f.a1, w.inA(0), -1, 9, "street_occupying", false))
	w.mustInspect(w.asInsp, on(f.a2, w.inA(0.0003), -1, 10, "sanitation", true))
	w.mustInspect(w.asInsp2, on(f.a3, w.inA(0.0006), -3, 10, "", false)) // the Sunday before: last week
	w.mustInspect(w.asInsp2, on(f.b1, w.inB(0), 0, 11, "", true))
	void := w.mustInspect(w.asLane, on(f.a4, w.inA(0.0009), 0, 12, "", false))
	if _, err := w.store.VoidInspection(context.Background(), w.asLane, void.ID, "误录"); err != nil {
		t.Fatal(err)
	}
	return f
}

func rowsByName(c merchants.Coverage) map[string]merchants.CoverageRow {
	out := map[string]merchants.CoverageRow{"total": c.Total}
	for _, r := range c.Rows {
		out[r.Name] = r
	}
	return out
}

func TestCoverageAgainstAHandCountedFixture(t *testing.T) {
	f := newCoverageFixture(t)
	ctx := context.Background()
	period := func(kind string) merchants.CoveragePeriod {
		p, err := merchants.ParseCoveragePeriod(kind, f.d.Format(time.DateOnly), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	day, err := f.store.Coverage(ctx, f.asStreet, merchants.ByCommunity, period("day"))
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		shops, pledged, inspector, dayN, week, period, inspections, violations, off int
		pledgedPct, inspectorPct, dayPct, weekPct, offShare                         float64
	}
	check := func(t *testing.T, name string, r merchants.CoverageRow, w want) {
		t.Helper()
		got := want{r.Shops, r.Pledged, r.WithInspector, r.InspectedDay, r.InspectedWeek, r.InspectedPeriod, r.Inspections, r.Violations, r.OffSite,
			r.PledgedPct, r.WithInspectorPct, r.InspectedDayPct, r.InspectedWeekPct, r.OffSiteShare}
		if got != w {
			t.Errorf("%s:\n got  %+v\n want %+v", name, got, w)
		}
	}
	rows := rowsByName(day)
	check(t, "甲社区, day", rows["甲社区"], want{4, 2, 3, 1, 2, 1, 2, 0, 0, 50, 75, 25, 50, 0})
	check(t, "乙社区, day", rows["乙社区"], want{2, 1, 1, 1, 1, 1, 1, 0, 1, 50, 50, 50, 50, 100})
	check(t, "total, day", rows["total"], want{6, 3, 4, 2, 3, 2, 3, 0, 1, 50, 66.7, 33.3, 50, 33.3})

	week, err := f.store.Coverage(ctx, f.asStreet, merchants.ByCommunity, period("week"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "total, week", rowsByName(week)["total"], want{6, 3, 4, 2, 3, 3, 5, 2, 2, 50, 66.7, 33.3, 50, 40})

	byInspector, err := f.store.Coverage(ctx, f.asStreet, merchants.ByInspector, period("day"))
	if err != nil {
		t.Fatal(err)
	}
	rows = rowsByName(byInspector)
	check(t, "督查员甲", rows["督查员甲"], want{2, 2, 2, 1, 2, 1, 2, 0, 0, 100, 100, 50, 100, 0})
	check(t, "督查员乙", rows["督查员乙"], want{2, 1, 2, 1, 1, 1, 1, 0, 1, 50, 100, 50, 50, 100})
	check(t, "nobody", rows["(无督查员)"], want{2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})

	// The lane chief of A sees A only; the inspector their own shops.
	lane, err := f.store.Coverage(ctx, f.asLane, merchants.BySubdistrict, period("day"))
	if err != nil || len(lane.Rows) != 1 || lane.Total.Shops != 4 {
		t.Fatalf("lane chief's coverage: %+v %v", lane, err)
	}
	insp, err := f.store.Coverage(ctx, f.asInsp, merchants.ByCommunity, period("day"))
	if err != nil || insp.Total.Shops != 2 {
		t.Fatalf("inspector's coverage: %+v %v", insp.Total, err)
	}

	var buf bytes.Buffer
	if err := day.WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := x.GetCellValue("门前三包覆盖", "B4"); v != "6" {
		t.Fatalf("XLSX total shops %q, want 6", v)
	}
}

func TestCalendarHeatPerCommunityPerDay(t *testing.T) {
	f := newCoverageFixture(t)
	p, err := merchants.ParseCoveragePeriod("week", f.d.Format(time.DateOnly), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cal, err := f.store.Calendar(context.Background(), f.asStreet, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(cal.Days) != 7 || len(cal.Rows) != 2 {
		t.Fatalf("calendar of %d days and %d communities, want 7 and 2", len(cal.Days), len(cal.Rows))
	}
	a := cal.Rows[0]
	if a.Name != "甲社区" {
		a = cal.Rows[1]
	}
	// Monday, Tuesday (a1, a2), Wednesday D (a1 twice; a4's voided one counts for nothing).
	if a.Name != "甲社区" || a.Shops != 4 || a.Inspected[1] != 2 || a.Inspected[2] != 1 || a.Inspections[2] != 2 || a.Inspected[0] != 0 {
		t.Fatalf("甲社区's week: %+v", a)
	}
}
