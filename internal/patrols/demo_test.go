package patrols_test

import (
	"context"
	"testing"
	"time"

	"streetchief/internal/dbtest"
	"streetchief/internal/demo"
	"streetchief/internal/patrols"
)

// The demo's weeks of patrols walk the lane chiefs' and inspectors' streets credibly, save the three
// fakes the proof rules must catch: a drive, a desk check-in and a replay.
func TestDemoPatrolsWalkTheStreetsAndFlagTheFakes(t *testing.T) {
	ctx := context.Background()
	// A database of its own: the package's other tests fill the shared one with their worlds.
	pool := dbtest.Own(t)
	city, err := demo.Generate(demo.Options{Seed: 1, Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, pool, city); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sum, err := patrols.SeedDemoPatrols(ctx, pool, 1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("demo patrols: %s in %s", sum, time.Since(start).Round(time.Millisecond))
	if sum.Walkers < 50 || sum.Patrols < sum.Walkers*patrols.DemoPatrolDays/4 {
		t.Fatalf("demo patrols: %+v", sum)
	}
	rows, err := pool.Query(ctx, `SELECT reasons::text FROM patrol WHERE suspect`)
	if err != nil {
		t.Fatal(err)
	}
	var flagged []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		flagged = append(flagged, r)
	}
	if sum.Suspect != 3 || len(flagged) != 3 {
		t.Fatalf("%d patrols flagged, want the three fakes: %v", sum.Suspect, flagged)
	}
	t.Logf("flagged: %v", flagged)
}
