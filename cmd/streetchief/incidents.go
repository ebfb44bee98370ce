package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/notify"
	"streetchief/internal/objectstore"
	"streetchief/internal/registry"
)

// escalationInterval is how often a replica looks for overdue incidents; SKIP LOCKED lets every replica
// run the job.
const escalationInterval = time.Minute

// startIncidents builds the incident service on the in-memory lookup engine and starts its background
// jobs: escalation of overdue incidents, and re-routing after each registry change the engine has
// applied (updates, from engine.Follow). Both stop with ctx.
func startIncidents(ctx context.Context, pool, reads *pgxpool.Pool, engine *lookup.Engine, updates *lookup.Updates,
	logger *slog.Logger, citizens *notify.Store, photos objectstore.Store) *incidents.Service {
	svc := incidents.NewService(pool, engine, incidents.Options{Citizens: citizens, Reads: reads, Photos: photos})
	if engine.Districts() != nil {
		// A replica holding some districts cannot route the rest: the whole-territory replicas escalate and re-route.
		return svc
	}
	go func() {
		// Escalation routes with the engine: wait until it has loaded the territory.
		for !engine.Ready() {
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
		svc.RunEscalator(ctx, escalationInterval, logger)
	}()
	go svc.RunRerouter(ctx, updates, logger)
	return svc
}

// seedDemoIncidents writes the demo city's half year of incident history, routed by a lookup engine
// loaded once from the city just written (nothing changes the territory while the history is seeded).
func seedDemoIncidents(ctx context.Context, pool *pgxpool.Pool, seed int64, out io.Writer) error {
	start := time.Now()
	engine := lookup.New(registry.NewStore(pool))
	if err := engine.Load(ctx); err != nil {
		return fmt.Errorf("demo incidents: %w", err)
	}
	n, err := incidents.SeedDemoHistory(ctx, pool, engine, seed)
	if err != nil {
		return fmt.Errorf("demo incidents: %w", err)
	}
	fmt.Fprintf(out, "demo incident history: %d incidents in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}
