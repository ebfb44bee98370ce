package reports_test

import (
	"context"
	"os"
	"testing"

	"streetchief/internal/database"
	"streetchief/internal/dbtest"
	"streetchief/internal/reports"
)

// BenchmarkGapsWholeDistrict makes every gap kind for the whole district: the demo city, and the
// ~100,000-area city of scripts/bench.sh when STREETCHIEF_BENCH_DATABASE_URL names it.
func BenchmarkGapsWholeDistrict(b *testing.B) {
	b.Run("demo", func(b *testing.B) {
		demoCity(&testing.T{})
		benchGaps(b, reports.NewService(dbtest.Pool(b)))
	})
	b.Run("100k", func(b *testing.B) {
		url := os.Getenv("STREETCHIEF_BENCH_DATABASE_URL")
		if url == "" {
			b.Skip("STREETCHIEF_BENCH_DATABASE_URL not set: make bench loads the 100,000-area city")
		}
		pool, err := database.Open(context.Background(), url, database.Options{MaxConns: 4})
		if err != nil {
			b.Fatal(err)
		}
		defer pool.Close()
		benchGaps(b, reports.NewService(pool))
	})
}

func benchGaps(b *testing.B, s *reports.Service) {
	for b.Loop() {
		r, err := s.Gaps(context.Background(), admin, reports.Query{Scope: reports.Scope{Level: "district"}})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(r.Territory)+len(r.Overlaps)+len(r.Unassigned)+len(r.Vacant)), "gaps")
	}
}
