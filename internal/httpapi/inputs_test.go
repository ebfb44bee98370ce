package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"streetchief/internal/access"
)

// TestQueryTextThatIsNotTextIsRefusedNamingTheParameter: invalid UTF-8 and NUL answered 500 from
// the database before; now the request is refused before any handler, with the parameter named.
func TestQueryTextThatIsNotTextIsRefusedNamingTheParameter(t *testing.T) {
	srv, svc := newAPI(t)
	admin := asUser(t, srv, svc, "inputs-query-admin", access.Admin, 0)
	for _, path := range []string{"/api/v1/people?name=%FF", "/api/v1/people?name=%00", "/api/v1/areas?kind=a%00b",
		"/open311/v2/requests.json?service_code=%FF", "/api/v1/people/%FF", "/api/v1/areas/1%00"} {
		status, doc := admin.do("GET", path, "")
		if status != http.StatusBadRequest {
			t.Errorf("%s: %d %v, want 400", path, status, doc)
		}
		if strings.HasPrefix(path, "/open311/") {
			// Open311 answers in its own error form, which must name the parameter too.
			resp, err := http.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(raw), "service_code") {
				t.Errorf("%s: Open311 error %s does not name the parameter", path, raw)
			}
			continue
		}
		if detail, _ := doc["detail"].(string); strings.Contains(path, "?") && !strings.Contains(detail, "query parameter") {
			t.Errorf("%s: detail %q does not name the parameter", path, detail)
		}
	}
}

// TestNotANumberIsRefusedWhereverANumberIsRead: NaN compares false with every bound, so bbox=NaN,…
// passed the range check that refused Inf.
func TestNotANumberIsRefusedWhereverANumberIsRead(t *testing.T) {
	srv, svc := newAPI(t)
	admin := asUser(t, srv, svc, "inputs-nan-admin", access.Admin, 0)
	for _, path := range []string{"/api/v1/areas?bbox=NaN,0,1,1", "/api/v1/areas?bbox=0,0,1,NaN",
		"/ogc/collections/areas/items?bbox=NaN,NaN,NaN,NaN", "/api/v1/lookup?lon=NaN&lat=25",
		"/api/v1/lookup?lon=117&lat=25&tolerance_m=NaN", "/api/v1/reports/gaps?min_sliver_m2=NaN",
		"/api/v1/reports/gaps?min_sliver_m2=Inf"} {
		if status, doc := admin.do("GET", path, ""); status < 400 || status >= 500 {
			t.Errorf("%s: %d %v, want a 4xx", path, status, doc)
		}
	}
}

