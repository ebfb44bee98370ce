package httpapi_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/auth"
	"streetchief/internal/dbtest"
	"streetchief/internal/httpapi"
	"streetchief/internal/lookup"
	"streetchief/internal/maptiles"
	"streetchief/internal/registry"
	"streetchief/internal/reports"
)

// The probe walks the route table and sends every route hostile input — in its query, its path and
// its body — as an administrator and anonymously. Whatever a route is, bad input is the caller's
// fault: it must answer a 4xx problem with a detail a person can act on, never a 5xx, and it must
// write nothing.

// hostileQueryValues are values no parameter should take, each of a kind that has answered 500 or
// been taken. Text that is not text (invalid UTF-8, NUL) is sent to every parameter separately.
var hostileQueryValues = []string{
	"NaN", "-Inf", "1e999", "-181", "NaN,0,1,1", "0,0,1,Inf", "2026-13-45T99:00:00Z", "99999999999999999999", "-1",
	strings.Repeat("大", 20<<10), // as long as a URL can be (the server refuses a 1 MB header itself)
}

// hostilePathValues replace every path parameter in turn.
var hostilePathValues = []string{"%FF", "%00", "a%00b", "NaN", "1e999", "-1", "0", "99999999999999999999", strings.Repeat("9", 4<<10)}

// queryParamRE finds the query parameters the handlers read, so a parameter added tomorrow is
// probed too: q.int64("limit"), Query().Get("kind"), v.Get("status"), FormValue("lat").
var queryParamRE = regexp.MustCompile(`(?:\bq\.[a-z0-9]+|\.Get|FormValue)\("([a-z_]+)"`)

