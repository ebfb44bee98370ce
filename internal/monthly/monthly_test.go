package monthly_test

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/demotest"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/monthly"
	"streetchief/internal/registry"
	"streetchief/internal/reports"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var admin = access.System("test")

type world struct {
	inc     *incidents.Service
	store   *registry.Store
	monthly *monthly.Service
	month   string // the last whole month: the demo's history covers the last 180 days
	subs    []registry.AdminUnit
}

var (
	worldOnce sync.Once
	theWorld  world
	worldErr  error
)

// demoWorld is the demo city with its half year of cases, loaded once per test binary.
func demoWorld(t *testing.T) world {
	t.Helper()
	demotest.City(t, 7)
	pool := dbtest.Pool(t)
	worldOnce.Do(func() {
		ctx := context.Background()
		store := registry.NewStore(pool)
		engine := lookup.New(store)
		if worldErr = engine.Load(ctx); worldErr != nil {
			return
		}
		if _, worldErr = incidents.SeedDemoHistory(ctx, pool, engine, 1); worldErr != nil {
			return
		}
		inc := incidents.NewService(pool, engine, incidents.Options{})
		subs, _, err := store.ListAdminUnits(ctx, admin, registry.AdminUnitFilter{Level: "subdistrict", Page: registry.Page{Limit: 100}})
		if worldErr = err; err != nil {
			return
		}
		now := time.Now().In(incidents.Beijing)
		theWorld = world{inc: inc, store: store, monthly: monthly.NewService(inc, reports.NewService(pool), store),
			month: now.AddDate(0, 0, -now.Day()).Format("2006-01"), subs: subs}
	})
	if worldErr != nil {
		t.Fatal(worldErr)
	}
	return theWorld
}

// sameFigures compares what the printed report shows of a league row with the KPI API's row.
func sameFigures(t *testing.T, what string, got, want incidents.KPIRow) {
	t.Helper()
	if !equalFigures(got.KPIFigures, want.KPIFigures) || got.OverdueNow != want.OverdueNow {
		t.Errorf("%s: report %+v (overdue %d), KPI API %+v (overdue %d)", what, got.KPIFigures, got.OverdueNow, want.KPIFigures, want.OverdueNow)
	}
	if !equalFigures(got.Previous, want.Previous) {
		t.Errorf("%s: previous month: report %+v, KPI API %+v", what, got.Previous, want.Previous)
	}
}

func equalFigures(a, b incidents.KPIFigures) bool {
	f := func(p *float64) float64 {
		if p == nil {
			return -1
		}
		return *p
	}
	return a.Cases == b.Cases && a.Excluded == b.Excluded && a.Due == b.Due && a.Closed == b.Closed && a.OnTime == b.OnTime &&
		a.Handled == b.Handled && a.Reworked == b.Reworked && a.ClosureRate == b.ClosureRate && a.OnTimeRate == b.OnTimeRate &&
		a.ReworkRate == b.ReworkRate && f(a.MedianCloseSec) == f(b.MedianCloseSec) && f(a.P90CloseSec) == f(b.P90CloseSec)
}

