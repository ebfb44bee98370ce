package importer_test

import (
	"bytes"
	"testing"

	"github.com/paulmach/orb"

	"streetchief/internal/importer"
	"streetchief/internal/registry"
)

// TestExportGeoJSONBytes pins the exported GeoJSON byte for byte: files already written by earlier
// versions are imported again by source_key, and the OGC API's areas show the same properties.
func TestExportGeoJSONBytes(t *testing.T) {
	areas := []registry.ExportArea{{
		Area: registry.Area{ID: 7, Kind: "road", Name: "长安街",
			Geom:       orb.MultiPolygon{{{{1, 2}, {3, 2}, {3, 4}, {1, 2}}}},
			Centreline: orb.MultiLineString{{{1, 2}, {3, 4}}},
			Attributes: map[string]any{"lanes": 4.0, "surface": "asphalt"}, SubdistrictID: 3, CommunityID: 5},
		SubdistrictName: "东华门街道", CommunityName: "多福巷社区", SourceKey: "way/42",
		Responsible: []registry.Responsible{{Role: "street_chief", Name: "王"}, {Role: "lane_chief", Name: "李"}},
	}, {
		Area: registry.Area{ID: 8, Kind: "park", Name: "小园", Geom: orb.MultiPolygon{{{{5, 6}, {7, 6}, {7, 8}, {5, 6}}}}},
	}}
	var out bytes.Buffer
	err := importer.Export(&out, "geojson", func(fn func(registry.ExportArea) error) error {
		for _, a := range areas {
			if err := fn(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"type":"FeatureCollection","features":[` +
		`{"type":"Feature","id":7,"geometry":{"type":"MultiPolygon","coordinates":[[[[1,2],[3,2],[3,4],[1,2]]]]},` +
		`"properties":{"kind":"road","name":"长安街","subdistrict_id":3,"subdistrict":"东华门街道","community_id":5,` +
		`"community":"多福巷社区","responsible":[{"role":"street_chief","name":"王"},{"role":"lane_chief","name":"李"}],` +
		`"responsible_names":"王 (street_chief); 李 (lane_chief)","attributes":{"lanes":4,"surface":"asphalt"},` +
		`"centreline":{"type":"MultiLineString","coordinates":[[[1,2],[3,4]]]},"source_key":"way/42"}}` + "\n" +
		`,{"type":"Feature","id":8,"geometry":{"type":"MultiPolygon","coordinates":[[[[5,6],[7,6],[7,8],[5,6]]]]},` +
		`"properties":{"kind":"park","name":"小园","responsible":[],"responsible_names":""}}` + "\n" +
		"]}\n"
	if got := out.String(); got != want {
		t.Errorf("exported GeoJSON changed:\n got %s\nwant %s", got, want)
	}
}
