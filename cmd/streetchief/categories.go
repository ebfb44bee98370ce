package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"streetchief/internal/access"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

const categoriesUsage = `streetchief categories import [--dry-run] FILE|--national   load a catalogue file (CSV, docs/categories.md)
streetchief categories export [-o FILE] [--national]           write the catalogue (or the national one) as CSV`

// categoriesCommand imports and exports the incident catalogue. An import is all or nothing: every
// bad row is reported with its line and the command exits non-zero having written nothing.
func categoriesCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		fmt.Fprintln(stderr, categoriesUsage)
		return errors.New("categories: say import or export")
	}
	sub := args[0]
	cfg, fs := newConfig("categories "+sub, stderr)
	national := fs.Bool("national", false, "the standard national catalogue built into streetchief")
	dryRun := fs.Bool("dry-run", false, "import: check everything, write nothing")
	out := fs.String("o", "-", "export: output file (- for standard output)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if sub == "export" {
		if err := noArgs(fs); err != nil {
			return err
		}
		if *national {
			return writeFileAtomically(*out, stdout, func(w io.Writer) error { _, err := w.Write(incidents.NationalCatalogue()); return err })
		}
	}
	var src []byte
	if sub == "import" {
		switch {
		case *national && fs.NArg() == 0:
			src = incidents.NationalCatalogue()
		case !*national && fs.NArg() == 1:
			b, err := os.ReadFile(fs.Arg(0))
			if err != nil {
				return err
			}
			src = b
		default:
			return errors.New("categories import: name one FILE or --national")
		}
	}
	pool, err := cfg.openDatabase(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	// The catalogue commands route no incident, so the engine is never loaded (a large city would take
	// seconds); a call that did route would answer "still loading", never a wrong person.
	svc := incidents.NewService(pool, lookup.New(registry.NewStore(pool)), incidents.Options{})
	if sub == "export" {
		return writeFileAtomically(*out, stdout, func(w io.Writer) error { return svc.ExportCatalogue(ctx, w) })
	}
	res, n, err := svc.ImportCatalogueFile(ctx, access.System("categories import"), bytes.NewReader(src), *dryRun)
	if err != nil {
		return err
	}
	verb := "imported"
	if *dryRun {
		verb = "checked (dry run, nothing written)"
	}
	fmt.Fprintf(stdout, "%s %d rows: %d created, %d changed, %d retired, %d unchanged\n", verb, n,
		res.Created, res.Changed, res.Retired, res.Unchanged)
	return nil
}

// writeFileAtomically writes through a temporary file, so a failure never leaves half a file.
func writeFileAtomically(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "-" {
		return write(stdout)
	}
	tmp, err := os.CreateTemp(dirOf(path), ".categories-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
