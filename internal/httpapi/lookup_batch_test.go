package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"streetchief/internal/dbtest"
	"streetchief/internal/registry"
)

// batchPost sends body with the given headers and returns the status, the response headers and the
// body, gunzipped when the response says it is gzip.
func batchPost(t *testing.T, url, body string, header map[string]string) (int, http.Header, string) {
	t.Helper()
	var rd io.Reader = strings.NewReader(body)
	if header["Content-Encoding"] == "gzip" {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(body))
		zw.Close()
		rd = &b
	}
	req, err := http.NewRequest("POST", url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	// Set by hand, the Go client leaves a gzip response compressed for the test to check.
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		out = zr
	}
	raw, err := io.ReadAll(out)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(raw)
}

func TestLookupBatchSpeaksCSVAndNDJSONWithGzipAndIDs(t *testing.T) {
	newAPI(t) // the database, before the areas the server below loads
	// A 10 × 10 block of small parks at a spot of its own, a park every 0.002°.
	const x0, y0 = 101.3, 31.7
	store := registry.NewStore(dbtest.Pool(t))
	for i := range 10 {
		for j := range 10 {
			x, y := x0+float64(i)*0.002, y0+float64(j)*0.002
			sq := orb.MultiPolygon{{{{x, y}, {x + 0.001, y}, {x + 0.001, y + 0.001}, {x, y + 0.001}, {x, y}}}}
			if _, err := store.CreateArea(context.Background(), system, registry.AreaInput{Kind: "park",
				Name: fmt.Sprintf("batch park %d,%d", i, j), Geom: sq}); err != nil {
				t.Fatal(err)
			}
		}
	}
	srv, _ := newAPI(t)
	url := srv.URL + "/api/v1/lookup"
	// Scattered points over more than two chunks: answered on both CPUs, written in input order.
	const n = 40_000
	pt := func(i int) (float64, float64) {
		return x0 + float64((i*7919)%1000)/50000, y0 + float64((i*104729)%1000)/50000
	}
	var csvIn, ndIn, jsonIn strings.Builder
	csvIn.WriteString("lon,lat\n")
	jsonIn.WriteString(`{"points":[`)
	for i := range n {
		x, y := pt(i)
		fmt.Fprintf(&csvIn, "%.6f,%.6f\n", x, y)
		if i%2 == 0 {
			fmt.Fprintf(&ndIn, "[%.6f, %.6f]\n", x, y)
		} else {
			fmt.Fprintf(&ndIn, "{\"lon\":%.6f,\"lat\":%.6f}\n", x, y)
		}
		if i < 1000 {
			if i > 0 {
				jsonIn.WriteByte(',')
			}
			fmt.Fprintf(&jsonIn, "[%.6f,%.6f]", x, y)
		}
	}
	jsonIn.WriteString("]}")

	// The full JSON answers are the reference for the first 1,000 points.
	status, _, body := batchPost(t, url, jsonIn.String(), map[string]string{"Content-Type": "application/json"})
	if status != 200 {
		t.Fatalf("JSON batch: %d %s", status, body)
	}
	var full struct{ Results []json.RawMessage }
	if err := json.Unmarshal([]byte(body), &full); err != nil {
		t.Fatal(err)
	}

	status, h, body := batchPost(t, url+"?format=ndjson", ndIn.String(),
		map[string]string{"Content-Type": "application/x-ndjson", "Content-Encoding": "gzip", "Accept-Encoding": "gzip"})
	if status != 200 || h.Get("Content-Encoding") != "gzip" || h.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("NDJSON batch: %d %v %.200s", status, h, body)
	}
	lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("%d NDJSON answers for %d points", len(lines), n)
	}
	ids := make([]string, 0, 1000)
	for i, line := range lines[:1000] {
		var got, want struct {
			Lon, Lat  float64
			Areas     []struct{ ID int64 }
			Community *struct{ ID int64 }
		}
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatal(err)
		}
		json.Unmarshal(full.Results[i], &want)
		if line != string(full.Results[i]) {
			t.Fatalf("NDJSON answer %d differs from the JSON one:\n%s\n%s", i, line, full.Results[i])
		}
		var a []string
		for _, x := range want.Areas {
			a = append(a, fmt.Sprint(x.ID))
		}
		com := ""
		if want.Community != nil {
			com = fmt.Sprint(want.Community.ID)
		}
		ids = append(ids, strings.Join(a, ";")+","+com)
	}

	status, h, body = batchPost(t, url+"?fields=ids", csvIn.String(), map[string]string{"Content-Type": "text/csv", "Accept": "text/csv"})
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV batch: %d %v %.200s", status, h, body)
	}
	rows := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	if len(rows) != n+1 || rows[0] != "lon,lat,area_ids,community_id,subdistrict_id" {
		t.Fatalf("%d CSV rows for %d points, header %q", len(rows), n, rows[0])
	}
	covered := 0
	for i, row := range rows[1:1001] {
		f := strings.Split(row, ",")
		x, y := pt(i)
		if f[0] != fmt.Sprint(roundTo6(x)) || f[1] != fmt.Sprint(roundTo6(y)) || f[2]+","+f[3] != ids[i] {
			t.Fatalf("CSV answer %d is %q, want the point (%.6f, %.6f) and ids %s", i, row, x, y, ids[i])
		}
		if f[2] != "" {
			covered++
		}
	}
	if covered < 100 {
		t.Fatalf("only %d of 1,000 points in an area: the test is not looking up the city", covered)
	}

	// Every bad row is refused whole, with its line, as a problem document, before any answer.
	for _, tc := range []struct{ name, ct, body, detail string }{
		{"CSV text", "text/csv", "lon,lat\n117,25\n117,north\n", "line 3"},
		{"CSV out of range", "text/csv", "117,25\n\n181,25\n", "line 3"},
		{"NDJSON garbage", "application/x-ndjson", "[117,25]\n{\"lon\":117}\n", "line 2"},
		{"NDJSON NaN", "application/x-ndjson", "[NaN,25]\n", "line 1"},
		{"unknown type", "application/xml", "<points/>", "Content-Type"},
	} {
		status, h, body := batchPost(t, url, tc.body, map[string]string{"Content-Type": tc.ct})
		if status != 400 || h.Get("Content-Type") != "application/problem+json" || !strings.Contains(body, tc.detail) {
			t.Errorf("%s: %d %s %s, want 400 problem+json mentioning %q", tc.name, status, h.Get("Content-Type"), body, tc.detail)
		}
	}
	// Long enough to be read in pieces on both CPUs, the bad line still named by its number.
	long := strings.Repeat("101.300000,31.700000\n", 90_000) + "101.3,31.7,\"x\"\n" + "oops\n" + strings.Repeat("101.300000,31.700000\n", 30_000)
	if status, _, body := batchPost(t, url, long, map[string]string{"Content-Type": "text/csv"}); status != 400 || !strings.Contains(body, "line 90002") {
		t.Errorf("a bad line 90,002 of 120,002: %d %.300s", status, body)
	}
	for _, q := range []string{"?fields=names", "?format=xml"} {
		if status, _, body := batchPost(t, url+q, "117,25\n", map[string]string{"Content-Type": "text/csv"}); status != 400 {
			t.Errorf("%s: %d %s, want 400", q, status, body)
		}
	}
	if status, _, body := batchPost(t, url, "not gzip", map[string]string{"Content-Type": "text/csv", "Content-Encoding": "br"}); status != 400 {
		t.Errorf("Content-Encoding br: %d %s, want 400", status, body)
	}
}

func roundTo6(v float64) float64 {
	var r float64
	fmt.Sscanf(fmt.Sprintf("%.6f", v), "%g", &r)
	return r
}
