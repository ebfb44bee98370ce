package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"streetchief/geo"
	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

// maxLookupInput bounds the CSV file the CLI reads whole: some 25 million points. The server's
// batches stop at lookup.MaxBatch points, a bound for a shared process that the CLI does not need.
const maxLookupInput = 1 << 30

// lookupCommand answers "who is responsible here?" from the command line: one point as JSON, or a CSV
// of lon,lat rows through the batch path POST /api/v1/lookup takes (lookup.Engine.AnswerBatch),
// answered in order as CSV, NDJSON or JSON.
func lookupCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, fs := newConfig("lookup", stderr)
	csvPath := fs.String("csv", "", "read lon,lat rows from this CSV file (- for stdin) and write one answer each, in order; a bad row refuses the file (exit status 2) before any answer")
	format := fs.String("format", "csv", "with --csv, the answers' format: csv, ndjson or json (as POST /api/v1/lookup's format=)")
	fields := fs.String("fields", "full", "with --csv, full answers or ids only (area, community and subdistrict ids)")
	crsName := fs.String("crs", "wgs84", "coordinate system of the input: wgs84, cgcs2000, gcj02 or bd09")
	atText := fs.String("at", "", "answer for this moment (RFC 3339) instead of now")
	tolerance := fs.Float64("tolerance-m", lookup.DefaultToleranceM, "name the nearest area within this many metres when none covers the point")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: streetchief lookup [flags] LON LAT\n       streetchief lookup [flags] --csv FILE")
		fs.PrintDefaults()
	}
	if err := fs.Parse(reorderFlags(args)); err != nil {
		return err
	}
	crs, err := geo.ParseCRS(*crsName)
	if err != nil {
		return err
	}
	q := lookup.Query{ToleranceM: *tolerance, Who: access.System("cli")}
	if *tolerance == 0 {
		q.ToleranceM = -1
	}
	if *tolerance < 0 || *tolerance > lookup.MaxToleranceM {
		return fmt.Errorf("--tolerance-m must be between 0 and %d", lookup.MaxToleranceM)
	}
	if *atText != "" {
		if q.At, err = time.Parse(time.RFC3339, *atText); err != nil {
			return fmt.Errorf("--at %q is not an RFC 3339 time", *atText)
		}
	}
	ids, err := lookup.IDsOnly(*fields)
	if err != nil {
		return inputError("--%s", apperr.Message(err))
	}
	out, err := lookup.ParseFormat(*format)
	if err != nil {
		return inputError("--%s", apperr.Message(err))
	}
	var single orb.Point
	var batch []byte
	switch {
	case *csvPath == "" && fs.NArg() == 2:
		if single, err = parseLonLat(fs.Arg(0), fs.Arg(1)); err != nil {
			return err
		}
	case *csvPath != "" && fs.NArg() == 0:
		if batch, err = readInput(*csvPath, maxLookupInput); err != nil {
			return err
		}
	default:
		fs.Usage()
		return errors.New("give LON LAT, or --csv FILE")
	}

	pool, err := cfg.openDatabase(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	engine := lookup.New(registry.NewStore(pool))
	if err := engine.Load(ctx); err != nil {
		return err
	}
	if *csvPath == "" {
		q.Point = geo.ToWGS84(single, crs)
		ans, err := engine.Answer(q)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(ans)
	}
	err = engine.AnswerBatch(lookup.Batch{In: lookup.FormatCSV, Body: batch, CRS: crs, Query: q, Out: out, IDs: ids},
		func() (io.Writer, error) { return stdout, nil })
	if apperr.Is(err, apperr.Malformed) || apperr.Is(err, apperr.TooLarge) {
		name := *csvPath
		if name == "-" {
			name = "standard input"
		}
		return inputError("%s: %s", name, apperr.Message(err))
	}
	return err
}

func parseLonLat(lonText, latText string) (orb.Point, error) {
	lon, err := strconv.ParseFloat(strings.TrimSpace(lonText), 64)
	if err != nil || math.IsNaN(lon) || lon < -180 || lon > 180 {
		return orb.Point{}, fmt.Errorf("longitude %q is not a number from -180 to 180", lonText)
	}
	lat, err := strconv.ParseFloat(strings.TrimSpace(latText), 64)
	if err != nil || math.IsNaN(lat) || lat < -90 || lat > 90 {
		return orb.Point{}, fmt.Errorf("latitude %q is not a number from -90 to 90", latText)
	}
	return orb.Point{lon, lat}, nil
}

// reorderFlags moves flags before positional arguments, so "lookup 117 25 --crs gcj02" works and a
// negative coordinate after the flags is not mistaken for one.
func reorderFlags(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") && len(a) > 1 && (a[1] < '0' || a[1] > '9') && a[1] != '.' {
			flags = append(flags, a)
			if !strings.Contains(a, "=") && i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}
