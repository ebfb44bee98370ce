package importer_test

import (
	"strings"
	"testing"

	"streetchief/internal/apperr"
	"streetchief/internal/importer"
)

// FuzzDecodeFeatureCollection: whatever arrives, the decoder answers areas and skips or a Malformed
// error — never a panic, never another kind of error.
func FuzzDecodeFeatureCollection(f *testing.F) {
	f.Add(collection(feature(square(150, 10, 0.001), `{"name":"甲","kind":"park"}`)))
	f.Add(collection(feature(bowtie(150, 10), `{"kind":"park","attributes":{"a":1}}`),
		feature(`{"type":"LineString","coordinates":[[1,2],[3,4]]}`, `{"kind":"back_lane","width_m":"wide"}`)))
	f.Add(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[1e400,0]]]}}]}`)
	f.Add(`{"type":"FeatureCollection","features":[null,1,"x",{}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		areas, skipped, err := importer.DecodeFeatureCollection(strings.NewReader(body), importer.GeoJSONOptions{})
		if err != nil {
			if !apperr.Is(err, apperr.Malformed) {
				t.Fatalf("error of code %s: %v", apperr.CodeOf(err), err)
			}
			return
		}
		for _, s := range skipped {
			if s.Reason == "" {
				t.Fatalf("skip without a reason: %+v", s)
			}
		}
		for _, a := range areas {
			if a.Kind == "" || a.Name == "" || (a.Geom == nil && len(a.Centreline) == 0) {
				t.Fatalf("area without kind, name or geometry: %+v", a)
			}
		}
	})
}
