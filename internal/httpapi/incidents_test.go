package httpapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"streetchief/geo"
	"streetchief/internal/access"
	"streetchief/internal/auth"
	"streetchief/internal/dbtest"
	"streetchief/internal/httpapi"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/photorows/photorowstest"
	"streetchief/internal/registry"
)

// routingEngine is a lookup engine loaded with the registry as it stands, to route the reports a
// test files afterwards.
func routingEngine(t testing.TB, pool *pgxpool.Pool) *lookup.Engine {
	t.Helper()
	e := lookup.New(registry.NewStore(pool))
	if err := e.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e
}

// incidentWorld is a subdistrict with communities A and B, a market in A with a manager, lane chiefs
// of A and B, a street chief, and API clients for them, served with incidents routed by PostGIS.
type incidentWorld struct {
	srv                  *httptest.Server
	public, laneA, laneB *apiClient
	street, leader       *apiClient
	liaison, admin       *apiClient // urban management's responsible person in the subdistrict
	market               registry.Area
	manager, lane        registry.Person
	x                    float64
}

var incidentWorlds atomic.Int64

func newIncidentWorld(t *testing.T) *incidentWorld {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	n := incidentWorlds.Add(1)
	w := &incidentWorld{x: 105 + float64(n)*0.1}
	code := func(s string) string { return fmt.Sprintf("hinc%d-%s", n, s) }
	store := registry.NewStore(pool)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	sq := func(x, y, d float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}}
	}
	x := w.x
	city, err := store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "city", Code: code("c"), Name: "城", Boundary: sq(x, 35, 0.05)})
	must(err)
	dist, err := store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "district", ParentID: city.ID, Code: code("d"), Name: "区", Boundary: sq(x, 35, 0.05)})
	must(err)
	sub, err := store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "subdistrict", ParentID: dist.ID, Code: code("s"), Name: "新罗街道",
		Boundary: orb.MultiPolygon{{{{x, 35}, {x + 0.02, 35}, {x + 0.02, 35.01}, {x, 35.01}, {x, 35}}}}})
	must(err)
	comA, err := store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "community", ParentID: sub.ID, Code: code("a"), Name: "甲社区", Boundary: sq(x, 35, 0.01)})
	must(err)
	comB, err := store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "community", ParentID: sub.ID, Code: code("b"), Name: "乙社区", Boundary: sq(x+0.01, 35, 0.01)})
	must(err)
	w.market, err = store.CreateArea(ctx, system, registry.AreaInput{Kind: "night_market", Name: "夜市", Geom: sq(x+0.002, 35.002, 0.002)})
	must(err)
	person := func(name string) registry.Person {
		p, err := store.CreatePerson(ctx, system, registry.PersonInput{Name: name, Active: true})
		must(err)
		return p
	}
	w.manager, w.lane = person("夜市经理"), person("甲巷长")
	laneB, street, liaison := person("乙巷长"), person("街长"), person("城管联络员")
	var urban int64
	must(pool.QueryRow(ctx, `SELECT id FROM department WHERE code = 'urban_management'`).Scan(&urban))
	for _, a := range []registry.AssignmentInput{
		{AdminUnitID: sub.ID, PersonID: liaison.ID, Role: "department_liaison", DepartmentID: urban},
		{AreaID: w.market.ID, PersonID: w.manager.ID, Role: "area_manager"},
		{AdminUnitID: comA.ID, PersonID: w.lane.ID, Role: "lane_chief"},
		{AdminUnitID: comB.ID, PersonID: laneB.ID, Role: "lane_chief"},
		{AdminUnitID: sub.ID, PersonID: street.ID, Role: "street_chief"},
	} {
		a.Primary = true
		_, err := store.CreateAssignment(ctx, system, a)
		must(err)
	}
	authSvc := auth.NewService(pool, auth.Options{})
	svc := incidents.NewService(pool, routingEngine(t, pool), incidents.Options{Photos: photorowstest.NewStore(t)})
	w.srv = httptest.NewServer(httpapi.New(httpapi.Deps{DB: pool, Registry: store, Auth: authSvc, Incidents: svc, MaxBodyBytes: 64 << 10}))
	t.Cleanup(w.srv.Close)
	w.public = &apiClient{t: t, srv: w.srv}
	w.laneA = asUser(t, w.srv, authSvc, code("lane-a"), access.LaneChief, w.lane.ID)
	w.laneB = asUser(t, w.srv, authSvc, code("lane-b"), access.LaneChief, laneB.ID)
	w.street = asUser(t, w.srv, authSvc, code("street"), access.StreetChief, street.ID)
	w.leader = asUser(t, w.srv, authSvc, code("leader"), access.DistrictLeader, 0)
	w.liaison = asUser(t, w.srv, authSvc, code("liaison"), access.DepartmentLiaison, liaison.ID)
	w.admin = asUser(t, w.srv, authSvc, code("admin"), access.Admin, 0)
	return w
}

