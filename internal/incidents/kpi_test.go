package incidents_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
)

// bj is a moment of Beijing time in 2024, far from the cases other tests report now.
func bj(month time.Month, day, hour int) time.Time {
	return time.Date(2024, month, day, hour, 0, 0, 0, incidents.Beijing)
}

// kpiCase inserts a case with its events straight into the tables, so that its timestamps are the
// ones the figures are hand-counted from. Each step is "status@time"; "overdue" is the escalation
// job's marker of a passed due time.
type step struct {
	to string
	at time.Time
}

func (w *world) kpiCase(community int64, status string, overdue bool, due *time.Time, steps ...step) int64 {
	w.t.Helper()
	ctx := context.Background()
	pool := dbtest.Pool(w.t)
	var id int64
	if err := pool.QueryRow(ctx, `INSERT INTO incident (category, status, location, subdistrict_id, community_id, overdue, due_at, reported_at)
		VALUES ('random_piling', $1, ST_SetSRID(ST_MakePoint($2, 30.001), 4326), $3, $4, $5, $6, $7) RETURNING id`,
		status, w.x0+0.001, w.sub.ID, community, overdue, due, steps[0].at).Scan(&id); err != nil {
		w.t.Fatal(err)
	}
	from := ""
	for i, s := range steps {
		kind, fromSt, to := "transition", any(from), any(s.to)
		switch {
		case i == 0:
			kind, fromSt = "reported", nil
		case s.to == "overdue":
			kind, fromSt, to = "overdue", nil, nil
		}
		if _, err := pool.Exec(ctx, `INSERT INTO incident_event (incident_id, at, kind, from_status, to_status, actor)
			VALUES ($1, $2, $3, $4, $5, 'fixture')`, id, s.at, kind, fromSt, to); err != nil {
			w.t.Fatal(err)
		}
		if s.to != "overdue" {
			from = s.to
		}
	}
	return id
}

// kpiFixture is the hand-counted district of TestKPIFigures: see the comments for what each case is.
type kpiFixture struct{ c3 int64 }

func (w *world) kpiFixture() kpiFixture {
	A, B := w.comA.ID, w.comB.ID
	past := bj(11, 21, 0)
	var f kpiFixture
	// November, community A.
	w.kpiCase(A, "closed", false, nil, step{"reported", bj(11, 2, 10)}, step{"assigned", bj(11, 2, 11)},
		step{"in_progress", bj(11, 2, 12)}, step{"resolved", bj(11, 3, 10)}, step{"closed", bj(11, 3, 12)}) // on time, 26 h
	w.kpiCase(A, "closed", true, nil, step{"reported", bj(11, 5, 9)}, step{"overdue", bj(11, 6, 9)},
		step{"closed", bj(11, 10, 9)}) // late, 5 days
	f.c3 = w.kpiCase(A, "closed", false, nil, step{"reported", bj(11, 8, 10)}, step{"resolved", bj(11, 9, 10)},
		step{"reopened", bj(11, 10, 10)}, step{"resolved", bj(11, 11, 10)}, step{"closed", bj(11, 12, 10)}) // rework, on time, 4 days
	w.kpiCase(A, "assigned", true, &past, step{"reported", bj(11, 20, 10)}, step{"assigned", bj(11, 20, 11)},
		step{"overdue", bj(11, 21, 0)}) // open and overdue now
	w.kpiCase(A, "rejected", false, nil, step{"reported", bj(11, 15, 10)}, step{"rejected", bj(11, 16, 10)}) // excluded
	w.kpiCase(A, "closed", false, nil, step{"reported", bj(11, 30, 23)}, step{"resolved", bj(11, 30, 23).Add(30 * time.Minute)},
		step{"closed", bj(12, 1, 0)}) // closed exactly at the period's end: not closed in November
	w.kpiCase(A, "reported", false, nil, step{"reported", bj(12, 1, 0)}) // reported exactly at the end: December's
	w.kpiCase(A, "reopened", false, nil, step{"reported", bj(11, 10, 10)}, step{"closed", bj(11, 11, 10)},
		step{"reopened", bj(11, 12, 10)}) // rework from closed, open at the end
	// November, community B.
	w.kpiCase(B, "closed", false, nil, step{"reported", bj(11, 3, 10)}, step{"closed", bj(11, 4, 10)})
	w.kpiCase(B, "assigned", false, nil, step{"reported", bj(11, 25, 10)}, step{"assigned", bj(11, 25, 11)})
	// October: A closes 1 of 3 on time; B closes its one case late.
	w.kpiCase(A, "closed", false, nil, step{"reported", bj(10, 10, 10)}, step{"closed", bj(10, 11, 10)})
	w.kpiCase(A, "assigned", false, nil, step{"reported", bj(10, 12, 10)}, step{"assigned", bj(10, 12, 11)})
	w.kpiCase(A, "reported", false, nil, step{"reported", bj(10, 13, 10)})
	w.kpiCase(B, "closed", true, nil, step{"reported", bj(10, 10, 10)}, step{"overdue", bj(10, 11, 10)}, step{"closed", bj(10, 12, 10)})
	return f
}

