package httpapi_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
)

// fetch makes a request and answers the status, the headers and the raw body.
func (c *apiClient) fetch(method, path, contentType, body string) (int, http.Header, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, raw
}

func sqAt(x, y, d float64) string {
	return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`, x, y, x+d, y, x+d, y+d, x, y+d, x, y)
}

func featureCollection(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

const selfCrossing = `{"type":"Polygon","coordinates":[[[140,40],[140.001,40.001],[140.001,40],[140,40.001],[140,40]]]}`

func TestAreasImportRoutesAndReportsPerFeature(t *testing.T) {
	srv, svc := newAPI(t)
	admin := asUser(t, srv, svc, "import-admin", access.Admin, 0)

	body := featureCollection(areaFeature("park", "导入公园", sqAt(140, 40.01, 0.001)), areaFeature("park", "坏公园", selfCrossing))
	status, doc := admin.do("POST", "/api/v1/areas:import", body)
	if status != http.StatusMultiStatus {
		t.Fatalf("POST /api/v1/areas:import with one bad feature: %d %v, want 207", status, doc)
	}
	skipped, _ := doc["skipped"].([]any)
	if doc["loaded"] != float64(1) || len(skipped) != 1 {
		t.Fatalf("report %v: want loaded 1 and one skipped", doc)
	}
	s := skipped[0].(map[string]any)
	if s["index"] != float64(1) || !strings.Contains(s["reason"].(string), "Self-intersection") || s["location"] == nil {
		t.Errorf("skipped feature reported as %v, want index 1, the reason and where", s)
	}

	if status, doc := admin.do("POST", "/api/v1/areas:import?kind=square", featureCollection(
		`{"type":"Feature","geometry":`+sqAt(140, 40.02, 0.001)+`,"properties":{"name":"广场"}}`)); status != http.StatusOK || doc["loaded"] != float64(1) {
		t.Fatalf("a clean import: %d %v, want 200 with loaded 1", status, doc)
	}

	before := rowCounts(t)
	status, doc = admin.do("POST", "/api/v1/areas:import?strict=true", body)
	if status != http.StatusUnprocessableEntity || doc["index"] != float64(1) {
		t.Fatalf("strict import: %d %v, want 422 naming feature 1", status, doc)
	}
	if after := rowCounts(t); after != before {
		t.Fatalf("a refused strict import wrote: %s → %s", before, after)
	}
	if status, doc := admin.do("POST", "/api/v1/areas:import", `{"type":"Feature"}`); status != http.StatusBadRequest {
		t.Fatalf("a Feature instead of a FeatureCollection: %d %v, want 400", status, doc)
	}
	if status, _ := (&apiClient{t: t, srv: srv}).do("POST", "/api/v1/areas:import", body); status != http.StatusUnauthorized {
		t.Fatalf("anonymous import: %d, want 401", status)
	}
}

func TestAreasImportRefusesFeaturesOutsideTheCallersScope(t *testing.T) {
	w := newAccessWorld(t)
	lane := w.clients[access.LaneChief] // lane chief of community A
	inA := w.comA.Boundary.Bound().Center()
	inB := w.comB.Boundary.Bound().Center()
	body := featureCollection(areaFeature("back_lane", "甲巷", sqAt(inA[0], inA[1], 0.001)),
		areaFeature("back_lane", "乙巷", sqAt(inB[0], inB[1], 0.001)))
	status, doc := lane.do("POST", "/api/v1/areas:import", body)
	skipped, _ := doc["skipped"].([]any)
	if status != http.StatusMultiStatus || doc["loaded"] != float64(1) || len(skipped) != 1 {
		t.Fatalf("lane chief importing into A and B: %d %v, want A loaded and B refused", status, doc)
	}
	if s := skipped[0].(map[string]any); s["index"] != float64(1) || !strings.Contains(s["reason"].(string), "outside your scope") {
		t.Fatalf("refusal %v does not name feature 1 and the scope", s)
	}
	if status, doc := w.clients[access.Inspector].do("POST", "/api/v1/areas:import", body); status != http.StatusForbidden {
		t.Fatalf("an inspector importing: %d %v, want 403", status, doc)
	}

	// Changing an area in place by its key needs the stored area in scope, not only the new shape:
	// a lane chief of A cannot pull B's park into A by reusing its key.
	key := fmt.Sprintf("parcel-%d", time.Now().UnixNano())
	keyed := func(at orb.Point) string {
		return featureCollection(fmt.Sprintf(`{"type":"Feature","geometry":%s,"properties":{"name":"园","parcel":%q}}`,
			sqAt(at[0], at[1], 0.0005), key))
	}
	if status, doc := w.clients[access.Admin].do("POST", "/api/v1/areas:import?kind=park&key_prop=parcel", keyed(inB)); status != http.StatusOK {
		t.Fatalf("admin importing a keyed park in B: %d %v", status, doc)
	}
	status, doc = lane.do("POST", "/api/v1/areas:import?kind=park&key_prop=parcel", keyed(inA))
	skipped, _ = doc["skipped"].([]any)
	if status != http.StatusMultiStatus || len(skipped) != 1 || !strings.Contains(skipped[0].(map[string]any)["reason"].(string), "stored under key "+key+" falls outside your scope") {
		t.Fatalf("lane chief of A re-keying B's park: %d %v, want it refused", status, doc)
	}
}

// The round trip runs as a lane chief, whose scope (one community of a fresh world) is all an
// export shows: re-importing it duplicates nothing that other tests look at.
func TestAreasExportRoundTripsAndSpeaksCSVAndKML(t *testing.T) {
	w := newAccessWorld(t)
	admin := w.clients[access.LaneChief]
	p := w.comA.Boundary.Bound().Min
	if status, doc := admin.do("POST", "/api/v1/areas:import", featureCollection(
		areaFeature("park", "出口公园", sqAt(p[0]+0.3, p[1]+0.3, 0.001)), areaFeature("river", "出口河", sqAt(p[0]+0.31, p[1]+0.3, 0.001)))); status != http.StatusOK {
		t.Fatalf("seeding: %d %v", status, doc)
	}

	status, h, raw := admin.fetch("GET", "/api/v1/areas?format=geojson", "", "")
	if status != http.StatusOK || h.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("GeoJSON export: %d %s", status, h.Get("Content-Type"))
	}
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(raw, &fc); err != nil {
		t.Fatalf("GeoJSON export does not parse: %v", err)
	}
	exported := len(fc.Features)
	if exported != 3 || fc.Features[0].Properties["responsible_names"] != "网格员 (area_manager)" {
		t.Fatalf("exported %d features; first properties %v", exported, fc.Features[0].Properties)
	}
	status, _, rep := admin.fetch("POST", "/api/v1/areas:import", "application/geo+json", string(raw))
	var report struct {
		Loaded  int   `json:"loaded"`
		Skipped []any `json:"skipped"`
	}
	if err := json.Unmarshal(rep, &report); err != nil || status != http.StatusOK || report.Loaded != exported {
		t.Fatalf("re-importing the export: %d %s, want all %d loaded", status, rep, exported)
	}

	status, h, raw = admin.fetch("GET", "/api/v1/areas?format=csv", "", "")
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !bytes.HasPrefix(raw, []byte("\xEF\xBB\xBFid,kind,name")) {
		t.Fatalf("CSV export: %d %s %.40q", status, h.Get("Content-Type"), raw)
	}
	if lines := bytes.Count(raw, []byte("\n")); lines != 2*exported+1 {
		t.Errorf("CSV has %d lines, want a header and %d rows", lines, 2*exported)
	}

	status, h, raw = admin.fetch("GET", "/api/v1/areas?format=kml", "", "")
	var kml struct {
		XMLName    xml.Name `xml:"kml"`
		Placemarks []struct {
			Name string `xml:"name"`
		} `xml:"Document>Placemark"`
	}
	if err := xml.Unmarshal(raw, &kml); err != nil || status != http.StatusOK {
		t.Fatalf("KML export: %d %v", status, err)
	}
	if len(kml.Placemarks) != 2*exported || h.Get("Content-Type") != "application/vnd.google-earth.kml+xml" {
		t.Fatalf("KML has %d placemarks (%s), want %d", len(kml.Placemarks), h.Get("Content-Type"), 2*exported)
	}
	if status, doc := admin.do("GET", "/api/v1/areas?format=shapefile", ""); status != http.StatusBadRequest {
		t.Fatalf("unknown format: %d %v, want 400", status, doc)
	}
}