func probedQueryParams(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{"f": true, "lon": true, "lat": true, "long": true, "tolerance_m": true, "crs": true}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range queryParamRE.FindAllSubmatch(src, -1) {
			seen[string(m[1])] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// hostileStrings replace one string field of a valid-shaped body at a time.
var hostileStrings = []string{`"a\u0000b"`, `"\ud800"`, "\"\xff\xfe\"", `"` + strings.Repeat("长", 64<<10/3+1) + `"`}

// megabyteString replaces the first text field of each shape: over every limit by far, and slow
// enough to decode under the race detector that once per shape is enough.
var megabyteString = `"` + strings.Repeat("长", 1<<20/3+1) + `"`

// hostileNumbers replace one number field at a time.
var hostileNumbers = []string{`1e999`, `"NaN"`, `1.5`, `-1`, `99999999999999999999`, `{}`}

// genericBodies are sent to every route that takes a body, whatever it expects.
var genericBodies = []string{
	``, `{`, `{"a":`, `[]`, `null`, `"x"`, `1e999`, `{}`, `{} {}`, `{"type":"Feature"}`,
	"{\"name\":\"\xff\"}", `{"name":"\u0000"}`, `{"type":"FeatureCollection","features":{}}`,
	`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[NaN,1]]]},"properties":{}}`,
	`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[1e999,1],[2,2],[2,1],[1e999,1]]]},"properties":{}}`,
	`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[500,95],[501,95],[501,96],[500,95]]]},"properties":{"kind":"park","name":"x"}}`,
	`{"from":"2026-13-45T00:00:00Z","until":"yesterday","at":"x"}`,
}

// millionVertices is a FeatureCollection of one polygon of a million positions (about 25 MB),
// made once.
var millionVertices = sync.OnceValue(func() string {
	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"kind":"park","name":"梳子"},"geometry":{"type":"Polygon","coordinates":[[`)
	for i := range 1_000_000 {
		fmt.Fprintf(&b, "[%.7f,%.4f],", 117+0.1*float64(i)/1e6, 25+0.001*float64(i%2))
	}
	b.WriteString(`[117.1,24.99],[117,24.99],[117,25]]]}}]}`)
	return b.String()
})

type probeWorld struct {
	srv          *httptest.Server
	server       *httpapi.Server
	admin, anon  *apiClient
	writes       sync.Mutex       // requests that may write go one at a time, so the row counts around each are its own
	ids          map[string]int64 // first path segment after /api/v1/ → a real id, to reach body checks
	area, person int64
	merchant     int64
}

func newProbeWorld(t *testing.T) *probeWorld {
	t.Helper()
	pool := dbtest.Pool(t)
	ctx := context.Background()
	svc := auth.NewService(pool, auth.Options{})
	store := registry.NewStore(pool)
	engine := lookup.New(store)
	if err := engine.Load(ctx); err != nil {
		t.Fatal(err)
	}
	inc := incidentService(t, pool, nil)
	server := httpapi.New(httpapi.Deps{DB: pool, Registry: store, Lookup: engine, Auth: svc, Incidents: inc,
		Reports: reports.NewService(pool), Tiles: maptiles.NewService(engine, inc, pool, maptiles.Options{}),
		PublicReportsPerMinute: -1})
	srv := httptest.NewServer(server)
	t.Cleanup(srv.Close)
	w := &probeWorld{srv: srv, server: server, anon: &apiClient{t: t, srv: srv}, ids: map[string]int64{}}
	w.admin = asUser(t, srv, svc, "probe-admin", access.Admin, 0)
	status, doc := w.admin.do("POST", "/api/v1/areas", areaFeature("park", "探针公园", goodSquare))
	if status != http.StatusCreated {
		t.Fatalf("fixture area: %d %v", status, doc)
	}
	w.area = int64(doc["id"].(float64))
	status, doc = w.admin.do("POST", "/api/v1/people", `{"name":"探针人员","phone":"13900000001"}`)
	if status != http.StatusCreated {
		t.Fatalf("fixture person: %d %v", status, doc)
	}
	w.person = int64(doc["id"].(float64))
	status, doc = w.admin.do("POST", "/api/v1/assignments", fmt.Sprintf(`{"area_id":%d,"person_id":%d,"role":"area_manager"}`, w.area, w.person))
	if status != http.StatusCreated {
		t.Fatalf("fixture assignment: %d %v", status, doc)
	}
	w.ids["areas"], w.ids["people"], w.ids["assignments"], w.ids["departments"] = w.area, w.person, int64(doc["id"].(float64)), 1
	status, doc = w.anon.do("POST", "/api/v1/incidents", `{"category":"street_occupying","lon":117.0105,"lat":25.0105,"description":"探针"}`)
	if status != http.StatusCreated {
		t.Fatalf("fixture incident: %d %v", status, doc)
	}
	w.ids["incidents"] = int64(doc["id"].(float64))
	if err := pool.QueryRow(ctx, `INSERT INTO merchant (name, location) VALUES ('探针商户', ST_SetSRID(ST_MakePoint(117.0105, 25.0105), 4326))
		RETURNING id`).Scan(&w.merchant); err != nil {
		t.Fatal(err)
	}
	return w
}

// validBodies are realistic bodies of every shape the API takes, so that a hostile value in one of
// their fields gets past the shape checks to the rules behind them.
func (w *probeWorld) validBodies() []string {
	attrs := `{"surface":"paved"}` // a number here would be taken whatever its value: 6 more writes per route
	return []string{
		fmt.Sprintf(`{"type":"Feature","geometry":%s,"properties":{"kind":"park","name":"探针","attributes":%s}}`, goodSquare, attrs),
		fmt.Sprintf(`{"type":"Feature","geometry":%s,"properties":{"level":"community","code":"probe","name":"探针社区","attributes":%s}}`, goodSquare, attrs),
		fmt.Sprintf(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":%s,"properties":{"kind":"park","name":"探针","attributes":%s}}]}`, goodSquare, attrs),
		fmt.Sprintf(`{"name":"探针","phone":"13900000002","organisation":"街道办","attributes":%s}`, attrs),
		`{"code":"probe_dept","name":"探针部门"}`,
		fmt.Sprintf(`{"area_id":%d,"person_id":%d,"role":"volunteer","note":"探针","from":"2026-01-01T00:00:00Z"}`, w.area, w.person),
		`{"until":"2030-01-01T00:00:00Z"}`,
		`{"category":"street_occupying","lon":117.0105,"lat":25.0105,"description":"探针"}`,
		`{"to":"accepted","note":"探针"}`,
		`{"points":[[117.0105,25.0105]]}`,
		`{"username":"probe-nobody","password":"wrong password here"}`,
		`{"name":"探针","ttl":"1h"}`,
		`{"quarters":[{"period":"2026-Q1","scores":{"探针街道":85.01,"另一街道":69.99}}],"rules":{"ties":"each","interview_after":2}}`,
		fmt.Sprintf(`{"merchant_id":%d,"at":%q,"lon":117.0105,"lat":25.0105,"accuracy_m":10,"results":[{"item":"order","ok":false,"category":"street_occupying"}],"note":"探针"}`,
			w.merchant, time.Now().Format(time.RFC3339)),
	}
}

