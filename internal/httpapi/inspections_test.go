package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/auth"
	"streetchief/internal/dbtest"
	"streetchief/internal/httpapi"
	"streetchief/internal/incidents"
	"streetchief/internal/photorows/photorowstest"
	"streetchief/internal/registry"
)

var inspectionWorlds atomic.Int64

// inspectionWorld is a subdistrict with communities A and B, a shop in each and a closed one in A,
// the inspector of the shops and the lane chief of B, signed in.
type inspectionWorld struct {
	srv                     *httptest.Server
	inspector, laneB, admin *apiClient
	shopA, shopB, closed    int64
	x                       float64
}

func newInspectionWorld(t *testing.T) *inspectionWorld {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	n := inspectionWorlds.Add(1)
	w := &inspectionWorld{x: 95 + float64(n)*0.1}
	code := func(s string) string { return fmt.Sprintf("hinsp%d-%s", n, s) }
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
	sub, err := store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "subdistrict", ParentID: dist.ID, Code: code("s"), Name: "街道",
		Boundary: orb.MultiPolygon{{{{x, 35}, {x + 0.02, 35}, {x + 0.02, 35.01}, {x, 35.01}, {x, 35}}}}})
	must(err)
	_, err = store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "community", ParentID: sub.ID, Code: code("a"), Name: "甲社区", Boundary: sq(x, 35, 0.01)})
	must(err)
	comB, err := store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "community", ParentID: sub.ID, Code: code("b"), Name: "乙社区", Boundary: sq(x+0.01, 35, 0.01)})
	must(err)
	insp, err := store.CreatePerson(ctx, system, registry.PersonInput{Name: "督查员", Active: true})
	must(err)
	laneB, err := store.CreatePerson(ctx, system, registry.PersonInput{Name: "乙巷长", Active: true})
	must(err)
	_, err = store.CreateAssignment(ctx, system, registry.AssignmentInput{AdminUnitID: comB.ID, PersonID: laneB.ID, Role: "lane_chief", Primary: true})
	must(err)
	shop := func(name string, lon float64, status string) int64 {
		var id int64
		must(pool.QueryRow(ctx, `INSERT INTO merchant (name, location, status) VALUES ($1, ST_SetSRID(ST_MakePoint($2, 35.003), 4326), $3) RETURNING id`,
			name, lon, status).Scan(&id))
		_, err := pool.Exec(ctx, `INSERT INTO merchant_inspector (merchant_id, person_id, valid) VALUES ($1, $2, tstzrange('2026-01-01', NULL))`, id, insp.ID)
		must(err)
		return id
	}
	w.shopA, w.shopB, w.closed = shop("甲店", x+0.003, "open"), shop("乙店", x+0.013, "open"), shop("关门店", x+0.004, "closed")
	authSvc := auth.NewService(pool, auth.Options{})
	// One store for the incident service and for the merchants the server builds, as serve wires them.
	photos := photorowstest.NewStore(t)
	w.srv = httptest.NewServer(httpapi.New(httpapi.Deps{DB: pool, Registry: store, Auth: authSvc, Photos: photos,
		Incidents: incidents.NewService(pool, routingEngine(t, pool), incidents.Options{Photos: photos})}))
	t.Cleanup(w.srv.Close)
	w.inspector = asUser(t, w.srv, authSvc, code("insp"), access.Inspector, insp.ID)
	w.laneB = asUser(t, w.srv, authSvc, code("lane-b"), access.LaneChief, laneB.ID)
	w.admin = asUser(t, w.srv, authSvc, code("admin"), access.Admin, 0)
	return w
}

func (w *inspectionWorld) body(shop int64, lon float64, extra string) string {
	return fmt.Sprintf(`{"merchant_id":%d,"at":%q,"lon":%.7f,"lat":35.003,"accuracy_m":12,"results":[{"item":"sanitation","ok":true},
		{"item":"order","ok":false,"category":"street_occupying"}],"note":"门前堆放货物"%s}`, shop, time.Now().Add(-time.Minute).Format(time.RFC3339), lon, extra)
}

func TestPostInspectionJSONAndResend(t *testing.T) {
	w := newInspectionWorld(t)
	body := w.body(w.shopA, w.x+0.003, "")
	key := map[string]string{"Idempotency-Key": "queue-7"}
	resp, raw := w.inspector.send("POST", "/api/v1/inspections", "application/json", []byte(body), key)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("%d %s", resp.StatusCode, raw)
	}
	var first map[string]any
	_ = json.Unmarshal(raw, &first)
	if first["off_site"] != false || first["violations"].(float64) != 1 {
		t.Fatalf("inspection %s", raw)
	}
	resp, raw = w.inspector.send("POST", "/api/v1/inspections", "application/json", []byte(body), key)
	var again map[string]any
	_ = json.Unmarshal(raw, &again)
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Idempotent-Replayed") != "true" || again["id"] != first["id"] {
		t.Fatalf("resend: %d %s", resp.StatusCode, raw)
	}
	resp, raw = w.inspector.send("POST", "/api/v1/inspections", "application/json", []byte(w.body(w.shopA, w.x+0.0031, "")), key)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("same key, another inspection: %d %s", resp.StatusCode, raw)
	}
	status, doc := w.inspector.do("GET", fmt.Sprintf("/api/v1/inspections/%v", first["id"]), "")
	if status != 200 || doc["merchant_name"] != "甲店" {
		t.Fatalf("get: %d %v", status, doc)
	}
	status, doc = w.inspector.do("POST", fmt.Sprintf("/api/v1/inspections/%v:void", first["id"]), `{"reason":"重复录入"}`)
	if status != 200 || doc["void_reason"] != "重复录入" {
		t.Fatalf("void: %d %v", status, doc)
	}
}

