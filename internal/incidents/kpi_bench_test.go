package incidents_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

// BenchmarkKPIsYearOfOneMillionCases counts a year's league table, and a year's weekly trend by
// subdistrict, over the whole district from a year of generated cases (in no unit: one group; the cost is the scan) (STREETCHIEF_BENCH_KPI_CASES, default 1,000,000), each with the five
// events of a case worked through — reported, assigned, started, resolved, closed — one in ten late,
// one in twenty reopened once. Generating them takes minutes, so it runs only with
// STREETCHIEF_BENCH_KPI=1.
func BenchmarkKPIsYearOfOneMillionCases(b *testing.B) {
	if os.Getenv("STREETCHIEF_BENCH_KPI") != "1" {
		b.Skip("set STREETCHIEF_BENCH_KPI=1 to generate a year of cases and count them")
	}
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("STREETCHIEF_BENCH_KPI_CASES")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	pool := dbtest.Pool(b)
	svc := incidents.NewService(pool, lookup.New(registry.NewStore(pool)), incidents.Options{})
	leader := access.Principal{Role: access.DistrictLeader, Username: "leader", Scope: access.Scope{All: true}}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, incidents.Beijing)
	t0 := time.Now()
	if _, err := pool.Exec(ctx, `INSERT INTO incident (category, status, location, subdistrict_id, community_id, reported_at)
		SELECT 'random_piling', 'closed', ST_SetSRID(ST_MakePoint(0, 0), 4326), NULL, NULL,
			$1::timestamptz + (g::float8 / $2 * 364 * 86400) * interval '1 second'
		FROM generate_series(1, $2) g`, start, n); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO incident_event (incident_id, at, kind, from_status, to_status, actor)
		SELECT i.id, i.reported_at + s.h * interval '1 hour', s.kind, s.from_status, s.to_status, 'bench'
		FROM incident i CROSS JOIN (VALUES (0, 'reported', NULL, 'reported'), (1, 'transition', 'reported', 'assigned'),
			(2, 'transition', 'assigned', 'in_progress'), (20, 'transition', 'in_progress', 'resolved'),
			(30, 'transition', 'resolved', 'closed')) s(h, kind, from_status, to_status)
		WHERE i.reported_at >= $1 AND i.reported_at < $2
		UNION ALL SELECT i.id, i.reported_at + interval '10 hours', 'overdue', NULL, NULL, 'bench'
		FROM incident i WHERE i.reported_at >= $1 AND i.reported_at < $2 AND i.id % 10 = 0
		UNION ALL SELECT i.id, i.reported_at + interval '25 hours', 'transition', 'resolved', 'reopened', 'bench'
		FROM incident i WHERE i.reported_at >= $1 AND i.reported_at < $2 AND i.id % 20 = 0`, start, start.AddDate(1, 0, 0)); err != nil {
		b.Fatal(err)
	}
	// Vacuumed, as autovacuum would have, so that the index-only scans see all-visible pages.
	for _, table := range []string{"incident", "incident_event", "incident_kpi_case"} {
		if _, err := pool.Exec(ctx, `VACUUM ANALYZE `+table); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("generated %d cases and their events in %s", n, time.Since(t0).Round(time.Second))
	year, err := incidents.ParsePeriod("year", "2025", "", "", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("league", func(b *testing.B) {
		for b.Loop() {
			rep, err := svc.KPIs(ctx, leader, incidents.BySubdistrict, year, incidents.KPIFilter{})
			if err != nil {
				b.Fatal(err)
			}
			if rep.Total.Cases < int64(n) {
				b.Fatalf("counted %d cases, want %d", rep.Total.Cases, n)
			}
		}
	})
	b.Run("trend", func(b *testing.B) {
		r, err := incidents.ParseTrend("week", "2025-01-01", "2025-12-31", "subdistrict", time.Now())
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			tr, err := svc.Trend(ctx, leader, r, incidents.KPIFilter{})
			if err != nil {
				b.Fatal(err)
			}
			var opened int64
			for _, s := range tr.Series {
				for _, p := range s.Points {
					opened += p.Opened
				}
			}
			if opened < int64(n) {
				b.Fatalf("counted %d cases opened, want %d", opened, n)
			}
		}
	})
}
