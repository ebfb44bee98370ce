package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/auth"
	"streetchief/internal/dbtest"
	"streetchief/internal/httpapi"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/monthly"
	"streetchief/internal/pdf"
	"streetchief/internal/photorows/photorowstest"
	"streetchief/internal/registry"
	"streetchief/internal/reports"
)

// apiClient talks to a real server on the package's database, as one signed-in user.
type apiClient struct {
	t     *testing.T
	srv   *httptest.Server
	token string
}

var system = access.System("test")

func newAPI(t *testing.T) (*httptest.Server, *auth.Service) {
	t.Helper()
	pool := dbtest.Pool(t)
	svc := auth.NewService(pool, auth.Options{})
	store := registry.NewStore(pool)
	engine := lookup.New(store)
	if err := engine.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	// One photo store for every domain, as serve's --photo-dir: the services New builds take Photos.
	photos := photorowstest.NewStore(t)
	inc, rep := incidents.NewService(pool, engine, incidents.Options{Photos: photos}), reports.NewService(pool)
	srv := httptest.NewServer(httpapi.New(httpapi.Deps{DB: pool, Registry: store, Lookup: engine, Reports: rep, Auth: svc, Photos: photos,
		Incidents: inc, Monthly: monthly.NewService(inc, rep, store), PDF: pdf.New("", 0), MaxBodyBytes: 64 << 10}))
	t.Cleanup(srv.Close)
	return srv, svc
}