func TestMonthlyFiguresAreTheKPIAPIs(t *testing.T) {
	w := demoWorld(t)
	ctx := context.Background()
	p, err := incidents.ParsePeriod(incidents.PeriodMonth, w.month, "", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	league, err := w.inc.KPIs(ctx, admin, incidents.BySubdistrict, p, incidents.KPIFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if league.Total.Cases < 100 {
		t.Fatalf("the demo's %s has %d cases; the test needs a month of them", w.month, league.Total.Cases)
	}
	district, err := w.monthly.Make(ctx, admin, monthly.Query{Month: w.month})
	if err != nil {
		t.Fatal(err)
	}
	sameFigures(t, "district total", district.KPIs.Total, league.Total)
	if len(district.KPIs.Rows) != len(league.Rows) {
		t.Fatalf("%d league rows, KPI API %d", len(district.KPIs.Rows), len(league.Rows))
	}
	var weekCases int64
	for _, wk := range district.Weeks {
		weekCases += wk.Cases
		if wk.Closed > wk.Cases {
			t.Errorf("week %s: %d closed of %d", wk.Label, wk.Closed, wk.Cases)
		}
	}
	if weekCases != league.Total.Cases || len(district.Weeks) < 4 || len(district.Weeks) > 6 {
		t.Errorf("%d weeks with %d cases; the month has %d", len(district.Weeks), weekCases, league.Total.Cases)
	}
	var catCases int64
	for _, c := range district.Categories {
		catCases += c.Cases
	}
	if len(district.Categories) == 0 || catCases > league.Total.Cases || len(district.Spots) == 0 {
		t.Errorf("%d categories with %d cases of %d, %d spots", len(district.Categories), catCases, league.Total.Cases, len(district.Spots))
	}
	// One subdistrict's report: its totals are its row in the district's league. (A row of id 0
	// holds the cases in no subdistrict — outside the district — whenever the month has one.)
	subs := slices.DeleteFunc(slices.Clone(league.Rows), func(r incidents.KPIRow) bool { return r.ID == 0 })
	for _, row := range subs[:2] {
		sub, err := w.monthly.Make(ctx, admin, monthly.Query{Month: w.month, SubdistrictID: row.ID})
		if err != nil {
			t.Fatal(err)
		}
		sameFigures(t, row.Name, sub.KPIs.Total, row)
		if sub.ScopeName != row.Name || sub.KPIs.By != incidents.ByCommunity || sub.Gaps.Scope.ID != row.ID {
			t.Errorf("subdistrict %d's report is of %q by %s, gaps of %+v", row.ID, sub.ScopeName, sub.KPIs.By, sub.Gaps.Scope)
		}
		// The street chief of that subdistrict sees the same figures in their district report.
		chief := access.Principal{Role: access.StreetChief, Username: "chief", Scope: access.Scope{Subdistricts: []int64{row.ID}}}
		own, err := w.monthly.Make(ctx, chief, monthly.Query{Month: w.month})
		if err != nil {
			t.Fatal(err)
		}
		sameFigures(t, row.Name+" for its street chief", own.KPIs.Total, row)
		var html bytes.Buffer
		if err := sub.WriteHTML(&html); err != nil {
			t.Fatal(err)
		}
		if dir := os.Getenv("STREETCHIEF_PRINT_DIR"); dir != "" {
			_ = os.WriteFile(dir+"/monthly-"+row.Name+".html", html.Bytes(), 0o644)
		}
		text := printedText(html.String())
		for _, want := range []string{row.Name + "城市管理月报", "结案率", row.ClosureRate.Percent + "%"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the printed report lacks %q", row.Name, want)
			}
		}
	}
}

func TestMonthlyRefusesBadMonthsAndForeignSubdistricts(t *testing.T) {
	w := demoWorld(t)
	ctx := context.Background()
	a, b := w.subs[0].ID, w.subs[1].ID
	chief := access.Principal{Role: access.StreetChief, Scope: access.Scope{Subdistricts: []int64{a}}}
	coms, _, err := w.store.ListAdminUnits(ctx, admin, registry.AdminUnitFilter{Level: "community", ParentID: a, Page: registry.Page{Limit: 1}})
	if err != nil || len(coms) == 0 {
		t.Fatal(err, coms)
	}
	lane := access.Principal{Role: access.LaneChief, Scope: access.Scope{Communities: []int64{coms[0].ID}}}
	for _, tc := range []struct {
		name string
		who  access.Principal
		q    monthly.Query
		code apperr.Code
	}{
		{"malformed month", admin, monthly.Query{Month: "2026-13"}, apperr.Malformed},
		{"a day, not a month", admin, monthly.Query{Month: "2026-11-05"}, apperr.Malformed},
		{"a month to come", admin, monthly.Query{Month: time.Now().AddDate(0, 2, 0).Format("2006-01")}, apperr.Invalid},
		{"no such subdistrict", admin, monthly.Query{Month: w.month, SubdistrictID: 1 << 40}, apperr.NotFound},
		{"a community is not a subdistrict", admin, monthly.Query{Month: w.month, SubdistrictID: coms[0].ID}, apperr.NotFound},
		{"another chief's subdistrict", chief, monthly.Query{Month: w.month, SubdistrictID: b}, apperr.Forbidden},
		{"a lane chief's neighbour subdistrict", lane, monthly.Query{Month: w.month, SubdistrictID: b}, apperr.Forbidden},
		{"an inspector", access.Principal{Role: access.Inspector, Scope: access.Scope{All: true}}, monthly.Query{Month: w.month}, apperr.Forbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := w.monthly.Make(ctx, tc.who, tc.q); !apperr.Is(err, tc.code) {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
		})
	}
	// The lane chief's own subdistrict narrows to their community.
	rep, err := w.monthly.Make(ctx, lane, monthly.Query{Month: w.month, SubdistrictID: a})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rep.KPIs.Rows {
		if row.ID != coms[0].ID {
			t.Errorf("the lane chief of %d sees community %d", coms[0].ID, row.ID)
		}
	}
}

var (
	snakeCase     = regexp.MustCompile(`\b[a-z][a-z0-9]*(_[a-z0-9]+)+\b`)
	englishLabels = regexp.MustCompile(`\b[A-Za-z]{3,}\b`)
	tags          = regexp.MustCompile(`(?s)<style.*?</style>|<title>.*?</title>|<[^>]*>`)
)

func printedText(html string) string { return tags.ReplaceAllString(html, " ") }

func TestPrintedMonthlyIsChineseWithoutFieldNames(t *testing.T) {
	w := demoWorld(t)
	rep, err := w.monthly.Make(context.Background(), admin, monthly.Query{Month: w.month})
	if err != nil {
		t.Fatal(err)
	}
	var html bytes.Buffer
	if err := rep.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	text := printedText(html.String())
	if m := snakeCase.FindAllString(text, 5); m != nil {
		t.Errorf("raw field names: %q", m)
	}
	// The Chinese report has no English words at all, bar the projection's name.
	if m := englishLabels.FindAllString(strings.ReplaceAll(text, "CGCS2000", ""), 5); m != nil {
		t.Errorf("English words in the Chinese report: %q", m)
	}
	for _, want := range []string{"主要指标", "按期结案率", "返工率", "每周趋势", "问题高发", "全覆盖缺口", "北京时间", "较上月"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q", want)
		}
	}
	s := html.String()
	if strings.Count(s, `class="bar"`) != 2*len(rep.Weeks) || !strings.Contains(s, `<g class="gaps"`) || !strings.Contains(s, "size: A4") {
		t.Errorf("the report lacks its weekly chart (%d bars for %d weeks), its gap map or its A4 page", strings.Count(s, `class="bar"`), len(rep.Weeks))
	}
	if strings.Contains(strings.ReplaceAll(s, `xmlns="http://www.w3.org/2000/svg"`, ""), "http") {
		t.Error("the report refers to something on the network")
	}
	if dir := os.Getenv("STREETCHIEF_PRINT_DIR"); dir != "" {
		_ = os.WriteFile(dir+"/monthly.html", html.Bytes(), 0o644)
	}
}

func poolOf(t *testing.T) *pgxpool.Pool { return dbtest.Pool(t) }