func TestPostInspectionMultipartWithPhoto(t *testing.T) {
	w := newInspectionWorld(t)
	send := func(photo []byte) (*http.Response, []byte) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range map[string]string{"merchant_id": fmt.Sprint(w.shopA), "at": time.Now().Format(time.RFC3339),
			"lon": fmt.Sprintf("%.7f", w.x+0.003+0.002), "lat": "35.003", "accuracy_m": "8", "crs": "wgs84",
			"results": `[{"item":"greenery","ok":true}]`} {
			_ = mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("photos", "p.png")
		_, _ = fw.Write(photo)
		_ = mw.Close()
		return w.inspector.send("POST", "/api/v1/inspections", mw.FormDataContentType(), buf.Bytes(), nil)
	}
	before := rowCounts(t)
	if resp, raw := send([]byte("GIF89a? no, plain text")); resp.StatusCode != http.StatusUnprocessableEntity || rowCounts(t) != before {
		t.Fatalf("a photo that is not an image: %d %s", resp.StatusCode, raw)
	}
	resp, raw := send(pngBytes(t))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("%d %s", resp.StatusCode, raw)
	}
	var ins struct {
		Photos  []string `json:"photos"`
		OffSite bool     `json:"off_site"`
	}
	_ = json.Unmarshal(raw, &ins)
	if len(ins.Photos) != 1 || !ins.OffSite { // about 200 m from the shop
		t.Fatalf("inspection %s", raw)
	}
	resp, got := w.inspector.send("GET", ins.Photos[0], "", nil, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(got, pngBytes(t)) {
		t.Fatalf("photo: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	photoInStore(t, "merchant_photo", pngBytes(t))
}

func TestBadInspectionsAnswerProblems(t *testing.T) {
	w := newInspectionWorld(t)
	at := func(d time.Duration) string { return time.Now().Add(d).Format(time.RFC3339) }
	for _, tc := range []struct {
		name   string
		who    *apiClient
		body   string
		status int
		detail string
	}{
		{"unknown merchant", w.inspector, w.body(999_999_999, w.x, ""), 404, "not found"},
		{"closed shop", w.inspector, w.body(w.closed, w.x+0.004, ""), 422, "closed"},
		{"future time", w.inspector, strings.Replace(w.body(w.shopA, w.x+0.003, ""), `"at":"`, `"at":"`+at(2*time.Hour)+`","x":"`, 1), 400, ""},
		{"accuracy of 5 km", w.inspector, strings.Replace(w.body(w.shopA, w.x+0.003, ""), `"accuracy_m":12`, `"accuracy_m":5000`, 1), 422, "5000 m"},
		{"lane chief of B, shop in A", w.laneB, w.body(w.shopA, w.x+0.003, ""), 404, "not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := rowCounts(t)
			resp, raw := tc.who.send("POST", "/api/v1/inspections", "application/json", []byte(tc.body), nil)
			var doc map[string]any
			_ = json.Unmarshal(raw, &doc)
			detail, _ := doc["detail"].(string)
			if resp.StatusCode != tc.status || !strings.Contains(detail, tc.detail) || resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d %s", resp.StatusCode, raw)
			}
			if rowCounts(t) != before {
				t.Fatal("a refused inspection wrote")
			}
		})
	}
	future := fmt.Sprintf(`{"merchant_id":%d,"at":%q,"lon":%.7f,"lat":35.003,"accuracy_m":5,"results":[{"item":"order","ok":true}]}`,
		w.shopA, at(2*time.Hour), w.x+0.003)
	if resp, raw := w.inspector.send("POST", "/api/v1/inspections", "application/json", []byte(future), nil); resp.StatusCode != 422 ||
		!strings.Contains(string(raw), "future") {
		t.Fatalf("future: %d %s", resp.StatusCode, raw)
	}
}

func TestCoverageAndRepeatOffendersAnswerXLSX(t *testing.T) {
	w := newInspectionWorld(t)
	for range 3 {
		if resp, raw := w.inspector.send("POST", "/api/v1/inspections", "application/json", []byte(w.body(w.shopB, w.x+0.013, "")), nil); resp.StatusCode != 201 {
			t.Fatalf("%d %s", resp.StatusCode, raw)
		}
	}
	status, doc := w.laneB.do("GET", "/api/v1/repeat-offenders", "")
	if status != 200 || len(doc["offenders"].([]any)) != 1 {
		t.Fatalf("repeat offenders: %d %v", status, doc)
	}
	status, doc = w.laneB.do("GET", "/api/v1/inspections/coverage?by=community&period=week", "")
	if status != 200 || doc["total"].(map[string]any)["shops"].(float64) != 1 {
		t.Fatalf("coverage of the lane chief of B: %d %v", status, doc)
	}
	for _, path := range []string{"/api/v1/inspections/coverage?format=xlsx&by=inspector", "/api/v1/repeat-offenders?format=xlsx"} {
		resp, raw := w.admin.send("GET", path, "", nil, nil)
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") || !bytes.HasPrefix(raw, []byte("PK")) {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	if status, doc := w.laneB.do("GET", "/api/v1/inspections/calendar?period=month", ""); status != 200 || len(doc["rows"].([]any)) != 1 {
		t.Fatalf("calendar: %d %v", status, doc)
	}
	if status, doc := w.admin.do("PUT", "/api/v1/repeat-offender-rules/street_occupying", `{"violations":5,"window_days":14}`); status != 200 {
		t.Fatalf("set rule: %d %v", status, doc)
	}
	if status, _ := w.laneB.do("PUT", "/api/v1/repeat-offender-rules/street_occupying", `{"violations":1,"window_days":1}`); status != 403 {
		t.Fatalf("a lane chief set a rule: %d", status)
	}
}
