package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/database"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
)

// escalationInterval is how often a replica looks for overdue incidents; SKIP LOCKED lets every replica
// run the job.
const escalationInterval = time.Minute

// startIncidents builds the incident service on the in-memory lookup engine and starts its background
// jobs: escalation of overdue incidents, and re-routing when the registry changes (which asks PostGIS,
// since the engine may not have applied the same change yet). Both stop with ctx.
func startIncidents(ctx context.Context, pool *pgxpool.Pool, engine *lookup.Engine, registryFeed *database.Subscription,
	logger *slog.Logger) *incidents.Service {
	svc := incidents.NewService(pool, engine, incidents.Options{})
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
	go svc.RunRerouter(ctx, registryFeed, logger)
	return svc
}

// seedDemoIncidents writes the demo city's half year of incident history, routed by PostGIS (the server's
// in-memory engine is not running during a demo load).
func seedDemoIncidents(ctx context.Context, pool *pgxpool.Pool, seed int64, out io.Writer) error {
	start := time.Now()
	n, err := incidents.SeedDemoHistory(ctx, pool, incidents.SQLMatcher{DB: pool}, seed)
	if err != nil {
		return fmt.Errorf("demo incidents: %w", err)
	}
	fmt.Fprintf(out, "demo incident history: %d incidents in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}
