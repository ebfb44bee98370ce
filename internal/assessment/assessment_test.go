package assessment

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/fieldproof"
	"streetchief/internal/funds"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/merchants"
	"streetchief/internal/notify"
	"streetchief/internal/patrols"
	"streetchief/internal/policy"
	"streetchief/internal/registry"
	"streetchief/internal/reports"
	"streetchief/internal/tasks"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var system = access.System("test")

// district is three subdistricts, A, B and C, assessed on one-item sheets, so that a mark is a score.
type district struct {
	svc     *Service
	a, b, c int64
}

func newDistrict(t *testing.T) district {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.Own(t) // the assessment ranks every subdistrict in the database
	store := registry.NewStore(pool)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	sq := func(x, w float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, 30}, {x + w, 30}, {x + w, 30.3}, {x, 30.3}, {x, 30}}}}
	}
	city, err := store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "city", Code: "t-c", Name: "城", Boundary: sq(100, 0.3)})
	must(err)
	dist, err := store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "district", ParentID: city.ID, Code: "t-d", Name: "区", Boundary: sq(100, 0.3)})
	must(err)
	var ids []int64
	for i, name := range []string{"甲街道", "乙街道", "丙街道"} {
		u, err := store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "subdistrict", ParentID: dist.ID,
			Code: fmt.Sprintf("t-s%d", i), Name: name, Boundary: sq(100+0.1*float64(i), 0.1)})
		must(err)
		ids = append(ids, u.ID)
	}
	engine := lookup.New(store)
	must(engine.Load(ctx))
	inc := incidents.NewService(pool, engine, incidents.Options{})
	svc := NewService(pool, Sources{Incidents: inc, Merchants: merchants.NewStore(pool, store, inc, nil, merchants.Rules{}), Reports: reports.NewService(pool),
		Tasks: tasks.NewService(pool, nil), Patrols: patrols.NewStore(pool, fieldproof.DefaultRules().Patrol, patrols.Options{Incidents: inc})}, policy.DefaultRules())
	svc.now = func() time.Time { return time.Date(2025, 8, 1, 9, 0, 0, 0, incidents.Beijing) }
	share := policy.Score(6000)
	for _, sh := range []Sheet{
		{Kind: Month, Name: "月考", EffectiveFrom: "2025-01-01", Items: []Item{{Code: "check", NameZH: "检查", NameEN: "check", MaxPoints: 10000, Source: Entered}}},
		{Kind: Quarter, Name: "季考", EffectiveFrom: "2025-01-01", QuarterShare: &share, Items: []Item{{Code: "check", NameZH: "检查", NameEN: "check", MaxPoints: 10000, Source: Entered}}},
	} {
		if _, err := svc.CreateSheet(ctx, system, sh); err != nil {
			t.Fatal(err)
		}
	}
	return district{svc: svc, a: ids[0], b: ids[1], c: ids[2]}
}

