package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/importer"
	"streetchief/internal/registry"
)

// exportCommand writes every area, with who is responsible for it, as GeoJSON, CSV or KML:
// streetchief export --format kml -o areas.kml.
func exportCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, fs := newConfig("export", stderr)
	format := fs.String("format", "geojson", "geojson, csv or kml")
	out := fs.String("o", "-", "output file (- for standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if _, ok := importer.ExportFormats[*format]; !ok {
		return fmt.Errorf("--format %q is not one of geojson, csv, kml", *format)
	}
	pool, err := cfg.openDatabase(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	store := registry.NewStore(pool)
	who := access.System("export")
	start := time.Now()
	n := 0
	walk := func(fn func(registry.ExportArea) error) error {
		return store.EachArea(ctx, who, func(a registry.ExportArea) error { n++; return fn(a) })
	}
	if *out == "-" {
		return importer.Export(stdout, *format, walk)
	}
	if err := writeFile(*out, func(w io.Writer) error { return importer.Export(w, *format, walk) }); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s (%d areas) in %s\n", *out, n, time.Since(start).Round(time.Millisecond))
	return nil
}