// stringOrNumber finds each JSON string value and each number value in a body, to replace in turn.
var stringOrNumber = regexp.MustCompile(`:\s*("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*)`)

func mutations(body string) []string {
	var out []string
	big := false
	for _, loc := range stringOrNumber.FindAllStringSubmatchIndex(body, -1) {
		start, end := loc[2], loc[3]
		values := hostileNumbers
		if body[start] == '"' {
			values = hostileStrings
			if !big && !strings.HasSuffix(strings.TrimRight(body[:start], ": "), `"type"`) {
				big = true // a GeoJSON type is matched, not stored
				out = append(out, body[:start]+megabyteString+body[end:])
			}
		}
		for _, v := range values {
			out = append(out, body[:start]+v+body[end:])
		}
	}
	return out
}

type probeReq struct {
	who          *apiClient
	method, path string
	body         string
	changes      bool // a hostile body: prove its refusal wrote nothing
}

func TestProbeEveryRouteWithHostileInput(t *testing.T) {
	w := newProbeWorld(t)
	params := probedQueryParams(t)
	type job struct {
		who             *apiClient
		method, pattern string
	}
	var jobs []job
	for _, rt := range w.server.Routes() {
		jobs = append(jobs, job{w.admin, rt.Method, rt.Pattern})
		if rt.Rule.String() == "public" {
			jobs = append(jobs, job{w.anon, rt.Method, rt.Pattern})
		}
	}
	var wg sync.WaitGroup
	var sent atomic.Int64
	work := make(chan job)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				for _, rq := range w.routeRequests(j.who, j.method, j.pattern, params) {
					w.probe(t, rq)
					sent.Add(1)
				}
			}
		}()
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()
	t.Logf("%d routes and callers, %d hostile requests", len(jobs), sent.Load())
}

// routeRequests derives the hostile requests for one route from its method and pattern. To stay
// quick it first learns which query parameters and which body shapes the route pays attention to
// (those that change its answer), and sends the whole hostile set only to those.
func (w *probeWorld) routeRequests(who *apiClient, m, pattern string, params []string) []probeReq {
	base := w.pathFor(pattern)
	var reqs []probeReq
	for _, loc := range pathParam.FindAllStringIndex(pattern, -1) {
		for _, v := range hostilePathValues {
			p := w.pathFor(pattern[:loc[0]]) + v + w.pathFor(pattern[loc[1]:])
			reqs = append(reqs, probeReq{who, m, p, "", false})
		}
	}
	if m == "DELETE" {
		return reqs // a well-formed delete of a fixture would succeed; its path is probed above
	}
	body := ""
	if m != "GET" {
		var bodies []probeReq
		bodies, body = w.bodyRequests(who, m, base)
		reqs = append(reqs, bodies...)
	}
	// Text that no handler should see, in every parameter at once (and below in each that matters).
	for _, v := range []string{"\xff", "a\x00b"} {
		qs := url.Values{}
		for _, name := range params {
			qs.Set(name, v)
		}
		reqs = append(reqs, probeReq{who, m, base + "?" + qs.Encode(), body, false})
	}
	reqs = append(reqs, probeReq{who, m, base + "?%ZZ=1&x=%FF%00", body, false})
	baseline, _, _, _ := w.send(probeReq{who: who, method: m, path: base, body: body})
	for _, name := range params {
		// Too long for any text parameter and a number, time or box to no parameter.
		status, _, _, err := w.send(probeReq{who: who, method: m, path: base + "?" + name + "=" + strings.Repeat("-x-", 7000), body: body})
		if err == nil && status == baseline {
			continue
		}
		for _, v := range append(hostileQueryValues, "\xff", "a\x00b") {
			reqs = append(reqs, probeReq{who, m, base + "?" + name + "=" + url.QueryEscape(v), body, false})
		}
	}
	return reqs
}