// asUser signs a new user of the given role in with an API token.
func asUser(t *testing.T, srv *httptest.Server, svc *auth.Service, username string, role access.Role, personID int64) *apiClient {
	t.Helper()
	ctx := context.Background()
	u, err := svc.AddUser(ctx, system, auth.UserInput{Username: username, Password: "correct horse battery", Role: role, PersonID: personID})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := svc.IssueToken(ctx, system, u.ID, "test", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return &apiClient{t: t, srv: srv, token: tok}
}

func (c *apiClient) do(method, path, body string) (int, map[string]any) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var doc map[string]any
	_ = json.Unmarshal(raw, &doc)
	// Machine-facing routes answer errors as problem documents; the dashboard's pages answer people,
	// and Open311 answers in its own error form (open311_v2_test.go checks that).
	machine := path != "/" && !strings.HasPrefix(path, "/assets/") && !strings.HasPrefix(path, "/open311/")
	if machine && resp.StatusCode >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" {
		c.t.Errorf("%s %s: status %d with Content-Type %q, want application/problem+json", method, path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return resp.StatusCode, doc
}

func areaFeature(kind, name, geometry string) string {
	return fmt.Sprintf(`{"type":"Feature","geometry":%s,"properties":{"kind":%q,"name":%q}}`, geometry, kind, name)
}

const goodSquare = `{"type":"Polygon","coordinates":[[[117.01,25.01],[117.011,25.01],[117.011,25.011],[117.01,25.011],[117.01,25.01]]]}`

// rowCounts counts the rows every registry write could touch, to prove a refused request wrote nothing.
// rowCounts counts what a refused request must not change. A refused sign-in is the exception by
// design: it is audited (sign_in_failed), so those rows are left out.
func rowCounts(t *testing.T) string {
	t.Helper()
	var a, u, s, p, l, i int
	err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT (SELECT count(*) FROM area), (SELECT count(*) FROM admin_unit),
		(SELECT count(*) FROM assignment), (SELECT count(*) FROM person),
		(SELECT count(*) FROM audit_log WHERE action <> 'sign_in_failed'), (SELECT count(*) FROM merchant_inspection)`).Scan(&a, &u, &s, &p, &l, &i)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("areas=%d units=%d assignments=%d people=%d audit=%d inspections=%d", a, u, s, p, l, i)
}

func TestBadInputIsRefusedAndWritesNothing(t *testing.T) {
	srv, svc := newAPI(t)
	admin := asUser(t, srv, svc, "registry-admin", access.Admin, 0)

	status, created := admin.do("POST", "/api/v1/areas", areaFeature("park", "中山公园", goodSquare))
	if status != http.StatusCreated {
		t.Fatalf("creating a good area: %d %v", status, created)
	}
	areaID := int64(created["id"].(float64))
	status, person := admin.do("POST", "/api/v1/people", `{"name":"测试人员","phone":"13900000000"}`)
	if status != http.StatusCreated {
		t.Fatalf("creating a person: %d %v", status, person)
	}
	personID := int64(person["id"].(float64))
	assign := fmt.Sprintf(`{"area_id":%d,"person_id":%d,"role":"area_manager"}`, areaID, personID)
	if status, doc := admin.do("POST", "/api/v1/assignments", assign); status != http.StatusCreated {
		t.Fatalf("assigning: %d %v", status, doc)
	}

	huge := areaFeature("park", strings.Repeat("大", 40<<10), goodSquare)
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		detail                   string
	}{
		{"malformed JSON", "POST", "/api/v1/areas", `{"type":"Feature",`, 400, "malformed JSON"},
		{"not a Feature", "POST", "/api/v1/areas", `{"type":"Point","coordinates":[1,2]}`, 400, "Feature"},
		{"geometry that is not GeoJSON", "POST", "/api/v1/areas", areaFeature("park", "x", `{"type":"Polygon","coordinates":"here"}`), 400, "not valid GeoJSON"},
		{"longitude out of range", "POST", "/api/v1/areas", areaFeature("park", "x", `{"type":"Polygon","coordinates":[[[190,25],[191,25],[191,26],[190,25]]]}`), 422, "out of range"},
		{"infinite coordinate", "POST", "/api/v1/areas", areaFeature("park", "x", `{"type":"Polygon","coordinates":[[[1e999,25],[117,25],[117,26],[1e999,25]]]}`), 422, "not a finite number"},
		{"unclosed ring", "POST", "/api/v1/areas", areaFeature("park", "x", `{"type":"Polygon","coordinates":[[[117,25],[117.1,25],[117.1,25.1],[117,25.1]]]}`), 422, "not closed"},
		{"self-intersecting ring", "POST", "/api/v1/areas", areaFeature("park", "x", `{"type":"Polygon","coordinates":[[[117,25],[117.1,25.1],[117.1,25],[117,25.1],[117,25]]]}`), 422, "Self-intersection"},
		{"wrong geometry type", "POST", "/api/v1/areas", areaFeature("park", "x", `{"type":"LineString","coordinates":[[117,25],[117.1,25]]}`), 422, "Polygon or MultiPolygon"},
		{"unknown kind", "POST", "/api/v1/areas", areaFeature("car_park", "x", goodSquare), 422, "kind"},
		{"body over the limit", "POST", "/api/v1/areas", huge, 413, "limit"},
		{"unknown area", "GET", "/api/v1/areas/987654321", "", 404, "not found"},
		{"unknown area replaced", "PUT", "/api/v1/areas/987654321", areaFeature("park", "x", goodSquare), 404, "not found"},
		{"overlapping assignment", "POST", "/api/v1/assignments", assign, 409, "overlaps"},
		{"bad bbox", "GET", "/api/v1/areas?bbox=1,2,3", "", 400, "bbox"},
		{"bad time", "GET", "/api/v1/assignments?at=yesterday", "", 400, "RFC 3339"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := rowCounts(t)
			status, doc := admin.do(tc.method, tc.path, tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %v", status, tc.status, doc)
			}
			detail, _ := doc["detail"].(string)
			if !strings.Contains(detail, tc.detail) {
				t.Errorf("detail %q does not mention %q", detail, tc.detail)
			}
			if doc["status"].(float64) != float64(tc.status) || doc["request_id"] == "" {
				t.Errorf("problem document incomplete: %v", doc)
			}
			if after := rowCounts(t); after != before {
				t.Fatalf("tables changed: before %s, after %s", before, after)
			}
		})
	}
}

func TestSelfIntersectionSaysWhere(t *testing.T) {
	srv, svc := newAPI(t)
	admin := asUser(t, srv, svc, "where-admin", access.Admin, 0)
	status, doc := admin.do("POST", "/api/v1/areas", areaFeature("park", "x",
		`{"type":"Polygon","coordinates":[[[117,25],[117.1,25.1],[117.1,25],[117,25.1],[117,25]]]}`))
	if status != 422 {
		t.Fatalf("status %d", status)
	}
	loc, ok := doc["location"].([]any)
	if !ok || len(loc) != 2 || loc[0].(float64) != 117.05 || loc[1].(float64) != 25.05 {
		t.Fatalf("location of the self-intersection: %v, want [117.05 25.05]", doc["location"])
	}
}

func TestAreasRoundTripAsGeoJSONWithKeysetPages(t *testing.T) {
	srv, svc := newAPI(t)
	admin := asUser(t, srv, svc, "pages-admin", access.Admin, 0)
	for i := range 5 {
		g := fmt.Sprintf(`{"type":"Polygon","coordinates":[[[118.%d1,26],[118.%d2,26],[118.%d2,26.01],[118.%d1,26.01],[118.%d1,26]]]}`, i, i, i, i, i)
		if status, doc := admin.do("POST", "/api/v1/areas", areaFeature("square", fmt.Sprintf("广场%d", i), g)); status != 201 {
			t.Fatalf("create: %d %v", status, doc)
		}
	}
	seen := map[float64]bool{}
	path := "/api/v1/areas?kind=square&bbox=118,25.9,119,26.1&limit=2"
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		status, doc := admin.do("GET", path, "")
		if status != 200 || doc["type"] != "FeatureCollection" {
			t.Fatalf("list: %d %v", status, doc)
		}
		for _, f := range doc["features"].([]any) {
			feat := f.(map[string]any)
			if feat["geometry"].(map[string]any)["type"] != "MultiPolygon" {
				t.Fatalf("geometry: %v", feat["geometry"])
			}
			seen[feat["id"].(float64)] = true
		}
		path = ""
		if next, ok := doc["next"].(float64); ok && next > 0 {
			path = fmt.Sprintf("/api/v1/areas?kind=square&bbox=118,25.9,119,26.1&limit=2&after=%d", int64(next))
		}
	}
	if len(seen) != 5 {
		t.Fatalf("saw %d distinct areas over the pages, want 5", len(seen))
	}
}

// The dashboard's search box asks the areas API by name: part of a name, in any case, with the
// LIKE wildcards taken literally; a bad search text is a problem, not an empty page.
func TestAreasFilterByNameContainingTheSearchText(t *testing.T) {
	srv, svc := newAPI(t)
	admin := asUser(t, srv, svc, "search-admin", access.Admin, 0)
	for i, name := range []string{"中山路夜市", "Zhongshan Road", "新罗区中山公园", "100% Market", "Lane_7"} {
		g := fmt.Sprintf(`{"type":"Polygon","coordinates":[[[119.%d1,27],[119.%d2,27],[119.%d2,27.01],[119.%d1,27.01],[119.%d1,27]]]}`, i, i, i, i, i)
		if status, doc := admin.do("POST", "/api/v1/areas", areaFeature("square", name, g)); status != 201 {
			t.Fatalf("create %s: %d %v", name, status, doc)
		}
	}
	names := func(path string) []string {
		t.Helper()
		status, doc := admin.do("GET", path, "")
		if status != 200 {
			t.Fatalf("%s: %d %v", path, status, doc)
		}
		var out []string
		for _, f := range doc["features"].([]any) {
			out = append(out, f.(map[string]any)["properties"].(map[string]any)["name"].(string))
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"%E4%B8%AD%E5%B1%B1", []string{"中山路夜市", "新罗区中山公园"}}, // 中山
		{"zhongSHAN", []string{"Zhongshan Road"}},
		{"%25", []string{"100% Market"}}, // a literal %, not "anything"
		{"e_7", []string{"Lane_7"}},
		{"e_", []string{"Lane_7"}},
		{"nowhere", nil},
	} {
		// The bbox keeps out the other tests' areas in the package's database.
		if got := names("/api/v1/areas?bbox=119,26.9,120,27.1&name=" + c.query); !slices.Equal(got, c.want) {
			t.Errorf("name=%s: got %q, want %q", c.query, got, c.want)
		}
	}
	for _, bad := range []string{"a%00b", strings.Repeat("x", 101)} {
		if status, doc := admin.do("GET", "/api/v1/areas?name="+bad, ""); status != 400 {
			t.Errorf("name=%.20s…: %d %v, want 400", bad, status, doc)
		}
	}
}

func TestEveryRouteIsInTheTableAndTheOpenAPIDocument(t *testing.T) {
	srv, _ := newAPI(t)
	resp, err := http.Get(srv.URL + "/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	pool := dbtest.Pool(t)
	s := httpapi.New(httpapi.Deps{DB: pool, Registry: registry.NewStore(pool), Auth: auth.NewService(pool, auth.Options{}),
		Incidents: incidentService(t, pool, nil)})
	walked, err := s.WalkRoutes()
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]bool{}
	for _, rt := range s.Routes() {
		declared[rt.Method+" "+rt.Pattern] = true
		if _, ok := doc.Paths[rt.Pattern][strings.ToLower(rt.Method)]; !ok {
			t.Errorf("%s %s is routed but missing from /api/openapi.json", rt.Method, rt.Pattern)
		}
	}
	for _, mp := range walked {
		if !declared[mp] {
			t.Errorf("%s is registered on the router without an access rule in routes()", mp)
		}
	}
	if len(walked) != len(declared) {
		t.Errorf("router has %d routes, table %d", len(walked), len(declared))
	}
}
