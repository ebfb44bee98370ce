// Command streetchief runs the street chief / lane chief platform: the HTTP server and dashboard, the
// schema migrations, the demo city and the operator's tools. This file only wires the pieces together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/jackc/pgx/v5/pgxpool"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `streetchief — street chief / lane chief responsibility platform

Usage:
  streetchief serve   [flags]   serve the API and dashboard
  streetchief migrate [flags]   apply database migrations
  streetchief demo    [flags]   load the demo city into an empty database
  streetchief lookup  LON LAT   who is responsible here (or --csv FILE for many points)
  streetchief report  gaps|monthly ...  coverage gap report (json, geojson, csv, xlsx, html, pdf); monthly report (月报: html, pdf)
  streetchief import  osm|geojson FILE  load an OSM extract or a GeoJSON file (streetchief import -h)
  streetchief export  [--format geojson|csv|kml] [-o FILE]  every area with who is responsible
  streetchief categories import|export ...  the incident catalogue as CSV (streetchief categories)
  streetchief user    ...       manage accounts and API tokens (streetchief user -h)
  streetchief open311-key ...   Open311 api_keys for integrators: issue, revoke, list
  streetchief photos  move-out|check  photos' bytes out of the tables into --photo-dir; check the store
  streetchief partitions list|detach|attach  the monthly partitions of case history and shop checks
  streetchief assess  simulate --input FILE.json  the assessment's rules (考评奖惩) applied to quarters' scores; no database

Every command but assess reads DATABASE_URL (or --database-url). Run "streetchief COMMAND -h" for its flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "streetchief:", err)
		}
		os.Exit(exitStatus(err))
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serveCommand(ctx, rest, stderr)
	case "migrate":
		return migrateCommand(ctx, rest, stdout, stderr)
	case "demo":
		return demoCommand(ctx, rest, stdout, stderr)
	case "lookup":
		return lookupCommand(ctx, rest, stdout, stderr)
	case "report":
		return reportCommand(ctx, rest, stdout, stderr)
	case "import":
		return importCommand(ctx, rest, stdout, stderr)
	case "export":
		return exportCommand(ctx, rest, stdout, stderr)
	case "categories":
		return categoriesCommand(ctx, rest, stdout, stderr)
	case "user":
		return withDatabase(ctx, "user", rest, stderr, func(pool *pgxpool.Pool, sub []string) error {
			return userCommand(ctx, pool, sub, stdout)
		})
	case "open311-key":
		return withDatabase(ctx, "open311-key", rest, stderr, func(pool *pgxpool.Pool, sub []string) error {
			return open311KeyCommand(ctx, pool, sub, stdout)
		})
	case "photos":
		return photosCommand(ctx, rest, stdout, stderr)
	case "partitions":
		return withDatabase(ctx, "partitions", rest, stderr, func(pool *pgxpool.Pool, sub []string) error {
			return partitionsCommand(ctx, pool, sub, stdout)
		})
	case "assess":
		return assessCommand(rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: use debug, info, warn or error", level)
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// withDatabase parses the global flags among args (the rest belong to the command's subcommands),
// opens the database and runs fn with the subcommand's own arguments.
func withDatabase(ctx context.Context, name string, args []string, stderr io.Writer, fn func(*pgxpool.Pool, []string) error) error {
	cfg, fs := newConfig(name, stderr)
	fs.SetOutput(io.Discard)
	global, sub := splitGlobalFlags(args)
	if err := fs.Parse(global); err != nil {
		return err
	}
	pool, err := cfg.openDatabase(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	return fn(pool, sub)
}
