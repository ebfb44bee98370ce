package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"streetchief/internal/access"
	"streetchief/internal/importer"
	"streetchief/internal/merchants"
	"streetchief/internal/registry"
)

const importUsage = `usage:
  streetchief import osm FILE.osm.pbf [--mapping FILE.json] [--dry-run] [--strict] [--repair] [--report FILE.json]
  streetchief import geojson FILE [--kind K] [--name-prop P] [--key-prop P] [--dry-run] [--strict] [--repair] [--report FILE.json]`

// importCommand loads an OSM extract or a GeoJSON file into the registry in one transaction. An
// error (a non-zero exit) means nothing was committed: an import that loaded the good features and
// skipped the others succeeded, says so in its summary and keeps the skips in --report; --strict
// turns any skip into a refusal of the whole file.
func importCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprintln(stdout, importUsage)
		return nil
	}
	if len(args) == 0 || (args[0] != "osm" && args[0] != "geojson") {
		fmt.Fprintln(stderr, importUsage)
		return errors.New("import: say osm or geojson")
	}
	what := args[0]
	cfg, fs := newConfig("import "+what, stderr)
	var opt registry.ImportOptions
	fs.BoolVar(&opt.DryRun, "dry-run", false, "check everything, write nothing")
	fs.BoolVar(&opt.Strict, "strict", false, "any feature skipped rolls back everything and fails the import")
	fs.BoolVar(&opt.Repair, "repair", false, "repair invalid geometries with ST_MakeValid and report what changed")
	reportPath := fs.String("report", "", "write the full report as JSON to this file")
	mappingPath := fs.String("mapping", "", "osm: JSON mapping over the default (see docs/import.md)")
	kind := fs.String("kind", "", "geojson: the kind of every feature (default: each feature's properties.kind)")
	nameProp := fs.String("name-prop", "name", "geojson: the property that holds the name")
	keyProp := fs.String("key-prop", "", "geojson: the property that holds each feature's lasting key; areas stored under a key are changed in place")
	if err := fs.Parse(interleave(fs, args[1:])); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, importUsage)
		return fmt.Errorf("import %s: give exactly one file", what)
	}
	path := fs.Arg(0)
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	pool, err := cfg.openDatabase(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	store := registry.NewStore(pool)
	who := access.System("import")
	opt.Label = what + " " + path
	var rep importer.Report
	var shops merchants.ImportReport
	switch what {
	case "osm":
		m, err := importer.LoadMapping(*mappingPath)
		if err != nil {
			return err
		}
		bar := progress(stderr, 3*info.Size(), "reading "+path)
		var w io.Writer
		if bar != nil {
			w = bar
		}
		rep, err = importer.ImportOSM(ctx, store, who, path, m, opt, w)
		if bar != nil {
			_ = bar.Finish()
		}
		if err != nil {
			return err
		}
		// The shops go to the 门前三包 register after the territory they are located in has committed.
		shops, err = merchants.NewStore(pool, store, nil, nil, merchants.Rules{}).ImportRows(ctx, who, merchants.OSMRows(rep.Merchants), nil,
			merchants.ImportOptions{DryRun: opt.DryRun, Label: opt.Label})
		if err != nil {
			return fmt.Errorf("import: the territory is committed, but the shops: %w", err)
		}
	case "geojson":
		// The decoder's garbage is short-lived and its heap bounded by the read-ahead, not the file:
		// collecting a quarter as often saved ~10 % of the client's CPU on the bench city for
		// ~150 MB more at the peak. GOGC, when set, still decides.
		if os.Getenv("GOGC") == "" {
			defer debug.SetGCPercent(debug.SetGCPercent(400))
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		var r io.Reader = f
		bar := progress(stderr, info.Size(), "reading "+path)
		if bar != nil {
			r = io.TeeReader(f, bar)
		}
		rep, err = importer.ImportGeoJSON(ctx, store, who, r, importer.GeoJSONOptions{Kind: *kind, NameProp: *nameProp, KeyProp: *keyProp}, opt)
		if bar != nil {
			_ = bar.Finish()
		}
		if err != nil {
			return err
		}
		rep.File = path
	}
	if *reportPath != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := writeFile(*reportPath, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
			return fmt.Errorf("import: committed, but the report: %w", err)
		}
	}
	printReport(stdout, rep)
	if what == "osm" {
		fmt.Fprintf(stdout, "shops: %d created, %d updated, %d unchanged, %d not stored (outside every subdistrict or unplaced)\n",
			shops.Created, shops.Updated, shops.Unchanged, len(shops.Rejected))
	}
	if !rep.Complete() {
		fmt.Fprintf(stdout, "%d feature(s) skipped (listed above%s); the rest is %s\n", len(rep.Skipped), reportHint(*reportPath),
			map[bool]string{false: "committed", true: "checked, nothing written"}[rep.DryRun])
	}
	return nil
}

