package httpapi_test

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
)

func TestLookupRefusesBadInputWithProblems(t *testing.T) {
	srv, _ := newAPI(t)
	public := &apiClient{t: t, srv: srv}
	for _, tc := range []struct {
		name, query string
		status      int
		detail      string
	}{
		{"missing lat", "lon=117.02", 400, "lat is required"},
		{"non-numeric lon", "lon=east&lat=25", 400, "not a number"},
		{"lon out of range", "lon=181&lat=25", 400, "out of range"},
		{"lat out of range", "lon=117&lat=-91", 400, "out of range"},
		{"unknown crs", "lon=117&lat=25&crs=mars2000", 400, "crs"},
		{"malformed time", "lon=117&lat=25&at=last+March", 400, "RFC 3339"},
		{"negative tolerance", "lon=117&lat=25&tolerance_m=-3", 400, "tolerance_m"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, doc := public.do("GET", "/api/v1/lookup?"+tc.query, "")
			if status != tc.status || !strings.Contains(fmt.Sprint(doc["detail"]), tc.detail) {
				t.Fatalf("got %d %v, want %d mentioning %q", status, doc, tc.status, tc.detail)
			}
		})
	}
}

func TestLookupBatchAnswersInOrderAndRefusesOversizedBatches(t *testing.T) {
	srv, _ := newAPI(t)
	public := &apiClient{t: t, srv: srv}
	status, doc := public.do("POST", "/api/v1/lookup?crs=gcj02", `{"points":[[117.02,25.08],[0.5,0.5]]}`)
	if status != http.StatusOK {
		t.Fatalf("batch: %d %v", status, doc)
	}
	results := doc["results"].([]any)
	if len(results) != 2 {
		t.Fatalf("%d results for 2 points", len(results))
	}
	// GCJ-02 input is answered in WGS-84: the Chinese point moves by a few hundred metres, the
	// point in the Gulf of Guinea (outside China) does not move at all.
	first, second := results[0].(map[string]any), results[1].(map[string]any)
	if first["lon"].(float64) == 117.02 || second["lon"].(float64) != 0.5 {
		t.Fatalf("crs conversion: %v %v", first["lon"], second["lon"])
	}
	// More points than one chunk, scattered: the engine answers them in its own order, the
	// response must still follow the request's.
	var pts strings.Builder
	pts.WriteString(`{"points":[`)
	const n = 17_000 // over the handler's chunk of 16,384
	for i := range n {
		if i > 0 {
			pts.WriteByte(',')
		}
		fmt.Fprintf(&pts, "[%.6f,%.6f]", 117.0+float64((i*7919)%1000)/10000, 25.04+float64((i*104729)%1000)/10000)
	}
	pts.WriteString("]}")
	status, doc = public.do("POST", "/api/v1/lookup", pts.String())
	if status != http.StatusOK || len(doc["results"].([]any)) != n {
		t.Fatalf("scattered batch: %d, %d results", status, len(doc["results"].([]any)))
	}
	for i, r := range doc["results"].([]any) {
		lon, lat := r.(map[string]any)["lon"].(float64), r.(map[string]any)["lat"].(float64)
		wantLon, wantLat := 117.0+float64((i*7919)%1000)/10000, 25.04+float64((i*104729)%1000)/10000
		if math.Abs(lon-wantLon) > 1e-9 || math.Abs(lat-wantLat) > 1e-9 {
			t.Fatalf("result %d is for (%v, %v), want (%v, %v)", i, lon, lat, wantLon, wantLat)
		}
	}
	fc := `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[117,25]},"properties":{}}]}`
	if status, doc := public.do("POST", "/api/v1/lookup", fc); status != 200 || len(doc["results"].([]any)) != 1 {
		t.Fatalf("FeatureCollection batch: %d %v", status, doc)
	}
	var b strings.Builder
	b.WriteString(`{"points":[`)
	for i := range 100_001 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("[117,25]")
	}
	b.WriteString("]}")
	if status, doc := public.do("POST", "/api/v1/lookup", b.String()); status != http.StatusRequestEntityTooLarge {
		t.Fatalf("100,001 points: %d %v", status, doc)
	}
	// Millions of empty features fit in the byte limit; they are refused after the 100,001st,
	// not decoded first (which took 1.5 GB of memory).
	empties := `{"type":"FeatureCollection","features":[` + strings.Repeat(`{},`, 5_000_000) + `{}]}`
	if status, doc := public.do("POST", "/api/v1/lookup", empties); status != http.StatusRequestEntityTooLarge {
		t.Fatalf("5,000,001 empty features: %d %v", status, doc)
	}
	if status, _ := public.do("POST", "/api/v1/lookup", `{"points":[[200,1]]}`); status != 400 {
		t.Fatalf("point out of range: %d", status)
	}
}
