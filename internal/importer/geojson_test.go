package importer_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"

	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/importer"
	"streetchief/internal/registry"
)

// tableCounts counts the rows an import could touch, to prove a refused one wrote nothing.
func tableCounts(t *testing.T) string {
	t.Helper()
	var a, u, l int
	err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT (SELECT count(*) FROM area), (SELECT count(*) FROM admin_unit),
		(SELECT count(*) FROM audit_log)`).Scan(&a, &u, &l)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("areas=%d units=%d audit=%d", a, u, l)
}

// square is a GeoJSON polygon d degrees wide at (x, y), far from the Liechtenstein import.
func square(x, y, d float64) string {
	return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`,
		x, y, x+d, y, x+d, y+d, x, y+d, x, y)
}

func feature(geometry, props string) string {
	return fmt.Sprintf(`{"type":"Feature","geometry":%s,"properties":%s}`, geometry, props)
}

func collection(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

// bowtie crosses itself at (x+0.0005, y+0.0005).
func bowtie(x, y float64) string {
	return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`,
		x, y, x+0.001, y+0.001, x+0.001, y, x, y+0.001, x, y)
}

func importString(t *testing.T, body string, g importer.GeoJSONOptions, opt registry.ImportOptions) (importer.Report, error) {
	t.Helper()
	return importer.ImportGeoJSON(context.Background(), registry.NewStore(dbtest.Pool(t)), system, strings.NewReader(body), g, opt)
}

func TestGeoJSONImportLoadsGoodFeaturesAndListsBadOnes(t *testing.T) {
	body := collection(
		feature(square(150, 10, 0.001), `{"name":"好公园"}`),
		feature(bowtie(150.01, 10), `{"name":"蝴蝶"}`),
		feature(`{"type":"Point","coordinates":[150,10]}`, `{"name":"点"}`),
		feature(`{"type":"Polygon","coordinates":[[[150,10],[150.001,10],[150.001,10.001],[150,10]]]}`, `{"name":"三角"}`),
		feature(`{"type":"Polygon","coordinates":[[[150,10],[150.001,10],[150.001,10.001],[150,10.001]]]}`, `{"name":"开口"}`),
		feature(`{"type":"LineString","coordinates":[[150.02,10],[150.021,10.001]]}`, `{"name":"小巷","width_m":6}`),
	)
	before := tableCounts(t)
	rep, err := importString(t, body, importer.GeoJSONOptions{Kind: "park"}, registry.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Areas != 3 || rep.ByKind["park"] != 3 {
		t.Errorf("loaded %d (%v), want 3: the square, the triangle and the corridor", rep.Areas, rep.ByKind)
	}
	wantSkips := map[int]string{1: "Self-intersection", 2: "not Point", 4: "not closed"}
	if len(rep.Skipped) != len(wantSkips) {
		t.Fatalf("skipped %+v, want indexes 1, 2 and 4", rep.Skipped)
	}
	for _, s := range rep.Skipped {
		if want := wantSkips[s.Index]; want == "" || !strings.Contains(s.Reason, want) {
			t.Errorf("feature %d skipped with %q, want a reason with %q", s.Index, s.Reason, want)
		}
		if s.Index == 1 && len(s.Location) != 2 {
			t.Errorf("the self-intersection has no location: %+v", s)
		}
	}
	if before == tableCounts(t) {
		t.Errorf("nothing was written")
	}
}

func TestGeoJSONStrictImportRollsBackEverything(t *testing.T) {
	before := tableCounts(t)
	for name, body := range map[string]string{
		"invalid ring":    collection(feature(square(151, 10, 0.001), `{"name":"甲"}`), feature(bowtie(151.01, 10), `{"name":"乙"}`)),
		"unreadable kind": collection(feature(square(151, 10, 0.001), `{"name":"甲","kind":"castle"}`)),
		"point":           collection(feature(square(151, 10, 0.001), `{"name":"甲","kind":"park"}`), feature(`{"type":"Point","coordinates":[1,2]}`, `{"kind":"park"}`)),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := importString(t, body, importer.GeoJSONOptions{}, registry.ImportOptions{Strict: true})
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("strict import: %v, want an Invalid error", err)
			}
			if after := tableCounts(t); after != before {
				t.Fatalf("tables changed: %s → %s", before, after)
			}
		})
	}
}

func TestGeoJSONRepairSaysWhatChanged(t *testing.T) {
	rep, err := importString(t, collection(feature(bowtie(152, 10), `{"name":"蝴蝶","kind":"square"}`)),
		importer.GeoJSONOptions{}, registry.ImportOptions{Repair: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Areas != 1 || len(rep.Repaired) != 1 || len(rep.Skipped) != 0 {
		t.Fatalf("repair: loaded %d, repaired %+v, skipped %+v", rep.Areas, rep.Repaired, rep.Skipped)
	}
	r := rep.Repaired[0]
	if !strings.Contains(r.Reason, "Self-intersection") || !strings.Contains(r.Change, "1 polygon(s) → 2") {
		t.Errorf("repair report %+v does not say what was wrong and what changed", r)
	}
}

func TestGeoJSONMalformedDocumentsAreRefused(t *testing.T) {
	for _, body := range []string{``, `[]`, `{"type":"Feature"}`, `{"type":"FeatureCollection","features":[{"type":"Feature",`, `{"type":"FeatureCollection"}`} {
		if _, _, err := importer.DecodeFeatureCollection(strings.NewReader(body), importer.GeoJSONOptions{}); !apperr.Is(err, apperr.Malformed) {
			t.Errorf("%q: %v, want Malformed", body, err)
		}
	}
}

func TestExportFormats(t *testing.T) {
	if _, err := importString(t, collection(feature(square(153, 10, 0.001), `{"name":"导出公园, \"引号\""}`)),
		importer.GeoJSONOptions{Kind: "park"}, registry.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	store := registry.NewStore(dbtest.Pool(t))
	walk := func(fn func(registry.ExportArea) error) error {
		return store.EachArea(context.Background(), system, fn)
	}
	var n int
	if err := walk(func(registry.ExportArea) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}

	var kml bytes.Buffer
	if err := importer.Export(&kml, "kml", walk); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Placemarks []struct {
			Name    string `xml:"name"`
			Polygon []byte `xml:",innerxml"`
		} `xml:"Document>Placemark"`
	}
	if err := xml.Unmarshal(kml.Bytes(), &doc); err != nil {
		t.Fatalf("KML does not parse: %v", err)
	}
	if len(doc.Placemarks) != n || !bytes.Contains(kml.Bytes(), []byte("<MultiGeometry>")) {
		t.Fatalf("KML has %d placemarks, want %d with geometry", len(doc.Placemarks), n)
	}

	var csvOut bytes.Buffer
	if err := importer.Export(&csvOut, "csv", walk); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(csvOut.Bytes(), []byte("\xEF\xBB\xBF")) {
		t.Fatalf("CSV has no UTF-8 byte order mark")
	}
	records, err := csv.NewReader(bytes.NewReader(csvOut.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != n+1 || records[0][7] != "wkt" || !strings.HasPrefix(records[len(records)-1][7], "MULTIPOLYGON") {
		t.Fatalf("CSV: %d records, header %v", len(records), records[0])
	}
	if records[len(records)-1][2] != `导出公园, "引号"` {
		t.Errorf("CSV name %q did not survive quoting", records[len(records)-1][2])
	}
}
