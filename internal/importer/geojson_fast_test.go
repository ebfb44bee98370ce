package importer

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/paulmach/orb/geojson"
)

var geometrySamples = []string{
	`{"type":"Polygon","coordinates":[[[1,2],[3,2],[3,4],[1,2]]]}`,
	`{"coordinates":[[[1,2],[3,2],[3,4],[1,2]]],"type":"Polygon"}`,
	`{ "type" : "MultiPolygon" , "coordinates" : [ [ [ [1.5e1,-2E-3,7] , [3,2] , [3,4] , [1.5e1,-2E-3] ] ] ] }`,
	`{"type":"LineString","coordinates":[[117.1,25.0],[117.2,25.1]]}`,
	`{"type":"MultiLineString","coordinates":[[[0,0],[1,1]],[[2,2],[3,3]]]}`,
	`{"type":"Polygon","coordinates":[]}`,
	`{"type":"Polygon","coordinates":[[[1]]]}`,
	`{"type":"Polygon","coordinates":[[[1e400,0]]]}`,
	`{"type":"Point","coordinates":[1,2]}`,
	`{"type":"Poly\u0067on","coordinates":[[[1,2],[3,2],[3,4],[1,2]]]}`,
	`{"type":"Polygon","coordinates":[[[1,2],[3,2],[3,4],[1,2]]],"bbox":[1,2,3,4]}`,
	`{"type":"Polygon","coordinates":[[[1,2],[3,2],[3,4],[1,2]]],"type":"MultiPolygon"}`,
	`{"type":"Polygon","coordinates":[[[01,2]]]}`,
}

// The fast reader must agree with orb's decoder whenever it answers at all.
func TestFastGeometryAgreesWithOrb(t *testing.T) {
	for _, s := range geometrySamples {
		checkFastGeometry(t, []byte(s))
	}
}

func FuzzFastGeometryAgreesWithOrb(f *testing.F) {
	for _, s := range geometrySamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkFastGeometry(t, []byte(s)) })
}

func checkFastGeometry(t *testing.T, raw []byte) {
	t.Helper()
	g, typ, err := fastGeometry(raw)
	if err != nil {
		return // orb's decoder answers these
	}
	if !json.Valid(raw) {
		t.Fatalf("%s: the fast reader took JSON that is not valid", raw)
	}
	og, oerr := geojson.UnmarshalGeometry(raw)
	if oerr != nil {
		t.Fatalf("%s: fast reader read %v, orb refused: %v", raw, g, oerr)
	}
	if typ != og.Type || normal(g) != normal(og.Coordinates) {
		t.Fatalf("%s: fast %s %v, orb %s %v", raw, typ, g, og.Type, og.Coordinates)
	}
}

// normal makes empty and nil slices alike, as orb and the fast reader differ there only.
func normal(g any) string { return fmt.Sprintf("%T%v", g, g) }

// readFeature must read what encoding/json reads.
func TestReadFeatureAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range []string{
		`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[1,2],[3,2],[3,4],[1,2]]]},"properties":{"kind":"park","name":"园","n":1,"a":{"b":[1,"]"]}}}`,
		`{"properties":{"k\u0069nd":"park"},"type":"Feature","geometry":null}`,
		`{"type":"Feature","properties":null,"geometry":{"type":"Point","coordinates":[1,2]}}`,
		`{"type":"Feature","properties":{"kind":"a","kind":"b"},"geometry":{}}`,
	} {
		f, err := readFeature([]byte(s))
		var want featureIn
		werr := json.Unmarshal([]byte(s), &want)
		if (err == nil) != (werr == nil) || f.Type != want.Type || string(f.Geometry) != string(want.Geometry) {
			t.Fatalf("%s: got %+v (%v), want %+v (%v)", s, f, err, want, werr)
		}
		for k, raw := range want.Properties {
			if got, _ := f.prop(k); string(got) != string(raw) {
				t.Fatalf("%s: property %s = %s, want %s", s, k, got, raw)
			}
		}
	}
}
