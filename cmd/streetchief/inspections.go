package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/merchants"
	"streetchief/internal/registry"
)

// seedDemoInspections writes the demo's weeks of daily inspections over the shops the demo city
// holds by now (so it runs after the shops and their inspectors are loaded), and its two repeat
// offenders.
func seedDemoInspections(ctx context.Context, pool *pgxpool.Pool, seed int64, out io.Writer) error {
	start := time.Now()
	reg := registry.NewStore(pool)
	engine := lookup.New(reg)
	if err := engine.Load(ctx); err != nil {
		return fmt.Errorf("demo inspections: %w", err)
	}
	store := merchants.NewStore(pool, reg, incidents.NewService(pool, engine, incidents.Options{}), nil, merchants.Rules{})
	sum, err := merchants.SeedDemoInspections(ctx, store, seed, time.Now())
	if err != nil {
		return fmt.Errorf("demo inspections: %w", err)
	}
	fmt.Fprintf(out, "demo inspections: %d (%d off-site, %d with violations; community %d stopped inspecting), repeat-offender incidents %v, in %s\n",
		sum.Inspections, sum.OffSite, sum.Violations, sum.StoppedCommunity, sum.RepeatIncidents, time.Since(start).Round(time.Millisecond))
	return nil
}
