package incidents_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

// queryCounter counts the statements sent on contexts it marked, so that other work on the pool
// (a lookup engine, another test) does not disturb the count.
type queryCounter struct{ n atomic.Int64 }

type countedKey struct{}

func (q *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	if ctx.Value(countedKey{}) != nil {
		q.n.Add(1)
	}
	return ctx
}

func (q *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TestKPINamesCostNoQueryPerRow: a league table costs the same statements whatever its number of
// rows; naming each row with a registry call of its own made a 500-community table 500 round trips.
func TestKPINamesCostNoQueryPerRow(t *testing.T) {
	w := newWorld(t)
	w.kpiFixture()
	cfg := dbtest.Pool(t).Config().Copy()
	counter := &queryCounter{}
	cfg.ConnConfig.Tracer = counter
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store := registry.NewStore(pool)
	svc := incidents.NewService(pool, lookup.New(store), incidents.Options{})
	count := func(who access.Principal) (int64, []incidents.KPIRow) {
		t.Helper()
		counter.n.Store(0)
		ctx := context.WithValue(context.Background(), countedKey{}, true)
		rep, err := svc.KPIs(ctx, who, incidents.ByCommunity, november(t), incidents.KPIFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return counter.n.Load(), rep.Rows
	}
	one, laneRows := count(w.asLane)
	two, streetRows := count(w.asStreet)
	if len(laneRows) != 1 || len(streetRows) != 2 {
		t.Fatalf("rows = %d and %d, want 1 and 2", len(laneRows), len(streetRows))
	}
	if one != two {
		t.Errorf("a table of 1 row took %d statements, of 2 rows %d; want the same", one, two)
	}
	for _, r := range streetRows {
		if want := map[int64]string{w.comA.ID: "甲社区", w.comB.ID: "乙社区"}[r.ID]; r.Name != want {
			t.Errorf("row %d is named %q, want %q", r.ID, r.Name, want)
		}
	}
}
