package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"streetchief/geo"
	"streetchief/internal/access"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

// lookupCommand answers "who is responsible here?" from the command line: one point as JSON, or a CSV
// of lon,lat rows answered as CSV, in order.
func lookupCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, fs := newConfig("lookup", stderr)
	csvPath := fs.String("csv", "", "read lon,lat rows from this CSV file (- for stdin) and write one answer row each")
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
	var single orb.Point
	switch {
	case *csvPath == "" && fs.NArg() == 2:
		if single, err = parseLonLat(fs.Arg(0), fs.Arg(1)); err != nil {
			return err
		}
	case *csvPath != "" && fs.NArg() == 0:
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
	return lookupCSV(engine, q, crs, *csvPath, stdout)
}

func lookupCSV(engine *lookup.Engine, q lookup.Query, crs geo.CRS, path string, stdout io.Writer) error {
	in := io.Reader(os.Stdin)
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1
	w := csv.NewWriter(stdout)
	if err := w.Write([]string{"lon", "lat", "area_ids", "area_names", "responsible", "community", "lane_chief", "subdistrict", "street_chief"}); err != nil {
		return err
	}
	var sc lookup.Scratch
	for line := 1; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if len(rec) < 2 {
			return fmt.Errorf("%s line %d: want lon,lat", path, line)
		}
		pt, err := parseLonLat(rec[0], rec[1])
		if err != nil {
			if line == 1 {
				continue // a header row
			}
			return fmt.Errorf("%s line %d: %w", path, line, err)
		}
		q.Point = geo.ToWGS84(pt, crs)
		ans, err := engine.AnswerWith(q, &sc)
		if err != nil {
			return err
		}
		if err := w.Write(answerRow(ans)); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

func answerRow(a lookup.Answer) []string {
	var ids, names, people []string
	for _, area := range a.Areas {
		ids = append(ids, strconv.FormatInt(area.ID, 10))
		names = append(names, area.Name)
		for _, p := range area.Responsible {
			people = append(people, p.Name)
		}
	}
	unit := func(u *lookup.UnitHit) (string, string) {
		if u == nil {
			return "", ""
		}
		if u.Chief == nil {
			return u.Name, ""
		}
		return u.Name, u.Chief.Name
	}
	com, lane := unit(a.Community)
	sub, street := unit(a.Subdistrict)
	return []string{strconv.FormatFloat(a.Lon, 'f', -1, 64), strconv.FormatFloat(a.Lat, 'f', -1, 64),
		strings.Join(ids, ";"), strings.Join(names, ";"), strings.Join(people, ";"), com, lane, sub, street}
}

func parseLonLat(lonText, latText string) (orb.Point, error) {
	lon, err := strconv.ParseFloat(strings.TrimSpace(lonText), 64)
	if err != nil || lon < -180 || lon > 180 {
		return orb.Point{}, fmt.Errorf("longitude %q is not a number from -180 to 180", lonText)
	}
	lat, err := strconv.ParseFloat(strings.TrimSpace(latText), 64)
	if err != nil || lat < -90 || lat > 90 {
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