func TestImportOfAnUnknownKindIsRefusedBeforeReading(t *testing.T) {
	srv, svc := newAPI(t)
	admin := asUser(t, srv, svc, "inputs-kind-admin", access.Admin, 0)
	fc := fmt.Sprintf(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":%s,"properties":{"name":"x"}}]}`, goodSquare)
	before := rowCounts(t)
	for _, kind := range []string{"%FF", "no_such_kind"} {
		if status, doc := admin.do("POST", "/api/v1/areas:import?kind="+kind, fc); status != http.StatusBadRequest {
			t.Errorf("kind=%s: %d %v, want 400", kind, status, doc)
		}
	}
	if after := rowCounts(t); after != before {
		t.Fatalf("tables changed: %s → %s", before, after)
	}
}

// TestOverlongTextIsRefusedOnEveryWrite: a 1 MB department name answered 500 (index row too big)
// and a 1 MB area name was stored and served to anyone.
func TestOverlongTextIsRefusedOnEveryWrite(t *testing.T) {
	srv, svc := newAPI(t)
	admin := asUser(t, srv, svc, "inputs-long-admin", access.Admin, 0)
	long := strings.Repeat("长", 20_000) // 60 kB: under the body limit, far over any name
	square := goodSquare
	_, person := admin.do("POST", "/api/v1/people", `{"name":"长度测试"}`)
	_, area := admin.do("POST", "/api/v1/areas", areaFeature("park", "长度测试", square))
	manyKeys := make([]string, 300)
	for i := range manyKeys {
		manyKeys[i] = fmt.Sprintf(`"k%d":1`, i)
	}
	before := rowCounts(t)
	for _, tc := range []struct{ method, path, body, field string }{
		{"POST", "/api/v1/departments", fmt.Sprintf(`{"code":"long_name","name":%q}`, long), "name"},
		{"POST", "/api/v1/departments", fmt.Sprintf(`{"code":%q,"name":"x"}`, strings.Repeat("a", 100)), "code"},
		{"POST", "/api/v1/areas", areaFeature("park", long, square), "name"},
		{"POST", "/api/v1/areas", fmt.Sprintf(`{"type":"Feature","geometry":%s,"properties":{"kind":"park","name":"x","attributes":{%s}}}`, square, strings.Join(manyKeys, ",")), "attributes"},
		{"POST", "/api/v1/areas", fmt.Sprintf(`{"type":"Feature","geometry":%s,"properties":{"kind":"park","name":"x","attributes":{"k":%q}}}`, square, long), "attributes"},
		{"POST", "/api/v1/people", fmt.Sprintf(`{"name":%q}`, long), "name"},
		{"POST", "/api/v1/people", fmt.Sprintf(`{"name":"x","organisation":%q}`, long), "organisation"},
		{"PUT", fmt.Sprintf("/api/v1/people/%v", person["id"]), fmt.Sprintf(`{"name":"x","phone":%q}`, strings.Repeat("1", 100)), "phone"},
		{"POST", "/api/v1/admin-units", fmt.Sprintf(`{"type":"Feature","geometry":%s,"properties":{"level":"city","code":"c","name":%q}}`, square, long), "name"},
		{"POST", "/api/v1/assignments", fmt.Sprintf(`{"area_id":%v,"person_id":%v,"role":"volunteer","note":%q}`, area["id"], person["id"], long), "note"},
		{"POST", "/api/v1/areas", fmt.Sprintf(`{"type":"Feature","geometry":%s,"properties":{"kind":"park","name":"a\tb\u0001"}}`, square), "name"},
	} {
		status, doc := admin.do(tc.method, tc.path, tc.body)
		if status != http.StatusUnprocessableEntity || doc["field"] != tc.field {
			t.Errorf("%s %s (%s): %d %v, want 422 naming %s", tc.method, tc.path, tc.field, status, doc["detail"], tc.field)
		}
	}
	if after := rowCounts(t); after != before {
		t.Fatalf("tables changed: %s → %s", before, after)
	}
}

// TestMillionVertexPolygonIsRefused: it was accepted by the import, and then cost the server 128 MB,
// a 1 MB tile and a 52 MB public page.
func TestMillionVertexPolygonIsRefused(t *testing.T) {
	srv, svc := newAPI(t)
	admin := asUser(t, srv, svc, "inputs-vertices-admin", access.Admin, 0)
	var b strings.Builder
	b.WriteString(`{"type":"Polygon","coordinates":[[`)
	const n = 1_000_000
	for i := range n {
		// A fine zig-zag along a circle's edge would do as well; a long thin comb is enough here.
		x := 117.0 + 0.1*float64(i)/n
		y := 25.0
		if i%2 == 1 {
			y = 25.001
		}
		fmt.Fprintf(&b, "[%.7f,%.4f],", x, y)
	}
	b.WriteString(`[117.1,24.99],[117.0,24.99],[117.0,25.0]]]}`)
	geom := b.String()
	before := rowCounts(t)
	fc := `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":` + geom + `,"properties":{"kind":"park","name":"梳子"}}]}`
	status, doc := admin.do("POST", "/api/v1/areas:import", fc)
	if status != http.StatusMultiStatus || !strings.Contains(fmt.Sprint(doc["skipped"]), "at most 100000") {
		t.Errorf("import: %d %.300v, want 207 with the feature skipped for its positions", status, doc)
	}
	// The import itself is audited, with its report; no area is added.
	if after := rowCounts(t); after[:strings.Index(after, " audit=")] != before[:strings.Index(before, " audit=")] {
		t.Fatalf("tables changed: %s → %s", before, after)
	}
	before = rowCounts(t)
	if status, doc := admin.do("POST", "/api/v1/areas:import?strict=true", fc); status != http.StatusUnprocessableEntity {
		t.Errorf("strict import: %d %.300v, want 422", status, doc)
	}
	if after := rowCounts(t); after != before {
		t.Fatalf("tables changed: %s → %s", before, after)
	}
}
