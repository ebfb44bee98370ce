package main

import (
	"context"
	"fmt"
	"io"

	"streetchief/internal/database"
)

func migrateCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, fs := newConfig("migrate", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	pool, err := cfg.openDatabase(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	applied, err := database.Migrate(ctx, pool)
	for _, name := range applied {
		fmt.Fprintln(stdout, "applied", name)
	}
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "schema is up to date")
	}
	return nil
}
