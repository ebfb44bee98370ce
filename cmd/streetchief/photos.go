package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/assessment"
	"streetchief/internal/duties"
	"streetchief/internal/incidents"
	"streetchief/internal/merchants"
	"streetchief/internal/objectstore"
	"streetchief/internal/operations"
	"streetchief/internal/photorows"
	"streetchief/internal/policy"
	"streetchief/internal/tasks"
	"streetchief/internal/volunteers"
)

// defaultPhotoDir is beside the development cluster (.data/pg) under the project's data folder, relative
// to the directory streetchief starts in (make run starts it at the project's root).
var defaultPhotoDir = filepath.Join(".data", "photos")

// photoDirFlag is the object store's directory, for every command that writes or moves photos.
func photoDirFlag(fs *flag.FlagSet) *string {
	return fs.String("photo-dir", envOr("STREETCHIEF_PHOTO_DIR", defaultPhotoDir),
		"directory of the photo store, shared by every replica (NFS or the like) and backed up with the database (env STREETCHIEF_PHOTO_DIR; docs/scale.md#photos)")
}

const photosUsage = `streetchief photos move-out [--batch N] [--photo-dir DIR]   move photo rows' bytes into the store (restartable)
streetchief photos check [--photo-dir DIR]                  report rows whose blob is missing or corrupt`

// photosCommand moves photos written before the object store out of their tables, and checks the
// store against the rows. Either exits non-zero when any row had a problem, having said which.
func photosCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "move-out" && args[0] != "check") {
		fmt.Fprintln(stderr, photosUsage)
		return errors.New("photos: say move-out or check")
	}
	sub := args[0]
	cfg, fs := newConfig("photos "+sub, stderr)
	photoDir := photoDirFlag(fs)
	batch := fs.Int("batch", 500, "move-out: rows per transaction")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *batch < 1 || *batch > 100_000 {
		return fmt.Errorf("--batch %d: between 1 and 100000", *batch)
	}
	if _, err := os.Stat(*photoDir); sub == "check" && err != nil {
		return fmt.Errorf("--photo-dir: %w", err)
	}
	store, err := objectstore.NewFS(*photoDir)
	if err != nil {
		return fmt.Errorf("--photo-dir: %w", err)
	}
	pool, err := cfg.openDatabase(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	problems := 0
	report := func(err error) { problems++; fmt.Fprintln(stderr, "streetchief photos:", err) }
	for _, table := range photoTables(pool, store) {
		if sub == "move-out" {
			m, err := table.MoveOut(ctx, *batch, report)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s: %d moved to %s, %d left in the table with errors\n", m.Table, m.Moved, store.Dir(), m.Failed)
			continue
		}
		c, err := table.Check(ctx, report)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d in the store, %d in the table, %d problems\n", c.Table, c.InStore, c.InTable, c.Problems)
	}
	if problems > 0 {
		return fmt.Errorf("photos %s: %d rows with problems (listed above)", sub, problems)
	}
	return nil
}

// photoTables are the seven photo tables, each named by its owner, with store as their photos' store.
func photoTables(pool *pgxpool.Pool, store objectstore.Store) []photorows.Table {
	inc := incidents.NewService(pool, nil, incidents.Options{Photos: store})
	return []photorows.Table{
		inc.PhotoTable(),
		merchants.NewStore(pool, nil, inc, store, merchants.Rules{}).PhotoTable(),
		operations.NewStore(pool, nil, inc, store).PhotoTable(),
		tasks.NewService(pool, store).PhotoTable(),
		duties.NewService(pool, store).PhotoTable(),
		volunteers.NewService(pool, store).PhotoTable(),
		assessment.NewService(pool, assessment.Sources{Photos: store}, policy.Rules{}).PhotoTable(),
	}
}
