package incidents_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
)

func trendOf(t *testing.T, w *world, interval, from, to, by string, f incidents.KPIFilter) incidents.KPITrend {
	t.Helper()
	r, err := incidents.ParseTrend(interval, from, to, by, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tr, err := w.svc.Trend(context.Background(), w.asStreet, r, f)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// points renders a series as "start opened/closed/overdue" per bucket.
func points(s incidents.TrendSeries) string {
	out := ""
	for _, p := range s.Points {
		out += fmt.Sprintf("%s %d/%d/%d; ", p.Start, p.Opened, p.Closed, p.Overdue)
	}
	return out
}

// TestKPITrendCountsTheFixture counts the hand-counted district's trend (see kpiFixture): cases
// opened, closed (their last closure, not reopened since) and gone overdue per bucket.
func TestKPITrendCountsTheFixture(t *testing.T) {
	w := newWorld(t)
	w.kpiFixture()
	tr := trendOf(t, w, "week", "2024-10-28", "2024-11-10", "community", incidents.KPIFilter{})
	// By name in Unicode order: 乙 (U+4E59) before 甲 (U+7532).
	if len(tr.Series) != 2 || tr.Series[0].Name != "乙社区" || tr.Series[1].Name != "甲社区" || tr.Series[1].Key != itoa(w.comA.ID) {
		t.Fatalf("series = %+v, want B then A", tr.Series)
	}
	// A: case 1 opened and closed in the first week; cases 2, 3 and 8 opened in the second, 2 went
	// overdue and closed there, 3 closed the week after, 8 was reopened. B: opened 3 Nov, closed 4 Nov.
	for i, want := range []string{"2024-10-28 1/0/0; 2024-11-04 0/1/0; ", "2024-10-28 1/1/0; 2024-11-04 3/1/1; "} {
		if got := points(tr.Series[i]); got != want {
			t.Errorf("%s: %s\nwant %s", tr.Series[i].Name, got, want)
		}
	}
	month := trendOf(t, w, "month", "2024-10-01", "2024-11-30", "subdistrict", incidents.KPIFilter{})
	if len(month.Series) != 1 || month.Series[0].Key != itoa(w.sub.ID) || month.Series[0].Name != "街道" {
		t.Fatalf("series = %+v, want the subdistrict", month.Series)
	}
	// October: 4 opened, A and B closed one each, B's went overdue. November: 9 opened (the case of
	// 1 Dec 00:00 is December's), 4 closed (the one closed at 1 Dec 00:00 is not, nor the reopened
	// one), 2 went overdue.
	if got, want := points(month.Series[0]), "2024-10-01 4/2/1; 2024-11-01 9/4/2; "; got != want {
		t.Errorf("by month: %s\nwant %s", got, want)
	}
	district := trendOf(t, w, "day", "2024-11-01", "2024-11-03", "", incidents.KPIFilter{CommunityID: w.comB.ID})
	if len(district.Series) != 1 || district.Series[0].Key != "district" || district.By != "district" {
		t.Fatalf("series = %+v, want the district's", district.Series)
	}
	if got, want := points(district.Series[0]), "2024-11-01 0/0/0; 2024-11-02 0/0/0; 2024-11-03 1/0/0; "; got != want {
		t.Errorf("B by day: %s\nwant %s", got, want)
	}
	empty := trendOf(t, w, "month", "2019-01-01", "2019-02-01", "community", incidents.KPIFilter{})
	if len(empty.Series) != 0 {
		t.Errorf("a span with no cases has series %+v", empty.Series)
	}
}

func TestParseTrend(t *testing.T) {
	now := time.Date(2026, 12, 6, 23, 0, 0, 0, time.UTC) // Monday 7 December in Beijing
	r, err := incidents.ParseTrend("", "", "", "", now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Interval != "week" || r.By != "district" || len(r.Buckets) != 12 || r.From.Format(time.DateOnly) != "2026-09-21" ||
		r.To.Format(time.DateOnly) != "2026-12-07" || r.End.Format(time.DateOnly) != "2026-12-14" {
		t.Errorf("defaults: %s %s from %s to %s, %d buckets up to %s", r.Interval, r.By, r.From, r.To, len(r.Buckets), r.End)
	}
	r, err = incidents.ParseTrend("month", "2026-01-15", "2026-03-02", "community", now)
	if err != nil || len(r.Buckets) != 3 || r.Start.Format(time.DateOnly) != "2026-01-01" {
		t.Errorf("months: %+v %v", r, err)
	}
	if _, err := incidents.ParseTrend("day", "2025-01-01", "2026-02-04", "", now); err != nil {
		t.Errorf("400 days: %v", err)
	}
	for _, c := range []struct {
		interval, from, to, by string
		want                   apperr.Code
	}{
		{"hour", "", "", "", apperr.Invalid},
		{"day", "2026-12-02", "2026-12-01", "", apperr.Invalid},
		{"day", "2025-01-01", "2026-02-05", "", apperr.Invalid},
		{"week", "2026-1-01", "", "", apperr.Malformed},
		{"week", "", "2026-13-01", "", apperr.Malformed},
		{"week", "", "", "area", apperr.Invalid},
	} {
		if _, err := incidents.ParseTrend(c.interval, c.from, c.to, c.by, now); apperr.CodeOf(err) != c.want {
			t.Errorf("%+v: %v, want %s", c, err, c.want)
		}
	}
}

// TestKPIDrillDown narrows the league table to one unit; a unit outside the caller's territory is
// refused, one that is no such unit is not found.
func TestKPIDrillDown(t *testing.T) {
	w := newWorld(t)
	w.kpiFixture()
	ctx := context.Background()
	rep, err := w.svc.KPIs(ctx, w.asStreet, incidents.ByCommunity, november(t), incidents.KPIFilter{CommunityID: w.comB.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 1 || rep.Rows[0].ID != w.comB.ID || rep.Total.Cases != 2 || rep.Total.OverdueNow != 0 {
		t.Errorf("community B: rows %+v, total %d cases", rep.Rows, rep.Total.Cases)
	}
	rep, err = w.svc.KPIs(ctx, w.asLane, incidents.ByCommunity, november(t), incidents.KPIFilter{SubdistrictID: w.sub.ID})
	if err != nil || len(rep.Rows) != 1 || rep.Total.Cases != 7 {
		t.Errorf("the lane chief of A narrowed to their subdistrict: %+v %v", rep.Rows, err)
	}
	for name, c := range map[string]struct {
		f    incidents.KPIFilter
		want apperr.Code
	}{
		"B for the lane chief of A":  {incidents.KPIFilter{CommunityID: w.comB.ID}, apperr.Forbidden},
		"a community as subdistrict": {incidents.KPIFilter{SubdistrictID: w.comA.ID}, apperr.NotFound},
		"no such community":          {incidents.KPIFilter{CommunityID: 1 << 40}, apperr.NotFound},
	} {
		if _, err := w.svc.KPIs(ctx, w.asLane, incidents.ByCommunity, november(t), c.f); apperr.CodeOf(err) != c.want {
			t.Errorf("%s: %v, want %s", name, err, c.want)
		}
		if _, err := w.svc.Trend(ctx, w.asLane, incidents.TrendRange{Interval: "week", By: "community"}, c.f); apperr.CodeOf(err) != c.want {
			t.Errorf("trend, %s: %v, want %s", name, err, c.want)
		}
		err := w.svc.WriteCasesCSV(ctx, w.asLane, november(t), c.f, nil, func() { t.Errorf("%s: the export began", name) })
		if apperr.CodeOf(err) != c.want {
			t.Errorf("export, %s: %v, want %s", name, err, c.want)
		}
	}
	other := newWorld(t)
	if _, err := w.svc.KPIs(ctx, w.asStreet, incidents.ByArea, november(t), incidents.KPIFilter{SubdistrictID: other.sub.ID}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("another subdistrict for the street chief: %v, want forbidden", err)
	}
}
