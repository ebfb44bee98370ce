package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/operations"
	"streetchief/internal/registry"
)

// seedDemoOperations writes the demo's joint operations, aimed at the shops, repeat offenders and open
// cases loaded before it.
func seedDemoOperations(ctx context.Context, pool *pgxpool.Pool, seed int64, out io.Writer) error {
	start := time.Now()
	reg := registry.NewStore(pool)
	engine := lookup.New(reg)
	if err := engine.Load(ctx); err != nil {
		return fmt.Errorf("demo operations: %w", err)
	}
	sum, err := operations.SeedDemo(ctx, operations.NewStore(pool, reg, incidents.NewService(pool, engine, incidents.Options{}), nil), seed, time.Now())
	if err != nil {
		return fmt.Errorf("demo operations: %w", err)
	}
	fmt.Fprintf(out, "demo joint operations: %s in %s\n", sum, time.Since(start).Round(time.Millisecond))
	return nil
}
