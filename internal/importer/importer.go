// Package importer brings real data in and takes it out: OpenStreetMap extracts (.osm.pbf) and GeoJSON
// FeatureCollections become areas and admin units through registry.Import (one transaction, COPY into
// staging), and areas leave as GeoJSON, CSV or KML. It reads and writes formats; the registry owns the
// tables and the rules. It must not depend on the HTTP layer or the command line.
package importer

import (
	"cmp"
	"context"
	"io"
	"maps"
	"slices"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/registry"
)

// Report is what an import did: the registry's result with the features skipped before the database
// merged in, and, for OSM, what was read and the merchants to come.
type Report struct {
	registry.ImportResult
	File          string         `json:"file,omitempty"`
	Read          map[string]int `json:"read,omitempty"`
	Candidates    map[string]int `json:"candidates_by_kind,omitempty"`
	MerchantCount int            `json:"merchants_to_come_count,omitempty"`
	Merchants     []Merchant     `json:"merchants_to_come,omitempty"`
	// AdminLevels is what the extract has per admin_level; ChosenLevels, when set, the levels used
	// because the mapping's matched no boundary (AdminLevelHint says so).
	AdminLevels  []AdminLevelCount `json:"admin_levels_in_file,omitempty"`
	ChosenLevels map[string]string `json:"admin_levels_chosen,omitempty"`

	adminMatched bool
	mappedLevels []string
}

// Complete reports whether every feature loaded.
func (r Report) Complete() bool { return len(r.Skipped) == 0 }

// ImportOSM reads an OSM extract with mapping m and loads it. In strict mode the first feature that
// cannot be built fails the import before the database is touched.
func ImportOSM(ctx context.Context, store *registry.Store, who access.Principal, path string, m Mapping,
	opt registry.ImportOptions, progress io.Writer) (Report, error) {
	d, err := ReadOSM(ctx, path, m, progress)
	if err != nil {
		return Report{}, err
	}
	rep := Report{File: path, Read: map[string]int{"nodes": d.Read.Nodes, "ways": d.Read.Ways, "relations": d.Read.Relations},
		Candidates: map[string]int{}, MerchantCount: len(d.Merchants), Merchants: d.Merchants,
		AdminLevels: d.AdminLevels, ChosenLevels: d.ChosenLevels, adminMatched: d.AdminMatched,
		mappedLevels: slices.SortedFunc(maps.Keys(m.AdminLevels), compareLevels)}
	for _, a := range d.Areas {
		rep.Candidates[a.Kind]++
	}
	for _, s := range d.Skipped {
		if s.Target == "area" {
			rep.Candidates[s.Kind]++
		}
	}
	if opt.Strict && len(d.Skipped) > 0 {
		return rep, skipError(d.Skipped[0])
	}
	res, err := store.Import(ctx, who, d.Units, d.Areas, opt)
	if err != nil {
		return rep, err
	}
	rep.ImportResult = merge(res, d.Skipped)
	return rep, nil
}

// ImportGeoJSON reads a FeatureCollection and loads its features as areas, decoding while the
// import copies. In strict mode the first feature that cannot become an area fails the import.
func ImportGeoJSON(ctx context.Context, store *registry.Store, who access.Principal, r io.Reader, g GeoJSONOptions,
	opt registry.ImportOptions) (Report, error) {
	st := newFeatureStream(r, g, opt.Strict)
	defer st.close()
	res, err := store.ImportStream(ctx, who, nil, st.next, opt)
	if err != nil {
		return Report{}, err
	}
	return Report{ImportResult: merge(res, st.skipped)}, nil
}

func merge(res registry.ImportResult, pre []registry.ImportSkip) registry.ImportResult {
	res.Skipped = append(res.Skipped, pre...)
	slices.SortStableFunc(res.Skipped, func(a, b registry.ImportSkip) int {
		return cmp.Or(cmp.Compare(a.Index, b.Index), cmp.Compare(a.Target, b.Target))
	})
	return res
}

// skipError is the strict-mode failure for a feature that could not be built.
func skipError(s registry.ImportSkip) error {
	return apperr.New(apperr.Invalid, "%s %d (%s): %s; nothing was imported", s.Target, s.Index, s.Source, s.Reason).
		With("index", s.Index).With("source", s.Source).With("reason", s.Reason)
}
