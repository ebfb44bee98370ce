package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/auth"
	"streetchief/internal/cadres"
	"streetchief/internal/demo"
	"streetchief/internal/duties"
	"streetchief/internal/funds"
	"streetchief/internal/incidents"
	"streetchief/internal/merchants"
	"streetchief/internal/objectstore"
	"streetchief/internal/partners"
	"streetchief/internal/servicepoints"
	"streetchief/internal/tasks"
	"streetchief/internal/volunteers"
)

func demoCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, fs := newConfig("demo", stderr)
	scale := fs.Int("scale", 1, "multiply the city: 1 is the model district; benchmarks use a larger one")
	seed := fs.Int64("seed", 1, "random seed: the same seed gives the same city")
	photoDir := photoDirFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *scale < 1 {
		return fmt.Errorf("--scale must be at least 1, got %d", *scale)
	}
	pool, err := cfg.openDatabase(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	empty, err := demo.Empty(ctx, pool)
	if err != nil {
		return err
	}
	if !empty {
		return errors.New("the database already holds territory; the demo city loads only into an empty one")
	}
	photos, err := objectstore.NewFS(*photoDir)
	if err != nil {
		return fmt.Errorf("--photo-dir: %w", err)
	}
	return loadDemo(ctx, pool, photos, demo.Options{Seed: *seed, Scale: *scale}, stdout)
}

// loadDemoIfEmpty loads the model city on a first start, so make run shows a working district.
func loadDemoIfEmpty(ctx context.Context, pool *pgxpool.Pool, photos objectstore.Store, out io.Writer, logger *slog.Logger) error {
	empty, err := demo.Empty(ctx, pool)
	if err != nil || !empty {
		return err
	}
	logger.Info("empty database: loading the demo city")
	return loadDemo(ctx, pool, photos, demo.Options{Seed: 1, Scale: 1}, out)
}

func loadDemo(ctx context.Context, pool *pgxpool.Pool, photos objectstore.Store, opt demo.Options, out io.Writer) error {
	start := time.Now()
	city, err := demo.Generate(opt)
	if err != nil {
		return err
	}
	summary, err := demo.Load(ctx, pool, city)
	if err != nil {
		return fmt.Errorf("load demo city: %w", err)
	}
	if err := seedDemoIncidents(ctx, pool, opt.Seed, out); err != nil {
		return err
	}
	shops, err := merchants.SeedDemo(ctx, pool, opt.Seed)
	if err != nil {
		return fmt.Errorf("demo shops: %w", err)
	}
	fmt.Fprintf(out, "demo 门前三包 register: %s\n", shops)
	if err := seedDemoInspections(ctx, pool, opt.Seed, out); err != nil {
		return err
	}
	if err := seedDemoVendors(ctx, pool, photos, opt.Seed, out); err != nil {
		return err
	}
	if err := seedDemoPatrols(ctx, pool, opt.Seed, out); err != nil {
		return err
	}
	opinions, err := cadres.SeedDemo(ctx, pool, opt.Seed)
	if err != nil {
		return fmt.Errorf("demo cadre opinions: %w", err)
	}
	fmt.Fprintf(out, "demo linked cadres: %s\n", opinions)
	// Before the funds demo: the contracts' payments are the volunteer budget's spending, so its stand-in purchases are skipped.
	volunteerSum, err := volunteers.SeedDemo(ctx, pool, opt.Seed)
	if err != nil {
		return fmt.Errorf("demo volunteers: %w", err)
	}
	fmt.Fprintf(out, "demo volunteer services (志愿服务): %s\n", volunteerSum)
	ledger, err := funds.SeedDemo(ctx, pool)
	if err != nil {
		return fmt.Errorf("demo funds: %w", err)
	}
	fmt.Fprintf(out, "demo funds ledger: %s\n", ledger)
	taskSum, err := tasks.SeedDemo(ctx, pool, photos, opt.Seed)
	if err != nil {
		return fmt.Errorf("demo tasks: %w", err)
	}
	fmt.Fprintf(out, "demo tasks from the city and district (督办): %s\n", taskSum)
	compounds, err := partners.SeedDemo(ctx, pool, opt.Seed)
	if err != nil {
		return fmt.Errorf("demo compounds' partners: %w", err)
	}
	fmt.Fprintf(out, "demo compounds' partners (物业): %s\n", compounds)
	if err := seedDemoAssessment(ctx, pool, opt.Seed, out); err != nil {
		return err
	}
	notices, err := incidents.SeedDemoNotices(ctx, pool)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "demo inboxes: %d notices of the last week\n", notices)
	if err := seedDemoOperations(ctx, pool, opt.Seed, out); err != nil {
		return err
	}
	dutySum, err := duties.SeedDemo(ctx, pool, opt.Seed)
	if err != nil {
		return fmt.Errorf("demo duty records: %w", err)
	}
	fmt.Fprintf(out, "demo deputies and party members (履职): %s\n", dutySum)
	points, err := servicepoints.SeedDemo(ctx, pool, opt.Seed)
	if err != nil {
		return fmt.Errorf("demo service points: %w", err)
	}
	fmt.Fprintf(out, "demo service points (便民服务点): %s\n", points)
	users, err := auth.SeedDemoUsers(ctx, pool)
	if err != nil {
		return fmt.Errorf("demo users: %w", err)
	}
	fmt.Fprintf(out, "demo city loaded in %s: %+v\n\nSign in to the demo with:\n", time.Since(start).Round(time.Millisecond), summary)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  username\tpassword\trole\tperson\twhere")
	for _, u := range users {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", u.Username, u.Password, u.Role, u.PersonName, u.Where)
	}
	return tw.Flush()
}
