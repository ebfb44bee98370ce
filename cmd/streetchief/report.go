package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/reports"
)

// reportCommand writes a coverage gap report: streetchief report gaps --scope subdistrict:东城街道
// --format xlsx -o gaps.xlsx.
func reportCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "gaps" {
		fmt.Fprintln(stderr, "usage: streetchief report gaps [--scope district|subdistrict:<id or name>|community:<id or name>] [--at TIME] [--kinds k1,k2] [--format json|geojson|csv|xlsx|html] [-o FILE]")
		return errors.New("report: the only report is gaps")
	}
	cfg, fs := newConfig("report gaps", stderr)
	scope := fs.String("scope", "district", "district, subdistrict:<id or name> or community:<id or name>")
	at := fs.String("at", "", "as of this moment (RFC 3339); default now")
	kinds := fs.String("kinds", "", "comma-separated gap kinds: "+strings.Join(reports.Kinds, ","))
	format := fs.String("format", "json", "json, geojson, csv, xlsx or html")
	out := fs.String("o", "-", "output file (- for standard output)")
	minSliver := fs.Float64("min-sliver-m2", 1, "ignore territory gaps and overlaps smaller than this")
	if err := fs.Parse(reorderFlags(args[1:])); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if _, ok := reports.ContentTypes[*format]; !ok {
		return fmt.Errorf("--format %q is not one of json, geojson, csv, xlsx, html", *format)
	}
	sc, err := reports.ParseScope(*scope)
	if err != nil {
		return err
	}
	q := reports.Query{Scope: sc, MinSliverM2: *minSliver}
	if *at != "" {
		if q.At, err = time.Parse(time.RFC3339, *at); err != nil {
			return fmt.Errorf("--at %q is not an RFC 3339 time", *at)
		}
	}
	if *kinds != "" {
		q.Kinds = strings.Split(*kinds, ",")
	}
	pool, err := cfg.openDatabase(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	rep, err := reports.NewService(pool).Gaps(ctx, access.System("cli"), q)
	if err != nil {
		return err
	}
	if *out == "-" {
		return rep.Write(stdout, *format)
	}
	if err := writeFile(*out, func(w io.Writer) error { return rep.Write(w, *format) }); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s (%d unassigned areas, %d territory gaps, %d overlaps, %d vacant posts) in %s\n", *out,
		len(rep.Unassigned), len(rep.Territory), len(rep.Overlaps), len(rep.Vacant), rep.Elapsed.Round(time.Millisecond))
	return nil
}
