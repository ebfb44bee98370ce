package incidents_test

import (
	"context"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/demotest"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

// BenchmarkJointKPIsYearOfDemoCases counts the departments' joint-enforcement KPIs for a year over
// the demo city with two seeds of its history (twice its half year of cases, about a year's worth at
// its rate), by department and by subdistrict, as the district leader.
func BenchmarkJointKPIsYearOfDemoCases(b *testing.B) {
	ctx := context.Background()
	demotest.City(b, 1)
	pool := dbtest.Pool(b)
	engine := lookup.New(registry.NewStore(pool))
	if err := engine.Load(ctx); err != nil {
		b.Fatal(err)
	}
	for _, seed := range []int64{1, 2} {
		if _, err := incidents.SeedDemoHistory(ctx, pool, engine, seed); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, `ANALYZE incident; ANALYZE incident_department; ANALYZE incident_joint_action`); err != nil {
		b.Fatal(err)
	}
	var parts, actions int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM incident_department), (SELECT count(*) FROM incident_joint_action)`).Scan(&parts, &actions); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d departments asked, %d actions", parts, actions)
	svc := incidents.NewService(pool, engine, incidents.Options{})
	leader := access.Principal{Role: access.DistrictLeader, Username: "leader", Scope: access.Scope{All: true}}
	now := time.Now()
	p, err := incidents.ParsePeriod(incidents.PeriodCustom, "", now.AddDate(-1, 0, 1).In(incidents.Beijing).Format(time.DateOnly),
		now.In(incidents.Beijing).Format(time.DateOnly), now)
	if err != nil {
		b.Fatal(err)
	}
	for _, by := range []string{incidents.JointByDepartment, incidents.JointBySubdistrict} {
		b.Run(by, func(b *testing.B) {
			for b.Loop() {
				rep, err := svc.JointKPIs(ctx, leader, by, p, incidents.KPIFilter{})
				if err != nil || rep.Total.Requested == 0 {
					b.Fatalf("%+v %v", rep.Total, err)
				}
			}
		})
	}
}