func periodOf(t *testing.T, kind Kind, label string) Period {
	t.Helper()
	p, err := ParsePeriod(string(kind), label)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// assess marks and publishes p with scores for A, B and C.
func (d district) assess(t *testing.T, p Period, a, b, c policy.Score) Result {
	t.Helper()
	ctx := context.Background()
	for sub, v := range map[int64]policy.Score{d.a: a, d.b: b, d.c: c} {
		if _, err := d.svc.RecordMark(ctx, system, p, MarkInput{SubdistrictID: sub, ItemCode: "check", Points: v}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := d.svc.Publish(ctx, system, p)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (d district) balance(t *testing.T, sub int64) funds.Amount {
	t.Helper()
	b, err := funds.NewService(d.svc.db).Balances(context.Background(), system, 2025, sub)
	if err != nil {
		t.Fatal(err)
	}
	var sum funds.Amount
	for _, r := range b.Rows {
		if r.SubdistrictID == sub {
			sum += r.Balance
		}
	}
	return sum
}

func outcomesOf(res Result, sub int64) []string {
	var out []string
	for _, r := range res.Rows {
		if r.SubdistrictID == sub {
			for _, o := range r.Outcomes {
				if o.Kind != policy.KindNote {
					out = append(out, fmt.Sprintf("%s %d", o.Kind, o.Yuan))
				}
			}
		}
	}
	return out
}

// One district walks a whole quarter: its months, the quarter's own inspection, publication with the
// rules' outcomes booked 5:5, then an amendment that lifts C to exactly 70 — no longer penalised — as a
// second revision, with the first kept and the ledger corrected by an entry.
func TestAQuarterIsPublishedByTheRulesAndAmendedByARevision(t *testing.T) {
	d := newDistrict(t)
	ctx := context.Background()
	for _, m := range []string{"2025-04", "2025-05", "2025-06"} {
		d.assess(t, periodOf(t, Month, m), 9000, 8500, 6999)
	}
	q := periodOf(t, Quarter, "2025-Q2")
	res := d.assess(t, q, 9000, 8500, 6999)
	score := map[int64]string{}
	for _, r := range res.Rows {
		score[r.SubdistrictID] = fmt.Sprint(r.Score, "#", r.Rank)
	}
	if want := (map[int64]string{d.a: "90.00#1", d.b: "85.00#2", d.c: "69.99#3"}); fmt.Sprint(score) != fmt.Sprint(want) {
		t.Fatalf("scores %v, want %v", score, want)
	}
	// 85.00 is not above 85: B gets nothing; C, last below 70, loses 200,000; B is second-to-last but not below 70.
	if got := fmt.Sprint(outcomesOf(res, d.a), outcomesOf(res, d.b), outcomesOf(res, d.c)); got != "[reward 500000] [] [penalty 200000]" {
		t.Fatalf("outcomes %s", got)
	}
	if a, c := d.balance(t, d.a), d.balance(t, d.c); a != 500_000_00 || c != -200_000_00 {
		t.Fatalf("balances A %s C %s, want 500000.00 and -200000.00", a, c)
	}

	if _, err := d.svc.Amend(ctx, system, q, []Change{{SubdistrictID: d.c, ItemCode: "check", Points: 7000}}, ""); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("an amendment without a reason: %v", err)
	}
	// C's quarter sheet 70.00 with months 69.99: 0.6×70 + 0.4×69.99 = 69.996 → 70.00, half up.
	amended, err := d.svc.Amend(ctx, system, q, []Change{{SubdistrictID: d.c, ItemCode: "check", Points: 7000}}, "复核更正")
	if err != nil {
		t.Fatal(err)
	}
	if amended.Revision != 2 || len(amended.Revisions) != 2 || amended.Revisions[1].Reason != "复核更正" {
		t.Fatalf("revision %d of %+v", amended.Revision, amended.Revisions)
	}
	if got := outcomesOf(amended, d.c); len(got) != 0 {
		t.Fatalf("C at 70.00 still has %v", got)
	}
	if c := d.balance(t, d.c); c != 0 {
		t.Fatalf("C's balance after the amendment %s, want 0 (penalty and its correction)", c)
	}
	first, err := d.svc.Result(ctx, system, q, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomesOf(first, d.c); fmt.Sprint(got) != "[penalty 200000]" {
		t.Fatalf("revision 1 no longer shows what it decided: %v", got)
	}
	for _, r := range amended.Rows {
		if r.SubdistrictID == d.c && (r.Score != 7000 || r.Lines[0].AmendedFrom == nil || *r.Lines[0].AmendedFrom != 6999) {
			t.Fatalf("C amended: score %s, line %+v", r.Score, r.Lines[0])
		}
	}
	if _, err := d.svc.db.Exec(ctx, `UPDATE assessment_result SET score = 99`); err == nil {
		t.Fatal("a published result was changed in place")
	}
	if _, err := d.svc.RecordMark(ctx, system, q, MarkInput{SubdistrictID: d.a, ItemCode: "check", Points: 100, Reason: "x"}); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("a mark on a published quarter: %v", err)
	}
}

// Publication waits for the period's end, every mark and, for a quarter, its three months; a refusal
// writes nothing.
func TestPublicationIsRefusedUntilEverythingIsThere(t *testing.T) {
	d := newDistrict(t)
	ctx := context.Background()
	count := func() (n int) {
		if err := d.svc.db.QueryRow(ctx, `SELECT count(*) FROM assessment_publication`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	if _, err := d.svc.Publish(ctx, system, periodOf(t, Month, "2025-08")); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("a month not over: %v", err)
	}
	m := periodOf(t, Month, "2025-01")
	if _, err := d.svc.RecordMark(ctx, system, m, MarkInput{SubdistrictID: d.a, ItemCode: "check", Points: 8000}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.Publish(ctx, system, m); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("two subdistricts unmarked: %v", err)
	}
	q := periodOf(t, Quarter, "2025-Q1")
	for _, sub := range []int64{d.a, d.b, d.c} {
		if _, err := d.svc.RecordMark(ctx, system, q, MarkInput{SubdistrictID: sub, ItemCode: "check", Points: 8000}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.svc.Publish(ctx, system, q); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("a quarter whose months are unpublished: %v", err)
	}
	if _, err := d.svc.RecordMark(ctx, system, m, MarkInput{SubdistrictID: d.b, ItemCode: "check", Points: 10001}); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("101 points of 100: %v", err)
	}
	if _, err := d.svc.RecordMark(ctx, system, m, MarkInput{SubdistrictID: d.a, ItemCode: "check", Points: 7000}); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("a second mark without a reason: %v", err)
	}
	lane := access.Principal{Role: access.StreetChief, Scope: access.Scope{Subdistricts: []int64{d.a}}}
	if _, err := d.svc.RecordMark(ctx, lane, m, MarkInput{SubdistrictID: d.a, ItemCode: "check", Points: 10000, Reason: "x"}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("a street chief marking their own subdistrict: %v", err)
	}
	if count() != before {
		t.Fatal("a refused publication wrote a publication")
	}
	draft, err := d.svc.Result(ctx, lane, m, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(draft.Rows) != 1 || draft.Rows[0].SubdistrictID != d.a {
		t.Fatalf("a street chief's draft shows %d rows", len(draft.Rows))
	}
}

// A sheet's points add up to exactly 100, and a new version cannot reach back over a period already
// being assessed.
func TestSheetsAreCheckedAndNeverRewriteAssessedPeriods(t *testing.T) {
	d := newDistrict(t)
	ctx := context.Background()
	if _, err := d.svc.RecordMark(ctx, system, periodOf(t, Month, "2025-03"), MarkInput{SubdistrictID: d.a, ItemCode: "check", Points: 8000}); err != nil {
		t.Fatal(err)
	}
	item := func(code string, pts policy.Score) Item {
		return Item{Code: code, NameZH: "项", NameEN: "item", MaxPoints: pts, Source: Entered}
	}
	for name, sh := range map[string]Sheet{
		"99.99 points":      {Kind: Month, Name: "新", EffectiveFrom: "2025-09-01", Items: []Item{item("a", 5000), item("b", 4999)}},
		"a code twice":      {Kind: Month, Name: "新", EffectiveFrom: "2025-09-01", Items: []Item{item("a", 5000), item("a", 5000)}},
		"unknown metric":    {Kind: Month, Name: "新", EffectiveFrom: "2025-09-01", Items: []Item{{Code: "x", NameZH: "x", NameEN: "x", MaxPoints: 10000, Source: Computed, Metric: "happiness", FullAt: "1", ZeroAt: "0"}}},
		"mid-month":         {Kind: Month, Name: "新", EffectiveFrom: "2025-09-02", Items: []Item{item("a", 10000)}},
		"over an assessed":  {Kind: Month, Name: "新", EffectiveFrom: "2025-03-01", Items: []Item{item("a", 10000)}},
		"quarter, no share": {Kind: Quarter, Name: "新", EffectiveFrom: "2025-10-01", Items: []Item{item("a", 10000)}},
	} {
		if _, err := d.svc.CreateSheet(ctx, system, sh); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	sh, err := d.svc.CreateSheet(ctx, system, Sheet{Kind: Month, Name: "新", EffectiveFrom: "2025-09-01", Items: []Item{item("a", 10000)}})
	if err != nil || sh.Version != 2 {
		t.Fatalf("version %d: %v", sh.Version, err)
	}
}

// Computed items score exactly at their bounds and linearly between, for figures where more is
// better and where less is.
func TestComputedPointsAreExactAtTheirBounds(t *testing.T) {
	for _, c := range []struct {
		num, den    int64
		ratio       bool
		full, zero  string
		max, points policy.Score
	}{
		{9, 10, true, "1", "0.6", 1200, 900},   // 0.9: three quarters of the way
		{6, 10, true, "1", "0.6", 1200, 0},     // exactly at zero
		{5, 10, true, "1", "0.6", 1200, 0},     // below: clamped
		{10, 10, true, "1", "0.6", 1200, 1200}, // full
		{0, 0, true, "1", "0.6", 1200, 1200},   // nothing to count: full marks
		{1, 20, true, "0", "0.1", 800, 400},    // rework 5 %: half
		{2, 3, true, "1", "0.6", 1000, 167},    // (2/3 − 0.6) ÷ 0.4 × 10 = 1.666… → 1.67, half up
		{10, 0, false, "0", "20", 500, 250},    // ten cases late of twenty
		{25, 0, false, "0", "20", 500, 0},      // beyond: clamped
	} {
		got, _ := pointsOf(c.max, c.num, c.den, c.ratio, c.full, c.zero)
		if got != c.points {
			t.Errorf("%d/%d on %s..%s of %s: %s, want %s", c.num, c.den, c.zero, c.full, c.max, got, c.points)
		}
	}
}

// A whole year published quarter by quarter: an annual average of exactly 85.00 is commended when the
// fourth quarter is published, and the year's table, the basis of the linked outcomes, says so.
func TestAYearOfQuartersCommendsAnAverageOfExactly85(t *testing.T) {
	d := newDistrict(t)
	d.svc.now = func() time.Time { return time.Date(2026, 2, 1, 9, 0, 0, 0, incidents.Beijing) }
	a := []policy.Score{8499, 8501, 8500, 8500}
	for q := 1; q <= 4; q++ {
		for m := 3*q - 2; m <= 3*q; m++ {
			d.assess(t, periodOf(t, Month, fmt.Sprintf("2025-%02d", m)), a[q-1], 8000, 7500)
		}
		res := d.assess(t, periodOf(t, Quarter, fmt.Sprintf("2025-Q%d", q)), a[q-1], 8000, 7500)
		if q == 4 {
			if got := fmt.Sprint(outcomesOf(res, d.a)); got != "[commendation 0]" && got != "[reward 500000 commendation 0]" && got != "[commendation 0 reward 500000]" {
				t.Fatalf("Q4 outcomes of A: %s", got)
			}
		}
	}
	year, err := d.svc.Year(context.Background(), system, 2025)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range year.Rows {
		switch r.SubdistrictID {
		case d.a:
			// Rewards: 85.01 in Q2 only is above 85.
			if r.Average == nil || *r.Average != 8500 || !r.Commended || r.Rank != 1 || r.RewardYuan != 500_000 {
				t.Errorf("A's year: %+v", r)
			}
		case d.b:
			if r.Average == nil || *r.Average != 8000 || r.Commended || r.Rank != 2 {
				t.Errorf("B's year: %+v", r)
			}
		}
	}
	var buf bytes.Buffer
	if err := year.WriteXLSX(&buf); err != nil || buf.Len() == 0 {
		t.Fatalf("the year's workbook: %v", err)
	}
}

// A computed item against a hand count: A has three open shops, two pledged (2/3 of 50 points =
// 33.33); B has none (nothing to count: full marks); C has one, pledged (50).
func TestComputedItemCountsTheShopsPledged(t *testing.T) {
	d := newDistrict(t)
	ctx := context.Background()
	d.svc.now = time.Now
	today := time.Now().In(incidents.Beijing)
	month := monthPeriod(today.Year(), today.Month())
	sheet := Sheet{Kind: Month, Name: "平台", EffectiveFrom: month.Starts.Format(time.DateOnly), Items: []Item{
		{Code: "pledged", NameZH: "签约率", NameEN: "pledged", MaxPoints: 5000, Source: Computed, Metric: "pledged_share", FullAt: "1", ZeroAt: "0"},
		{Code: "check", NameZH: "检查", NameEN: "check", MaxPoints: 5000, Source: Entered},
	}}
	if _, err := d.svc.CreateSheet(ctx, system, sheet); err != nil {
		t.Fatal(err)
	}
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, incidents.Beijing)
	shop := func(x float64, pledged bool) {
		m, err := d.svc.merchants.CreateMerchant(ctx, system, merchants.Input{Name: fmt.Sprintf("店%.3f", x), Location: orb.Point{x, 30.15}})
		if err != nil {
			t.Fatal(err)
		}
		if pledged {
			if _, err := d.svc.merchants.SignPledge(ctx, system, m.ID, merchants.PledgeInput{SignedOn: day, SignerName: "店主"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	shop(100.01, true)
	shop(100.02, true)
	shop(100.03, false)
	shop(100.25, true)
	res, err := d.svc.Result(ctx, system, month, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]string{d.a: "33.33 2/3", d.b: "50.00 0/0", d.c: "50.00 1/1"}
	for _, r := range res.Rows {
		l := r.Lines[0]
		got := fmt.Sprintf("%s %d/%d", l.Points, l.Figure.Numerator, l.Figure.Denominator)
		if got != want[r.SubdistrictID] {
			t.Errorf("%s: %s, want %s", r.Name, got, want[r.SubdistrictID])
		}
		if r.Lines[1].Points != nil || len(r.Missing) != 1 {
			t.Errorf("%s: the unmarked item is not missing: %+v", r.Name, r.Missing)
		}
	}
}

// The shops-inspected item counts a shop only when a check-in of it was credible; suspect ones
// (here a vague fix) are scored apart by suspect_share. A has two open shops, one checked honestly
// and one only from a 120 m fix: inspected 1/2, suspect 1 of 2 inspections.
func TestComputedItemsCountOnlyCredibleCheckIns(t *testing.T) {
	d := newDistrict(t)
	ctx := context.Background()
	d.svc.now = time.Now
	at := time.Now() // the check-ins' time: now, so the month is surely theirs
	today := at.In(incidents.Beijing)
	month := monthPeriod(today.Year(), today.Month())
	sheet := Sheet{Kind: Month, Name: "平台", EffectiveFrom: month.Starts.Format(time.DateOnly), Items: []Item{
		{Code: "inspected", NameZH: "巡查覆盖率", NameEN: "inspected", MaxPoints: 5000, Source: Computed, Metric: "inspected_share", FullAt: "1", ZeroAt: "0"},
		{Code: "suspect", NameZH: "可疑签到率", NameEN: "suspect", MaxPoints: 5000, Source: Computed, Metric: "suspect_share", FullAt: "0", ZeroAt: "1"},
	}}
	if _, err := d.svc.CreateSheet(ctx, system, sheet); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		x, accuracy float64
	}{{100.01, 5}, {100.02, 120}} {
		m, err := d.svc.merchants.CreateMerchant(ctx, system, merchants.Input{Name: fmt.Sprintf("店%.3f", c.x), Location: orb.Point{c.x, 30.15}})
		if err != nil {
			t.Fatal(err)
		}
		f := merchants.NewInspectionFields()
		lon, lat, acc := c.x, 30.15, c.accuracy
		f.MerchantID, f.At, f.Lon, f.Lat, f.AccuracyM = m.ID, at.Format(time.RFC3339), &lon, &lat, &acc
		f.Results.Items = []merchants.ItemResult{{Item: merchants.ItemSanitation, OK: true}}
		in, err := f.Input(nil, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := d.svc.merchants.Inspect(ctx, system, in, ""); err != nil {
			t.Fatal(err)
		}
	}
	res, err := d.svc.Result(ctx, system, month, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Rows {
		if r.SubdistrictID != d.a {
			continue
		}
		got := fmt.Sprintf("%d/%d %d/%d", r.Lines[0].Figure.Numerator, r.Lines[0].Figure.Denominator,
			r.Lines[1].Figure.Numerator, r.Lines[1].Figure.Denominator)
		if got != "1/2 1/2" {
			t.Fatalf("inspected and suspect: %s, want 1/2 1/2 (%+v)", got, r.Lines)
		}
		return
	}
	t.Fatal("no row for A")
}

// TestEachStreetChiefHearsTheirResult: a publication tells each subdistrict's street chief their
// score and rank, and an amendment tells them again with its reason.
func TestEachStreetChiefHearsTheirResult(t *testing.T) {
	d := newDistrict(t)
	ctx := context.Background()
	reg := registry.NewStore(d.svc.db)
	chief, err := reg.CreatePerson(ctx, system, registry.PersonInput{Name: "丙街长", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := reg.CreateAssignment(ctx, system, registry.AssignmentInput{AdminUnitID: d.c, PersonID: chief.ID,
		Role: registry.PostRole("street_chief"), Primary: true, From: &from}); err != nil {
		t.Fatal(err)
	}
	m := periodOf(t, Month, "2025-04")
	d.assess(t, m, 9000, 8500, 6999)
	if _, err := d.svc.Amend(ctx, system, m, []Change{{SubdistrictID: d.c, ItemCode: "check", Points: 9500}}, "复核更正"); err != nil {
		t.Fatal(err)
	}
	inbox, err := notify.NewStore(d.svc.db).Inbox(ctx, access.Principal{Role: access.StreetChief, PersonID: chief.ID}, 0, 10, false, "zh")
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, it := range inbox.Items {
		titles = append(titles, it.Title)
	}
	want := []string{
		"2025-04 考评结果更正（第 2 版）：丙街道 95.00 分，第 1 名；原因：复核更正",
		"2025-04 考评结果公布：丙街道 69.99 分，第 3 名（共 3 个街道）",
	}
	if fmt.Sprint(titles) != fmt.Sprint(want) {
		t.Fatalf("the street chief's inbox: %q, want %q", titles, want)
	}
}

// The patrol items read the patrols' figures: C has one area no credible patrol covered (0/1, no
// points), A and B have none (nothing to fail, full marks); no patrols anywhere is 0/0.
func TestComputedPatrolItemsReadThePatrols(t *testing.T) {
	d := newDistrict(t)
	ctx := context.Background()
	d.svc.now = time.Now
	today := time.Now().In(incidents.Beijing)
	month := monthPeriod(today.Year(), today.Month())
	sheet := Sheet{Kind: Month, Name: "平台", EffectiveFrom: month.Starts.Format(time.DateOnly), Items: []Item{
		{Code: "patrolled", NameZH: "区域巡查覆盖率", NameEN: "areas patrolled", MaxPoints: 5000, Source: Computed, Metric: "patrolled_areas", FullAt: "1", ZeroAt: "0"},
		{Code: "suspect", NameZH: "可疑巡查率", NameEN: "suspect patrols", MaxPoints: 5000, Source: Computed, Metric: "suspect_patrol_share", FullAt: "0", ZeroAt: "0.5"},
	}}
	if _, err := d.svc.CreateSheet(ctx, system, sheet); err != nil {
		t.Fatal(err)
	}
	if _, err := registry.NewStore(d.svc.db).CreateArea(ctx, system, registry.AreaInput{Kind: "back_lane", Name: "丙巷",
		Geom: orb.MultiPolygon{{{{100.25, 30.1}, {100.251, 30.1}, {100.251, 30.101}, {100.25, 30.101}, {100.25, 30.1}}}}}); err != nil {
		t.Fatal(err)
	}
	res, err := d.svc.Result(ctx, system, month, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]string{d.a: "50.00 0/0 50.00 0/0", d.b: "50.00 0/0 50.00 0/0", d.c: "0.00 0/1 50.00 0/0"}
	for _, r := range res.Rows {
		got := fmt.Sprintf("%s %d/%d %s %d/%d", r.Lines[0].Points, r.Lines[0].Figure.Numerator, r.Lines[0].Figure.Denominator,
			r.Lines[1].Points, r.Lines[1].Figure.Numerator, r.Lines[1].Figure.Denominator)
		if got != want[r.SubdistrictID] {
			t.Errorf("%s: %s, want %s", r.Name, got, want[r.SubdistrictID])
		}
	}
}