func (w *incidentWorld) inMarket() orb.Point { return orb.Point{w.x + 0.003, 35.003} }
func (w *incidentWorld) inB() orb.Point      { return orb.Point{w.x + 0.015, 35.005} }

// send makes a request with any body and headers, answering the status, headers and raw body.
func (c *apiClient) send(method, path, contentType string, body []byte, header map[string]string) (*http.Response, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
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
	return resp, raw
}

func reportJSON(cat string, p orb.Point, extra string) string {
	return fmt.Sprintf(`{"category":%q,"lon":%.7f,"lat":%.7f,"description":"占道摆摊"%s}`, cat, p[0], p[1], extra)
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 3, 2))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func incidentCounts(t *testing.T) string {
	t.Helper()
	var i, e, p, k int
	err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT (SELECT count(*) FROM incident), (SELECT count(*) FROM incident_event),
		(SELECT count(*) FROM incident_photo), (SELECT count(*) FROM incident_idempotency)`).Scan(&i, &e, &p, &k)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("incidents=%d events=%d photos=%d keys=%d", i, e, p, k)
}

func TestReportIsRoutedAndARetryReplaysTheFirstAnswer(t *testing.T) {
	w := newIncidentWorld(t)
	body := []byte(reportJSON("street_occupying", w.inMarket(), ""))
	hdr := map[string]string{"Idempotency-Key": fmt.Sprintf("retry-%f", w.x)}
	resp, first := w.public.send("POST", "/api/v1/incidents", "application/json", body, hdr)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("%d %s", resp.StatusCode, first)
	}
	var rc struct {
		ID       int64
		Status   string
		Area     struct{ ID int64 }
		Assignee struct {
			PersonID int64 `json:"person_id"`
			Role     string
		}
		Community, Subdistrict *struct{ Name string }
	}
	if err := json.Unmarshal(first, &rc); err != nil {
		t.Fatal(err)
	}
	if rc.Status != "assigned" || rc.Area.ID != w.market.ID || rc.Assignee.PersonID != w.manager.ID ||
		rc.Assignee.Role != "area_manager" || rc.Community.Name != "甲社区" || rc.Subdistrict.Name != "新罗街道" {
		t.Fatalf("receipt %s", first)
	}
	before := incidentCounts(t)
	resp, again := w.public.send("POST", "/api/v1/incidents", "application/json", body, hdr)
	if resp.StatusCode != http.StatusCreated || !bytes.Equal(again, first) || resp.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s\nfirst %s", resp.StatusCode, again, first)
	}
	other := []byte(reportJSON("street_occupying", w.inB(), ""))
	if resp, doc := w.public.send("POST", "/api/v1/incidents", "application/json", other, hdr); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("same key, other body: %d %s", resp.StatusCode, doc)
	}
	if after := incidentCounts(t); after != before {
		t.Fatalf("a retry wrote: %s → %s", before, after)
	}
}

func TestReportInGCJ02IsRoutedWhereItReallyIs(t *testing.T) {
	w := newIncidentWorld(t)
	mars := geo.FromWGS84(w.inMarket(), geo.GCJ02)
	status, doc := w.public.do("POST", "/api/v1/incidents", reportJSON("sanitation", mars, `,"crs":"gcj02"`))
	if status != http.StatusCreated || doc["area"] == nil || doc["area"].(map[string]any)["id"].(float64) != float64(w.market.ID) {
		t.Fatalf("%d %v", status, doc)
	}
}

func TestReportOutsideEverySubdistrictGoesToTheDistrictDesk(t *testing.T) {
	w := newIncidentWorld(t)
	status, doc := w.public.do("POST", "/api/v1/incidents", reportJSON("sanitation", orb.Point{w.x + 0.04, 35.04}, ""))
	if status != http.StatusCreated || doc["outside_jurisdiction"] != true || doc["status"] != "reported" ||
		doc["queue"] != "district_desk" || doc["assignee"] != nil {
		t.Fatalf("%d %v", status, doc)
	}
}

func TestBadReportsAreRefusedAndWriteNothing(t *testing.T) {
	w := newIncidentWorld(t)
	p := w.inMarket()
	good := base64.StdEncoding.EncodeToString(pngBytes(t))
	big := base64.StdEncoding.EncodeToString(append(pngBytes(t), make([]byte, incidents.MaxPhotoBytes)...))
	seven := strings.TrimSuffix(strings.Repeat(`"`+good+`",`, 7), ",")
	for _, tc := range []struct {
		name, contentType, body string
		want                    int
	}{
		{"malformed JSON", "application/json", `{"category":`, 400},
		{"unknown field", "application/json", reportJSON("sanitation", p, `,"severity":9`), 400},
		{"text body", "text/plain", "sanitation", 400},
		{"unknown category", "application/json", reportJSON("graffiti", p, ""), 422},
		{"no coordinates", "application/json", `{"category":"sanitation"}`, 422},
		{"latitude out of range", "application/json", `{"category":"sanitation","lon":117,"lat":95}`, 422},
		{"unknown crs", "application/json", reportJSON("sanitation", p, `,"crs":"utm"`), 422},
		{"a GIF", "application/json", reportJSON("sanitation", p, `,"photos":["R0lGODlhAQABAAAAACw="]`), 422},
		{"not base64", "application/json", reportJSON("sanitation", p, `,"photos":["***"]`), 400},
		{"seven photos", "application/json", reportJSON("sanitation", p, `,"photos":[`+seven+`]`), 413},
		{"a photo over 5 MB", "application/json", reportJSON("sanitation", p, `,"photos":["`+big+`"]`), 413},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := incidentCounts(t)
			resp, raw := w.public.send("POST", "/api/v1/incidents", tc.contentType, []byte(tc.body), nil)
			if resp.StatusCode != tc.want || resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d %s: %.300s", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
			}
			if after := incidentCounts(t); after != before {
				t.Fatalf("wrote: %s → %s", before, after)
			}
		})
	}
}

func TestMultipartPhotosAreStoredOnceAndServedOnlyInScope(t *testing.T) {
	w := newIncidentWorld(t)
	img := pngBytes(t)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	p := w.inMarket()
	for k, v := range map[string]string{"category": "random_piling", "lon": fmt.Sprint(p[0]), "lat": fmt.Sprint(p[1]), "description": "杂物"} {
		_ = mw.WriteField(k, v)
	}
	for _, name := range []string{"a.png", "same-again.png"} {
		fw, _ := mw.CreateFormFile("photos", name)
		_, _ = fw.Write(img)
	}
	_ = mw.Close()
	resp, raw := w.public.send("POST", "/api/v1/incidents", mw.FormDataContentType(), buf.Bytes(), nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("%d %s", resp.StatusCode, raw)
	}
	var rc struct{ ID, Photos int64 }
	_ = json.Unmarshal(raw, &rc)
	if rc.Photos != 2 {
		t.Fatalf("receipt %s", raw)
	}
	var stored int
	if err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT count(DISTINCT sha256) FROM incident_photo_ref WHERE incident_id = $1`, rc.ID).Scan(&stored); err != nil || stored != 1 {
		t.Fatalf("the same photo twice was stored as %d contents (%v)", stored, err)
	}
	path := fmt.Sprintf("/api/v1/incidents/%d/photos/2", rc.ID)
	resp, got := w.laneA.send("GET", path, "", nil, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(got, img) {
		t.Fatalf("lane chief of A: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// Served from the object store (the row keeps no bytes) with the caching it had from the row.
	photoInStore(t, "incident_photo", img)
	etag := resp.Header.Get("ETag")
	if sum := sha256.Sum256(img); etag != `"`+hex.EncodeToString(sum[:])+`"` || resp.Header.Get("Cache-Control") != "private, max-age=86400" {
		t.Fatalf("ETag %s, Cache-Control %s", etag, resp.Header.Get("Cache-Control"))
	}
	if resp, _ := w.laneA.send("GET", path, "", nil, map[string]string{"If-None-Match": etag}); resp.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match: %d", resp.StatusCode)
	}
	if resp, _ := w.laneB.send("GET", path, "", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("lane chief of B: %d", resp.StatusCode)
	}
	if resp, _ := w.public.send("GET", path, "", nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d", resp.StatusCode)
	}
}

func TestWorkflowOverHTTP(t *testing.T) {
	w := newIncidentWorld(t)
	_, doc := w.public.do("POST", "/api/v1/incidents", reportJSON("street_occupying", w.inB(), ""))
	id := int64(doc["id"].(float64))
	path := fmt.Sprintf("/api/v1/incidents/%d/transitions", id)
	for _, tc := range []struct {
		who  *apiClient
		body string
		want int
	}{
		{w.laneA, `{"to":"in_progress","note":"劝导"}`, 404},
		{w.laneB, `{"to":"in_progress","note":"现场劝导"}`, 200},
		{w.laneB, `{"to":"closed"}`, 409},
		{w.leader, `{"to":"resolved"}`, 403},
		{w.laneB, `{"to":"escalated","note":"拒不整改"}`, 200},
		{w.street, `{"to":"joint_enforcement","departments":["urban_management","nonexistent"]}`, 422},
		{w.street, `{"to":"joint_enforcement","departments":["urban_management","market_regulation"]}`, 200},
		{w.street, `{"to":"resolved"}`, 409}, // the departments have not acknowledged (incident_joint_test.go)
	} {
		if status, doc := tc.who.do("POST", path, tc.body); status != tc.want {
			t.Fatalf("%s: %d %v, want %d", tc.body, status, doc, tc.want)
		}
	}
	w.finishJointWork(t, id)
	for _, tc := range []struct {
		who  *apiClient
		body string
		want int
	}{
		{w.street, `{"to":"resolved","photos":["` + base64.StdEncoding.EncodeToString(pngBytes(t)) + `"]}`, 200},
		{w.street, `{"to":"flying"}`, 422},
	} {
		if status, doc := tc.who.do("POST", path, tc.body); status != tc.want {
			t.Fatalf("%s: %d %v, want %d", tc.body, status, doc, tc.want)
		}
	}
	status, doc := w.street.do("GET", fmt.Sprintf("/api/v1/incidents/%d", id), "")
	events, _ := doc["events"].([]any)
	if status != 200 || doc["status"] != "resolved" || len(events) != 8 {
		t.Fatalf("%d %v", status, doc)
	}
	if last := events[7].(map[string]any); last["from"] != "joint_enforcement" || last["photos"] == nil {
		t.Fatalf("last event %v", last)
	}
}

func TestIncidentListIsScopedFilteredAndExported(t *testing.T) {
	w := newIncidentWorld(t)
	for range 3 {
		w.public.do("POST", "/api/v1/incidents", reportJSON("illegal_parking", w.inMarket(), ""))
	}
	w.public.do("POST", "/api/v1/incidents", reportJSON("sanitation", w.inB(), ""))
	bbox := fmt.Sprintf("%g,35,%g,35.01", w.x, w.x+0.02)
	_, doc := w.street.do("GET", "/api/v1/incidents?bbox="+bbox, "")
	if n := len(doc["incidents"].([]any)); n != 4 {
		t.Fatalf("street chief sees %d", n)
	}
	_, doc = w.laneB.do("GET", "/api/v1/incidents?bbox="+bbox, "")
	if n := len(doc["incidents"].([]any)); n != 1 {
		t.Fatalf("lane chief of B sees %d", n)
	}
	_, doc = w.street.do("GET", "/api/v1/incidents?category=illegal_parking&status=assigned&bbox="+bbox, "")
	if n := len(doc["incidents"].([]any)); n != 3 {
		t.Fatalf("filtered: %d", n)
	}
	// Pages of two follow the Link header to the end.
	seen, next := 0, "/api/v1/incidents?limit=2&bbox="+bbox
	for next != "" {
		resp, raw := w.street.send("GET", next, "", nil, nil)
		var page struct{ Incidents []any }
		_ = json.Unmarshal(raw, &page)
		seen += len(page.Incidents)
		next = ""
		if l := resp.Header.Get("Link"); l != "" {
			next = strings.TrimPrefix(strings.SplitN(strings.TrimPrefix(l, "<"), ">", 2)[0], w.srv.URL)
		}
	}
	if seen != 4 {
		t.Fatalf("paged through %d", seen)
	}
	resp, raw := w.street.send("GET", "/api/v1/incidents?format=geojson&bbox="+bbox, "", nil, nil)
	if resp.Header.Get("Content-Type") != "application/geo+json" || !bytes.Contains(raw, []byte(`"type":"Point"`)) {
		t.Fatalf("geojson: %s %.200s", resp.Header.Get("Content-Type"), raw)
	}
	resp, raw = w.street.send("GET", "/api/v1/incidents?format=csv&bbox="+bbox, "", nil, nil)
	if !bytes.HasPrefix(raw, []byte("\xEF\xBB\xBFid,category,status")) || bytes.Count(raw, []byte("\n")) != 5 ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %s %q", resp.Header.Get("Content-Type"), raw)
	}
	if !bytes.Contains(raw, []byte(",place\n")) || !bytes.Contains(raw, []byte(",夜市 · 甲社区 · 新罗街道\n")) {
		t.Errorf("csv does not say where the cases are: %q", raw)
	}
	if status, _ := w.public.do("GET", "/api/v1/incidents", ""); status != http.StatusUnauthorized {
		t.Fatalf("anonymous list: %d", status)
	}
}

// Reports filed without signing in are limited per address; signed-in callers (the hotline's
// integration) are not, and the limit answers a problem that says what to do.
func TestPublicReportsAreLimitedPerAddress(t *testing.T) {
	w := newIncidentWorld(t)
	pool := dbtest.Pool(t)
	authSvc := auth.NewService(pool, auth.Options{})
	srv := httptest.NewServer(httpapi.New(httpapi.Deps{DB: pool, Registry: registry.NewStore(pool), Auth: authSvc,
		Incidents: incidents.NewService(pool, routingEngine(t, pool), incidents.Options{}), PublicReportsPerMinute: 2}))
	t.Cleanup(srv.Close)
	public := &apiClient{t: t, srv: srv}
	for i := range 2 {
		if status, doc := public.do("POST", "/api/v1/incidents", reportJSON("random_piling", w.inMarket(), "")); status != 201 {
			t.Fatalf("report %d: %d %v", i, status, doc)
		}
	}
	before := incidentCounts(t)
	status, doc := public.do("POST", "/api/v1/incidents", reportJSON("random_piling", w.inMarket(), ""))
	if status != http.StatusTooManyRequests || !strings.Contains(fmt.Sprint(doc["detail"]), "sign in") {
		t.Fatalf("third report in a minute: %d %v", status, doc)
	}
	resp, _ := public.send("POST", "/open311/v2/requests.json", "application/x-www-form-urlencoded",
		[]byte(fmt.Sprintf("service_code=random_piling&lat=%f&long=%f", w.inMarket()[1], w.inMarket()[0])), nil)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("Open311 report over the limit: %d", resp.StatusCode)
	}
	if after := incidentCounts(t); after != before {
		t.Fatalf("refused reports wrote: %s, then %s", before, after)
	}
	hotline := asUser(t, srv, authSvc, fmt.Sprintf("hotline-%f", w.x), access.DistrictLeader, 0)
	for i := range 3 {
		if status, doc := hotline.do("POST", "/api/v1/incidents", reportJSON("random_piling", w.inMarket(), "")); status != 201 {
			t.Fatalf("signed-in report %d: %d %v", i, status, doc)
		}
	}
}
