package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/incidents"
	"streetchief/internal/monthly"
	"streetchief/internal/pdf"
	"streetchief/internal/registry"
	"streetchief/internal/reports"
)

const reportUsage = `usage:
  streetchief report gaps [--scope district|subdistrict:<id or name>|community:<id or name>] [--at TIME] [--kinds k1,k2] [--format json|geojson|csv|xlsx|html|pdf] [--lang zh|en] [-o FILE]
  streetchief report monthly [--month YYYY-MM] [--subdistrict ID] [--format html|pdf] [-o FILE]`

// reportCommand writes a report: streetchief report gaps --scope subdistrict:东城街道 --format xlsx -o
// gaps.xlsx, or streetchief report monthly --month 2026-11 --format pdf -o 月报.pdf.
func reportCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "gaps":
			return gapsCommand(ctx, args[1:], stdout, stderr)
		case "monthly":
			return monthlyCommand(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintln(stderr, reportUsage)
	return errors.New("report: the reports are gaps and monthly")
}

func gapsCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, fs := newConfig("report gaps", stderr)
	scope := fs.String("scope", "district", "district, subdistrict:<id or name> or community:<id or name>")
	at := fs.String("at", "", "as of this moment (RFC 3339); default now")
	kinds := fs.String("kinds", "", "comma-separated gap kinds: "+strings.Join(reports.Kinds, ","))
	format := fs.String("format", "json", "json, geojson, csv, xlsx, html or pdf")
	lang := fs.String("lang", "zh", "the language of the html and pdf: zh or en")
	out := fs.String("o", "-", "output file (- for standard output)")
	minSliver := fs.Float64("min-sliver-m2", 1, "ignore territory gaps and overlaps smaller than this")
	if err := fs.Parse(reorderFlags(args)); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if _, ok := reports.ContentTypes[*format]; !ok && *format != "pdf" {
		return fmt.Errorf("--format %q is not one of json, geojson, csv, xlsx, html, pdf", *format)
	}
	l, ok := reports.ParseLang(*lang)
	if !ok {
		return fmt.Errorf("--lang %q is not zh or en", *lang)
	}
	printed := *format == "html" || *format == "pdf"
	sc, err := reports.ParseScope(*scope)
	if err != nil {
		return err
	}
	q := reports.Query{Scope: sc, MinSliverM2: *minSliver, WithMap: printed}
	if *at != "" {
		if q.At, err = time.Parse(time.RFC3339, *at); err != nil {
			return fmt.Errorf("--at %q is not an RFC 3339 time", *at)
		}
	}
	if *kinds != "" {
		q.Kinds = strings.Split(*kinds, ",")
	}
	renderer := pdf.New(cfg.Chromium, 0)
	if *format == "pdf" {
		if _, err := renderer.Available(); err != nil {
			return err
		}
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
	write := func(w io.Writer) error { return rep.Write(w, *format) }
	if printed {
		var page bytes.Buffer
		if err := rep.WriteHTMLIn(&page, l); err != nil {
			return err
		}
		write = printedWriter(ctx, renderer, *format, page.Bytes())
	}
	if err := writeOut(*out, stdout, write); err != nil {
		return err
	}
	if *out != "-" {
		fmt.Fprintf(stderr, "wrote %s (%d unassigned areas, %d territory gaps, %d overlaps, %d vacant posts) in %s\n", *out,
			len(rep.Unassigned), len(rep.Territory), len(rep.Overlaps), len(rep.Vacant), rep.Elapsed.Round(time.Millisecond))
	}
	return nil
}

func monthlyCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, fs := newConfig("report monthly", stderr)
	month := fs.String("month", "", "the month, YYYY-MM (Beijing); default the last whole month")
	sub := fs.Int64("subdistrict", 0, "one subdistrict's id; default the whole district")
	format := fs.String("format", "html", "html or pdf")
	out := fs.String("o", "-", "output file (- for standard output)")
	if err := fs.Parse(reorderFlags(args)); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *format != "html" && *format != "pdf" {
		return fmt.Errorf("--format %q is not html or pdf", *format)
	}
	renderer := pdf.New(cfg.Chromium, 0)
	if *format == "pdf" {
		if _, err := renderer.Available(); err != nil {
			return err
		}
	}
	pool, err := cfg.openDatabase(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	store := registry.NewStore(pool)
	// Counting KPIs routes nothing: the service needs no lookup engine here.
	svc := monthly.NewService(incidents.NewService(pool, nil, incidents.Options{}), reports.NewService(pool), store)
	rep, err := svc.Make(ctx, access.System("cli"), monthly.Query{Month: *month, SubdistrictID: *sub})
	if err != nil {
		return err
	}
	var page bytes.Buffer
	if err := rep.WriteHTML(&page); err != nil {
		return err
	}
	if err := writeOut(*out, stdout, printedWriter(ctx, renderer, *format, page.Bytes())); err != nil {
		return err
	}
	if *out != "-" {
		fmt.Fprintf(stderr, "wrote %s: %s, %d cases\n", *out, rep.Period.Label, rep.KPIs.Total.Cases)
	}
	return nil
}

// printedWriter writes a printed report's HTML as it is, or rendered to PDF.
func printedWriter(ctx context.Context, r *pdf.Renderer, format string, html []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		doc := html
		if format == "pdf" {
			var err error
			if doc, err = r.Render(ctx, html); err != nil {
				return err
			}
		}
		_, err := w.Write(doc)
		return err
	}
}

func writeOut(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "-" {
		return write(stdout)
	}
	return writeFile(path, write)
}
