package partners_test

import (
	"context"
	"testing"
	"time"

	"streetchief/internal/dbtest"
	"streetchief/internal/demotest"
	"streetchief/internal/partners"
	"streetchief/internal/reports"
)

// TestSeedDemo gives the demo city's compounds their partners through the service's rules: eight
// companies, most compounds under contract, one handover, lapsed contracts, residents' teams,
// building representatives, and a few compounds with neither, which the gap report lists. Its time
// is logged, not judged: speed belongs to benchmarks.
func TestSeedDemo(t *testing.T) {
	demotest.City(t, 1)
	ctx := context.Background()
	start := time.Now()
	sum, err := partners.SeedDemo(ctx, dbtest.Pool(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s, in %s", sum, time.Since(start).Round(time.Millisecond))
	if sum.Companies != 8 || sum.Handovers != 1 || sum.Lapsed == 0 || sum.Teams == 0 || sum.Reps == 0 || sum.Neither == 0 ||
		sum.Contracts < 2*sum.Teams {
		t.Fatalf("%s", sum)
	}
	r, err := reports.NewService(dbtest.Pool(t)).Gaps(ctx, system, reports.Query{Scope: reports.Scope{Level: "district"}, Kinds: []string{reports.KindNoPartner}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.NoPartner) != sum.Neither {
		t.Fatalf("the gap report lists %d compounds without a partner, the demo made %d", len(r.NoPartner), sum.Neither)
	}
}
