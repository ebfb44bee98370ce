package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/lookup"
	"streetchief/internal/merchants"
	"streetchief/internal/objectstore"
	"streetchief/internal/registry"
)

// seedDemoVendors registers the demo city's mobile vendors and records their weeks of sightings,
// routed by a lookup engine loaded from the city just written.
func seedDemoVendors(ctx context.Context, pool *pgxpool.Pool, photos objectstore.Store, seed int64, out io.Writer) error {
	start := time.Now()
	reg := registry.NewStore(pool)
	engine := lookup.New(reg)
	if err := engine.Load(ctx); err != nil {
		return fmt.Errorf("demo vendors: %w", err)
	}
	sum, err := merchants.SeedDemoVendors(ctx, pool, reg, engine, photos, seed)
	if err != nil {
		return fmt.Errorf("demo vendors: %w", err)
	}
	fmt.Fprintf(out, "demo vendors: %d in %d night markets, %d sightings (%d outside, %d incidents, %d repeat offenders) in %s\n",
		sum.Vendors, sum.Zones, sum.Sightings, sum.Outside, sum.Incidents, sum.RepeatOffenders, time.Since(start).Round(time.Millisecond))
	return nil
}
