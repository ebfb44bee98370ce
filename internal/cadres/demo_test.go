package cadres

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/demotest"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

var (
	demoOnce    sync.Once
	demoSvc     *Service
	demoSummary DemoSummary
	demoErr     error
)

// demoCity is the demo city with its half year of cases and its cadre opinions, loaded once.
func demoCity(tb testing.TB) (*Service, DemoSummary) {
	tb.Helper()
	demotest.City(tb, 1)
	pool := dbtest.Pool(tb)
	demoOnce.Do(func() {
		ctx := context.Background()
		engine := lookup.New(registry.NewStore(pool))
		if demoErr = engine.Load(ctx); demoErr != nil {
			return
		}
		if _, demoErr = incidents.SeedDemoHistory(ctx, pool, engine, 1); demoErr != nil {
			return
		}
		demoSvc = NewService(pool, incidents.NewService(pool, engine, incidents.Options{}))
		demoSummary, demoErr = SeedDemo(ctx, pool, 1)
	})
	if demoErr != nil {
		tb.Fatal(demoErr)
	}
	return demoSvc, demoSummary
}

var leader = access.Principal{Role: access.DistrictLeader, Username: "leader", Scope: access.Scope{All: true}}

func TestDemoOpinionsCoverMostCadresOfThreeSubdistricts(t *testing.T) {
	svc, sum := demoCity(t)
	ctx := context.Background()
	table, err := svc.BonusBasis(ctx, leader, sum.Year, 0)
	if err != nil {
		t.Fatal(err)
	}
	subs := map[int64]int{}
	ratings := map[Rating]int{}
	corrected := 0
	first := sum.Subdistricts[0]
	for _, r := range table.Rows {
		if r.Opinion == nil || !slices.Contains(sum.Subdistricts, r.SubdistrictID) {
			continue
		}
		subs[r.SubdistrictID]++
		ratings[r.Opinion.Rating]++
		if r.Opinion.Supersedes != nil {
			corrected++
		}
	}
	if len(sum.Subdistricts) != 3 || len(subs) != 3 || corrected != 1 || sum.Corrections != 1 || ratings[BasicallyCompetent] != 1 ||
		ratings[Competent]+ratings[Excellent] < 10 || ratings[Incompetent] != 0 {
		t.Fatalf("demo %v: subdistricts %v, ratings %v, corrected %d", sum, subs, ratings, corrected)
	}
	// The demo street chief's subdistrict keeps two posts to record in the dashboard.
	open := 0
	for _, r := range table.Rows {
		if r.SubdistrictID == first && r.Opinion == nil {
			open++
		}
	}
	if open != 2 {
		t.Errorf("%d posts without an opinion in the first subdistrict, want 2", open)
	}
}

// The table's figures are the incidents' KPI API's, per subdistrict and per department there.
func TestBonusTableFiguresAreTheKPIAPIs(t *testing.T) {
	svc, _ := demoCity(t)
	ctx := context.Background()
	year := time.Now().In(incidents.Beijing).Year() // the demo's cases are of the last half year
	table, err := svc.BonusBasis(ctx, leader, year, 0)
	if err != nil {
		t.Fatal(err)
	}
	p, err := incidents.ParsePeriod(incidents.PeriodYear, table.Period.Label, "", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	league, err := svc.incidents.KPIs(ctx, leader, incidents.BySubdistrict, p, incidents.KPIFilter{})
	if err != nil {
		t.Fatal(err)
	}
	bySub := map[int64]incidents.KPIRow{}
	for _, r := range league.Rows {
		bySub[r.ID] = r
	}
	joint := map[int64]int64{}
	withCases, withJoint := 0, 0
	for _, r := range table.Rows {
		want := bySub[r.SubdistrictID]
		if r.Cases != want.Cases || r.ClosureRate != want.ClosureRate || r.OnTimeRate != want.OnTimeRate || r.ReworkRate != want.ReworkRate {
			t.Fatalf("%s in %s: %d cases %v %v %v, KPI API %d %v %v %v", r.PersonName, r.SubdistrictName, r.Cases,
				r.ClosureRate, r.OnTimeRate, r.ReworkRate, want.Cases, want.ClosureRate, want.OnTimeRate, want.ReworkRate)
		}
		if r.Cases > 0 {
			withCases++
		}
		if r.DepartmentID == 0 || r.JointCases == nil {
			continue
		}
		if _, ok := joint[r.SubdistrictID<<8|r.DepartmentID]; !ok {
			rep, err := svc.incidents.KPIs(ctx, leader, incidents.ByDepartment, p, incidents.KPIFilter{SubdistrictID: r.SubdistrictID})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range rep.Rows {
				joint[r.SubdistrictID<<8|d.ID] = d.Cases
			}
		}
		if *r.JointCases != joint[r.SubdistrictID<<8|r.DepartmentID] {
			t.Fatalf("%s: %d joint cases, KPI API %d", r.DepartmentName, *r.JointCases, joint[r.SubdistrictID<<8|r.DepartmentID])
		}
		if *r.JointCases > 0 {
			withJoint++
		}
	}
	if withCases == 0 || withJoint == 0 {
		t.Fatalf("the demo's %d rows show %d with cases, %d with joint cases: nothing was compared", len(table.Rows), withCases, withJoint)
	}
}

// BenchmarkBonusBasisDemoCity builds the whole district's table of the demo city's year of cases.
func BenchmarkBonusBasisDemoCity(b *testing.B) {
	svc, _ := demoCity(b)
	ctx := context.Background()
	year := time.Now().In(incidents.Beijing).Year()
	var t BonusTable
	for b.Loop() {
		var err error
		if t, err = svc.BonusBasis(ctx, leader, year, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(t.Rows)), "rows")
}
