package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/database"
)

// config is the one configuration of the program, from flags with environment defaults. It is passed
// into constructors; no package reads the environment by itself.
type config struct {
	DatabaseURL      string
	Addr             string
	LogLevel         string
	MaxConns         int
	StatementTimeout time.Duration
	SecureCookies    bool
	Chromium         string // renders printed reports to PDF
}

func newConfig(name string, stderr io.Writer) (*config, *flag.FlagSet) {
	c := &config{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.DatabaseURL, "database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL (env DATABASE_URL)")
	fs.StringVar(&c.Addr, "addr", envOr("STREETCHIEF_ADDR", ":8080"), "listen address (env STREETCHIEF_ADDR)")
	fs.StringVar(&c.LogLevel, "log-level", envOr("STREETCHIEF_LOG_LEVEL", "info"), "debug, info, warn or error")
	fs.IntVar(&c.MaxConns, "db-max-conns", 20, "database pool size")
	fs.DurationVar(&c.StatementTimeout, "statement-timeout", 30*time.Second, "longest a single SQL statement may run")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", os.Getenv("STREETCHIEF_SECURE_COOKIES") == "1",
		"mark session cookies Secure (set when served over HTTPS behind a proxy)")
	fs.StringVar(&c.Chromium, "chromium", envOr("STREETCHIEF_CHROMIUM", "chromium"),
		"the headless Chromium that renders printed reports to PDF, a path or a name on PATH (env STREETCHIEF_CHROMIUM)")
	return c, fs
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func (c *config) openDatabase(ctx context.Context) (*pgxpool.Pool, error) {
	if c.DatabaseURL == "" {
		return nil, errors.New("no database: set DATABASE_URL or --database-url (make run starts a private one)")
	}
	return database.Open(ctx, c.DatabaseURL, database.Options{
		MaxConns: int32(c.MaxConns), StatementTimeout: c.StatementTimeout,
	})
}

// splitGlobalFlags separates the database flag, which every command takes, from a subcommand's own
// words, so "streetchief user --database-url U add alice" and "streetchief user add alice" both work.
func splitGlobalFlags(args []string) (global, rest []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case strings.HasPrefix(a, "--database-url="), strings.HasPrefix(a, "-database-url="):
			global = append(global, a)
		case a == "--database-url" || a == "-database-url":
			if i+1 < len(args) {
				global = append(global, a, args[i+1])
				i++
			} else {
				global = append(global, a)
			}
		default:
			rest = append(rest, a)
		}
	}
	return global, rest
}

func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected arguments %q", fs.Name(), fs.Args())
	}
	return nil
}

// openReads opens the pool of reads that tolerate lag at url, or returns primary when url is empty.
func (c *config) openReads(ctx context.Context, url string, primary *pgxpool.Pool) (*pgxpool.Pool, error) {
	if url == "" {
		return primary, nil
	}
	pool, err := database.Open(ctx, url, database.Options{
		MaxConns: int32(c.MaxConns), StatementTimeout: c.StatementTimeout, ApplicationName: "streetchief-reads",
	})
	if err != nil {
		return nil, fmt.Errorf("--read-database-url: %w", err)
	}
	return pool, nil
}