func reportHint(path string) string {
	if path == "" {
		return "; --report FILE.json keeps the full list"
	}
	return "; all of them in " + path
}

// progress is a progress bar with rate and ETA on a terminal, and nothing at all otherwise (a log
// file full of carriage returns helps nobody).
func progress(stderr io.Writer, total int64, what string) *progressbar.ProgressBar {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions64(total, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription(what),
		progressbar.OptionShowBytes(true), progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(), progressbar.OptionFullWidth())
}

func printReport(w io.Writer, rep importer.Report) {
	verb := "loaded"
	if rep.DryRun {
		verb = "would load (dry run, nothing written)"
	}
	fmt.Fprintf(w, "%s %d areas and %d admin units in %s\n", verb, rep.Areas, rep.Units, rep.Elapsed.Round(time.Millisecond))
	if rep.Updated+rep.Unchanged+rep.UnitsUpdated+rep.UnitsUnchanged > 0 {
		fmt.Fprintf(w, "  already stored under their keys: %d areas changed in place, %d unchanged; %d admin units changed, %d unchanged\n",
			rep.Updated, rep.Unchanged, rep.UnitsUpdated, rep.UnitsUnchanged)
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, k := range sortedKeys(rep.ByKind) {
		fmt.Fprintf(tw, "  %s\t%d\n", k, rep.ByKind[k])
	}
	for _, k := range sortedKeys(rep.UnitsByLevel) {
		fmt.Fprintf(tw, "  admin unit: %s\t%d\n", k, rep.UnitsByLevel[k])
	}
	tw.Flush()
	for _, line := range rep.AdminLevelHint() {
		fmt.Fprintln(w, line)
	}
	if rep.Read != nil {
		fmt.Fprintf(w, "read %d nodes, %d ways, %d relations; %d shops\n",
			rep.Read["nodes"], rep.Read["ways"], rep.Read["relations"], rep.MerchantCount)
	}
	for _, r := range rep.Repaired {
		fmt.Fprintf(w, "repaired %s %d (%s): %s — %s\n", r.Target, r.Index, r.Source, r.Reason, r.Change)
	}
	const shown = 50
	for i, s := range rep.Skipped {
		if i == shown {
			fmt.Fprintf(w, "… and %d more skipped\n", len(rep.Skipped)-shown)
			break
		}
		loc := ""
		if s.Location != nil {
			loc = fmt.Sprintf(" at [%.7f, %.7f]", s.Location[0], s.Location[1])
		}
		fmt.Fprintf(w, "skipped %s %d (%s, %s): %s%s\n", s.Target, s.Index, s.Source, s.Kind, s.Reason, loc)
	}
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// interleave moves flags before positional arguments, so "import osm FILE --dry-run" works; unlike
// reorderFlags it knows which flags are boolean and take no value.
func interleave(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			continue
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); (!ok || !b.IsBoolFlag()) && i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	return append(flags, pos...)
}