func november(t *testing.T) incidents.Period {
	t.Helper()
	p, err := incidents.ParsePeriod("month", "2024-11", "", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestKPIFigures(t *testing.T) {
	w := newWorld(t)
	w.kpiFixture()
	rep, err := w.svc.KPIs(context.Background(), w.asStreet, incidents.ByCommunity, november(t), incidents.KPIFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 2 {
		t.Fatalf("rows = %+v, want communities A and B", rep.Rows)
	}
	// Equal 结案率 (1/2 and 3/6): B leads on 按期结案率 (1/2 against 2/6).
	b, a := rep.Rows[0], rep.Rows[1]
	if b.ID != w.comB.ID || a.ID != w.comA.ID || b.Rank != 1 || a.Rank != 2 {
		t.Fatalf("league order = %d (rank %d), %d (rank %d); want B then A", b.ID, b.Rank, a.ID, a.Rank)
	}
	if a.Name != "甲社区" || b.Name != "乙社区" {
		t.Errorf("names = %q, %q", a.Name, b.Name)
	}
	want := incidents.KPIFigures{Cases: 7, Excluded: 1, Due: 6, Closed: 3, OnTime: 2, Handled: 5, Reworked: 2, ReworkTransitions: 2}
	got := a.KPIFigures
	got.ClosureRate, got.OnTimeRate, got.ReworkRate, got.MedianCloseSec, got.P90CloseSec = incidents.Ratio{}, incidents.Ratio{}, incidents.Ratio{}, nil, nil
	if got != want {
		t.Errorf("community A counts = %+v\nwant %+v", got, want)
	}
	for name, c := range map[string]struct {
		got       incidents.Ratio
		num, den  int64
		rate, pct string
	}{
		"结案率":   {a.ClosureRate, 3, 6, "0.5000", "50.00"},
		"按期结案率": {a.OnTimeRate, 2, 6, "0.3333", "33.33"},
		"返工率":   {a.ReworkRate, 2, 5, "0.4000", "40.00"},
	} {
		if c.got.Numerator != c.num || c.got.Denominator != c.den || c.got.Rate != c.rate || c.got.Percent != c.pct {
			t.Errorf("%s = %+v, want %d/%d = %s (%s%%)", name, c.got, c.num, c.den, c.rate, c.pct)
		}
	}
	// Closures took 26 h, 4 days and 5 days.
	if a.MedianCloseSec == nil || *a.MedianCloseSec != 345600 || a.P90CloseSec == nil || *a.P90CloseSec != 414720 {
		t.Errorf("median, p90 = %v, %v; want 345600, 414720", deref(a.MedianCloseSec), deref(a.P90CloseSec))
	}
	if a.OverdueNow != 1 || b.OverdueNow != 0 {
		t.Errorf("overdue now = %d, %d; want 1, 0", a.OverdueNow, b.OverdueNow)
	}
	// Against October: A 1/3 → 3/6 closed, 1/3 → 2/6 on time; B 1/1 → 1/2 closed, 0/1 → 1/2 on time.
	for _, c := range []struct {
		name      string
		got, want string
	}{
		{"A closure", a.ClosureMove.Arrow, "↑"}, {"A on time", a.OnTimeMove.Arrow, "→"},
		{"B closure", b.ClosureMove.Arrow, "↓"}, {"B on time", b.OnTimeMove.Arrow, "↑"},
	} {
		if c.got != c.want {
			t.Errorf("%s trend = %q, want %q", c.name, c.got, c.want)
		}
	}
	if rep.Previous.Label != "2024-10" || a.Previous.ClosureRate.Rate != "0.3333" {
		t.Errorf("previous = %s, A then %+v", rep.Previous.Label, a.Previous.ClosureRate)
	}
	tot := rep.Total
	if tot.Cases != 9 || tot.Due != 8 || tot.Closed != 4 || tot.OnTime != 3 || tot.Handled != 6 || tot.Reworked != 2 || tot.OverdueNow != 1 {
		t.Errorf("total = %+v", tot.KPIFigures)
	}
}

func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

func TestKPIScope(t *testing.T) {
	w := newWorld(t)
	w.kpiFixture()
	ctx := context.Background()
	lane, err := w.svc.KPIs(ctx, w.asLane, incidents.ByCommunity, november(t), incidents.KPIFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lane.Rows) != 1 || lane.Rows[0].ID != w.comA.ID || lane.Total.Cases != 7 {
		t.Errorf("a lane chief of A sees %+v (total %d cases); want A alone, 7 cases", lane.Rows, lane.Total.Cases)
	}
	leader, err := w.svc.KPIs(ctx, w.asLeader, incidents.BySubdistrict, november(t), incidents.KPIFilter{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range leader.Rows {
		if r.ID == w.sub.ID {
			found = r.Cases == 9
		}
	}
	if !found {
		t.Errorf("the district leader's table %+v lacks the subdistrict with its 9 cases", leader.Rows)
	}
	for _, who := range []access.Principal{w.asLiaison, w.asManager, access.Anonymous("t")} {
		if _, err := w.svc.KPIs(ctx, who, incidents.ByCommunity, november(t), incidents.KPIFilter{}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("%s: err = %v, want forbidden", who.Role, err)
		}
	}
}

func TestKPIExport(t *testing.T) {
	w := newWorld(t)
	f := w.kpiFixture()
	ctx := context.Background()
	var buf bytes.Buffer
	if err := w.svc.WriteCasesCSV(ctx, w.asStreet, november(t), incidents.KPIFilter{}, &buf, func() {}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+9 {
		t.Fatalf("%d CSV lines, want a header and 9 cases", len(recs))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	var c3 []string
	for _, r := range recs[1:] {
		if r[0] == itoa(f.c3) {
			c3 = r
		}
	}
	if c3 == nil {
		t.Fatal("the reworked case is missing")
	}
	for name, want := range map[string]string{"reported_at": "2024-11-08T10:00:00+08:00", "resolved_at": "2024-11-11T10:00:00+08:00",
		"closed_at": "2024-11-12T10:00:00+08:00", "reopened_at": "2024-11-10T10:00:00+08:00", "reworks": "1", "assigned_at": ""} {
		if got := c3[col[name]]; got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}

	buf.Reset()
	if err := w.svc.WriteCasesXLSX(ctx, w.asStreet, november(t), incidents.KPIFilter{}, &buf); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows("案件")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 10 || rows[0][col["closed_at"]] != "closed_at" {
		t.Fatalf("xlsx rows = %d, header %v", len(rows), rows[0])
	}

	rep, err := w.svc.KPIs(ctx, w.asStreet, incidents.ByCommunity, november(t), incidents.KPIFilter{})
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := rep.WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	if x, err = excelize.OpenReader(&buf); err != nil {
		t.Fatal(err)
	}
	league, err := x.GetRows("考核指标")
	if err != nil {
		t.Fatal(err)
	}
	// header, B, A, total; A's 结案率 is a number cell.
	if len(league) != 4 || league[2][2] != "甲社区" || league[2][11] != "0.5" {
		t.Errorf("league sheet = %v", league)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestParsePeriod(t *testing.T) {
	now := time.Date(2026, 11, 15, 3, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		kind, at, from, to string
		wantFrom, wantTo   string
	}{
		{"month", "2026-11", "", "", "2026-11-01T00:00:00+08:00", "2026-12-01T00:00:00+08:00"},
		{"", "", "", "", "2026-11-01T00:00:00+08:00", "2026-12-01T00:00:00+08:00"},
		{"quarter", "2026-Q4", "", "", "2026-10-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00"},
		{"week", "2026-W01", "", "", "2025-12-29T00:00:00+08:00", "2026-01-05T00:00:00+08:00"},
		{"week", "", "", "", "2026-11-09T00:00:00+08:00", "2026-11-16T00:00:00+08:00"},
		{"day", "2026-11-05", "", "", "2026-11-05T00:00:00+08:00", "2026-11-06T00:00:00+08:00"},
		{"year", "2024", "", "", "2024-01-01T00:00:00+08:00", "2025-01-01T00:00:00+08:00"},
		{"", "", "2026-11-01", "2026-11-30", "2026-11-01T00:00:00+08:00", "2026-12-01T00:00:00+08:00"},
	} {
		p, err := incidents.ParsePeriod(c.kind, c.at, c.from, c.to, now)
		if err != nil {
			t.Errorf("%+v: %v", c, err)
			continue
		}
		if got := p.From.Format(time.RFC3339) + " " + p.To.Format(time.RFC3339); got != c.wantFrom+" "+c.wantTo {
			t.Errorf("%+v: [%s), want [%s %s)", c, got, c.wantFrom, c.wantTo)
		}
	}
	p, _ := incidents.ParsePeriod("", "", "2026-11-01", "2026-11-10", now)
	if prev := p.Previous(); prev.Label != "2026-10-22/2026-10-31" {
		t.Errorf("previous of a 10-day period = %s", prev.Label)
	}
	for _, c := range [][4]string{
		{"month", "2026-13", "", ""}, {"fortnight", "", "", ""}, {"week", "2026-W54", "", ""}, {"quarter", "2026-Q5", "", ""},
		{"", "", "2026-11-30", "2026-11-01"}, {"", "", "2023-01-01", "2026-01-01"}, {"", "", "2026-11-01", ""},
		{"month", "2026-11", "2026-11-01", "2026-11-30"}, {"custom", "2026-11", "", ""}, {"", "", "2026-11-1", "2026-11-30"},
	} {
		_, err := incidents.ParsePeriod(c[0], c[1], c[2], c[3], now)
		var ae *apperr.Error
		if !errors.As(err, &ae) || (ae.Code != apperr.Invalid && ae.Code != apperr.Malformed) {
			t.Errorf("%q: err = %v, want invalid or malformed", c, err)
		}
	}
	if _, err := incidents.ParseKPIBy("street"); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("by=street: %v", err)
	}
}

// The KPI query decides a case's end state from its last closure, rejection and reopening alone; that
// is right only while closed, rejected and duplicate are left by reopening and nothing else.
func TestKPIEndStatesLeftOnlyByReopening(t *testing.T) {
	for _, st := range []incidents.Status{incidents.Closed, incidents.Rejected, incidents.Duplicate} {
		if next := incidents.Next[st]; len(next) != 1 || next[0] != incidents.Reopened {
			t.Errorf("%s may go to %v; the KPI query (kpiCasesSQL) assumes only reopened", st, next)
		}
	}
}

// By department a case joined by two departments counts for each, and once in the totals.
func TestKPIByDepartment(t *testing.T) {
	w := newWorld(t)
	f := w.kpiFixture()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	var urban, traffic int64
	if err := pool.QueryRow(ctx, `SELECT (SELECT id FROM department WHERE code = 'urban_management'),
		(SELECT id FROM department WHERE code = 'traffic_police')`).Scan(&urban, &traffic); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE incident SET department_ids = $2 WHERE id = $1`, f.c3, []int64{urban, traffic}); err != nil {
		t.Fatal(err)
	}
	rep, err := w.svc.KPIs(ctx, w.asStreet, incidents.ByDepartment, november(t), incidents.KPIFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 2 || rep.Rows[0].Cases != 1 || rep.Rows[1].Cases != 1 || rep.Rows[0].Name == "" {
		t.Errorf("department rows = %+v, want urban management and traffic police with the one case each", rep.Rows)
	}
	if rep.Total.Cases != 9 {
		t.Errorf("total = %d cases, want the district's 9", rep.Total.Cases)
	}
}
