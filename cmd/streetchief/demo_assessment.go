package main

import (
	"context"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/assessment"
	"streetchief/internal/fieldproof"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/merchants"
	"streetchief/internal/patrols"
	"streetchief/internal/policy"
	"streetchief/internal/registry"
	"streetchief/internal/reports"
	"streetchief/internal/tasks"
)

// seedDemoAssessment publishes the demo district's months and quarters from the figures the demo's
// cases and shops give and the marks of its assessors.
func seedDemoAssessment(ctx context.Context, pool *pgxpool.Pool, seed int64, out io.Writer) error {
	reg := registry.NewStore(pool)
	engine := lookup.New(reg)
	if err := engine.Load(ctx); err != nil {
		return fmt.Errorf("demo assessment: %w", err)
	}
	inc := incidents.NewService(pool, engine, incidents.Options{})
	svc := assessment.NewService(pool, assessment.Sources{Incidents: inc, Merchants: merchants.NewStore(pool, reg, inc, nil, merchants.Rules{}),
		Reports: reports.NewService(pool), Tasks: tasks.NewService(pool, nil),
		Patrols: patrols.NewStore(pool, fieldproof.DefaultRules().Patrol, patrols.Options{Incidents: inc})}, policy.DefaultRules())
	sum, err := svc.SeedDemo(ctx, seed)
	if err != nil {
		return fmt.Errorf("demo assessment: %w", err)
	}
	fmt.Fprintf(out, "demo assessment: %s\n", sum)
	return nil
}