// bodyRequests are generic garbage for any route with a body, and each field of each valid shape
// that the route accepts (does not refuse as malformed) made hostile in turn; and the first such
// shape, to send with hostile query values.
func (w *probeWorld) bodyRequests(who *apiClient, m, path string) ([]probeReq, string) {
	var reqs []probeReq
	accepted := ""
	for _, b := range genericBodies {
		reqs = append(reqs, probeReq{who, m, path, b, true})
	}
	for _, b := range w.validBodies() {
		if status, _, _, err := w.send(probeReq{who: who, method: m, path: path, body: b}); err != nil || status == http.StatusBadRequest {
			continue
		}
		if accepted == "" {
			accepted = b
		}
		for _, h := range mutations(b) {
			reqs = append(reqs, probeReq{who, m, path, h, true})
		}
	}
	// A million positions, to the routes that take a geometry.
	if who == w.admin && strings.Contains(accepted, `"geometry"`) {
		reqs = append(reqs, probeReq{who, m, path, millionVertices(), true})
	}
	return reqs, accepted
}

func (w *probeWorld) pathFor(pattern string) string {
	return pathParam.ReplaceAllStringFunc(pattern, func(p string) string {
		for seg, id := range w.ids {
			if strings.Contains(pattern, "/"+seg+"/") {
				return fmt.Sprint(id)
			}
		}
		return "1"
	})
}

func (w *probeWorld) probe(t *testing.T, rq probeReq) {
	t.Helper()
	var before string
	if rq.method != "GET" {
		w.writes.Lock()
		defer w.writes.Unlock()
	}
	if rq.changes {
		before = rowCounts(t)
	}
	status, ct, doc, raw, err := w.sendRaw(rq)
	label := fmt.Sprintf("%s %s body %.120q", rq.method, shorten(rq.path), rq.body)
	if err != nil {
		t.Errorf("%s: %v", label, err)
		return
	}
	switch {
	case status >= 500:
		t.Errorf("%s: %d %v", label, status, doc)
	case status >= 400 && strings.HasPrefix(rq.path, "/open311/"):
		// Open311's routes answer errors in its own form (open311_v2_test.go checks the details).
		if !open311ErrorWithDescription(raw) {
			t.Errorf("%s: %d with Content-Type %q and no Open311 error description: %.200s", label, status, ct, raw)
		}
		if rq.changes {
			if after := rowCounts(t); after != before {
				t.Errorf("%s: refused (%d) but tables changed: %s → %s", label, status, before, after)
			}
		}
	case status >= 400 && !strings.HasPrefix(rq.path, "/assets/") && rq.path != "/":
		detail, _ := doc["detail"].(string)
		if ct != "application/problem+json" || strings.TrimSpace(detail) == "" {
			t.Errorf("%s: %d with Content-Type %q and detail %q", label, status, ct, detail)
		}
		if rq.changes {
			if after := rowCounts(t); after != before {
				t.Errorf("%s: refused (%d) but tables changed: %s → %s", label, status, before, after)
			}
		}
	}
}

func (w *probeWorld) send(rq probeReq) (int, string, map[string]any, error) {
	if rq.method != "GET" {
		w.writes.Lock()
		defer w.writes.Unlock()
	}
	return w.sendNow(rq)
}

func (w *probeWorld) sendNow(rq probeReq) (int, string, map[string]any, error) {
	status, ct, doc, _, err := w.sendRaw(rq)
	return status, ct, doc, err
}

func (w *probeWorld) sendRaw(rq probeReq) (int, string, map[string]any, []byte, error) {
	req, err := http.NewRequest(rq.method, w.srv.URL+rq.path, strings.NewReader(rq.body))
	if err != nil {
		return 0, "", nil, nil, err
	}
	if rq.who.token != "" {
		req.Header.Set("Authorization", "Bearer "+rq.who.token)
	}
	if rq.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", nil, nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var doc map[string]any
	_ = json.Unmarshal(raw, &doc)
	return resp.StatusCode, resp.Header.Get("Content-Type"), doc, raw, nil
}

// open311ErrorWithDescription reports whether raw is a GeoReport v2 error list, JSON or XML, whose
// first error has a description.
func open311ErrorWithDescription(raw []byte) bool {
	var list []struct {
		Description string `json:"description"`
	}
	if json.Unmarshal(raw, &list) == nil {
		return len(list) > 0 && strings.TrimSpace(list[0].Description) != ""
	}
	var doc struct {
		Errors []struct {
			Description string `xml:"description"`
		} `xml:"error"`
	}
	return xml.Unmarshal(raw, &doc) == nil && len(doc.Errors) > 0 && strings.TrimSpace(doc.Errors[0].Description) != ""
}

func shorten(s string) string {
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}
