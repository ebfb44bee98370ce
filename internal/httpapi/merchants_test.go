package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/merchants"
)

func merchantCounts(t *testing.T) string {
	t.Helper()
	var m, p, i, a int
	err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT (SELECT count(*) FROM merchant), (SELECT count(*) FROM merchant_pledge),
		(SELECT count(*) FROM merchant_inspector), (SELECT count(*) FROM audit_log WHERE action <> 'sign_in_failed')`).Scan(&m, &p, &i, &a)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("merchants=%d pledges=%d inspectors=%d audit=%d", m, p, i, a)
}

func shopFeature(lon, lat float64, props string) string {
	return fmt.Sprintf(`{"type":"Feature","geometry":{"type":"Point","coordinates":[%g,%g]},"properties":{%s}}`, lon, lat, props)
}

func validLicence(n int) string {
	first := fmt.Sprintf("92350802MA%07d", n)
	return first + string(merchants.LicenceCheckChar(first))
}

// The world's communities: A is the square [x, x+0.5] × [10, 10.5], B east of it.
func (w *accessWorld) inA() (float64, float64) {
	b := w.comA.Boundary.Bound()
	return b.Center()[0], b.Center()[1]
}

func (w *accessWorld) inB() (float64, float64) {
	b := w.comB.Boundary.Bound()
	return b.Center()[0], b.Center()[1]
}

func TestHostileShopsAnswerProblemsAndWriteNothing(t *testing.T) {
	w := newAccessWorld(t)
	admin := w.clients[access.Admin]
	x, y := w.inA()
	bad := validLicence(5)
	bad = bad[:17] + map[bool]string{true: "1", false: "0"}[bad[17] == '0']
	for name, body := range map[string]string{
		"outside the district": shopFeature(0.5, 0.5, `"name":"境外店"`),
		"wrong check digit":    shopFeature(x, y, fmt.Sprintf(`"name":"错码店","licence_no":%q`, bad)),
		"frontage a point":     shopFeature(x, y, fmt.Sprintf(`"name":"点店","frontage":{"type":"Point","coordinates":[%g,%g]}`, x, y)),
		"frontage unclosed": shopFeature(x, y, fmt.Sprintf(`"name":"开环店","frontage":{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`,
			x, y, x+0.0001, y, x+0.0001, y+0.0001, x, y+0.0002)),
		"frontage garbage":  shopFeature(x, y, `"name":"乱店","frontage":{"type":"LineString","coordinates":"here"}`),
		"huge name":         shopFeature(x, y, fmt.Sprintf(`"name":%q`, strings.Repeat("店", 5000))),
		"NaN coordinates":   `{"type":"Feature","geometry":{"type":"Point","coordinates":[NaN,10]},"properties":{"name":"无位店"}}`,
		"NaN as text":       `{"type":"Feature","geometry":{"type":"Point","coordinates":["NaN",10]},"properties":{"name":"无位店"}}`,
		"polygon geometry":  fmt.Sprintf(`{"type":"Feature","geometry":%s,"properties":{"name":"面店"}}`, goodSquare),
		"unknown property":  shopFeature(x, y, `"name":"多店","owner":"x"`),
		"no geometry":       `{"type":"Feature","geometry":null,"properties":{"name":"无形店"}}`,
		"out of range":      shopFeature(500, 95, `"name":"远店"`),
		"number for a name": shopFeature(x, y, `"name":1`),
	} {
		t.Run(name, func(t *testing.T) {
			before := merchantCounts(t)
			status, doc := admin.do("POST", "/api/v1/merchants", body)
			if status < 400 || status >= 500 {
				t.Fatalf("%d %v", status, doc)
			}
			if after := merchantCounts(t); after != before {
				t.Fatalf("refused (%d) but %s → %s", status, before, after)
			}
		})
	}
	// And a good one is taken, with its community.
	status, doc := admin.do("POST", "/api/v1/merchants", shopFeature(x, y, fmt.Sprintf(`"name":"好店","licence_no":%q,"contact_phone":"0597-1234567",
		"frontage":{"type":"LineString","coordinates":[[%g,%g],[%g,%g]]}`, validLicence(6), x+0.0001, y, x+0.0003, y)))
	if status != http.StatusCreated || doc["properties"].(map[string]any)["community_id"].(float64) != float64(w.comA.ID) {
		t.Fatalf("good shop: %d %v", status, doc)
	}
}

// Every merchant route keeps a lane chief to their community and an inspector to their shops.
func TestMerchantRoutesKeepToScope(t *testing.T) {
	w := newAccessWorld(t)
	admin, lane, insp := w.clients[access.Admin], w.clients[access.LaneChief], w.clients[access.Inspector]
	xa, ya := w.inA()
	xb, yb := w.inB()
	_, a := admin.do("POST", "/api/v1/merchants", shopFeature(xa, ya, `"name":"甲店"`))
	_, b := admin.do("POST", "/api/v1/merchants", shopFeature(xb, yb, `"name":"乙店"`))
	idA, idB := int64(a["id"].(float64)), int64(b["id"].(float64))
	status, post := admin.do("POST", fmt.Sprintf("/api/v1/merchants/%d/inspectors", idB), fmt.Sprintf(`{"person_id":%d}`, w.worker.ID))
	if status != http.StatusCreated {
		t.Fatalf("assign: %d %v", status, post)
	}
	postB := int64(post["id"].(float64))
	status, pledge := admin.do("POST", fmt.Sprintf("/api/v1/merchants/%d/pledges", idB), `{"signed_on":"2026-01-05","signer_name":"乙老板"}`)
	if status != http.StatusCreated {
		t.Fatalf("pledge: %d %v", status, pledge)
	}
	pledgeB := int64(pledge["id"].(float64))
	for _, tc := range []struct{ method, path, body string }{
		{"GET", fmt.Sprintf("/api/v1/merchants/%d", idB), ""},
		{"PATCH", fmt.Sprintf("/api/v1/merchants/%d", idB), `{"name":"改名"}`},
		{"POST", fmt.Sprintf("/api/v1/merchants/%d/status", idB), `{"status":"closed"}`},
		{"GET", fmt.Sprintf("/api/v1/merchants/%d/pledges", idB), ""},
		{"POST", fmt.Sprintf("/api/v1/merchants/%d/pledges", idB), `{"signed_on":"2026-02-01"}`},
		{"POST", fmt.Sprintf("/api/v1/merchant-pledges/%d:void", pledgeB), `{"reason":"误录"}`},
		{"GET", fmt.Sprintf("/api/v1/merchants/%d/inspectors", idB), ""},
		{"POST", fmt.Sprintf("/api/v1/merchants/%d/inspectors", idB), fmt.Sprintf(`{"person_id":%d,"handover":true}`, w.worker.ID)},
		{"PATCH", fmt.Sprintf("/api/v1/merchant-inspectors/%d", postB), `{}`},
		{"POST", fmt.Sprintf("/api/v1/merchant-inspectors/%d:void", postB), `{"reason":"误录"}`},
		{"POST", "/api/v1/merchant-inspectors:bulk", fmt.Sprintf(`{"person_id":%d,"community_id":%d,"handover":true}`, w.worker.ID, w.comB.ID)},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			before := merchantCounts(t)
			status, doc := lane.do(tc.method, tc.path, tc.body)
			if tc.path == "/api/v1/merchant-inspectors:bulk" {
				if status != http.StatusOK || doc["assigned"].(float64) != 0 {
					t.Fatalf("bulk over B by A's lane chief: %d %v", status, doc)
				}
			} else if status != http.StatusNotFound && status != http.StatusForbidden {
				t.Fatalf("lane chief of A on B's shop: %d %v", status, doc)
			}
			if after := merchantCounts(t); after != before {
				t.Fatalf("%s → %s", before, after)
			}
		})
	}
	ids := func(c *apiClient, q string) []int64 {
		t.Helper()
		status, doc := c.do("GET", "/api/v1/merchants"+q, "")
		if status != 200 {
			t.Fatalf("list: %d %v", status, doc)
		}
		var out []int64
		for _, f := range doc["features"].([]any) {
			out = append(out, int64(f.(map[string]any)["id"].(float64)))
		}
		return out
	}
	if got := ids(lane, ""); len(got) != 1 || got[0] != idA {
		t.Fatalf("lane chief of A lists %v", got)
	}
	// The inspector account has no person of its own in this world: it checks nothing, sees nothing.
	if got := ids(insp, ""); len(got) != 0 {
		t.Fatalf("inspector with no shops lists %v", got)
	}
	if got := ids(admin, fmt.Sprintf("?near=%g,%g&within_m=15", xb, yb)); len(got) != 1 || got[0] != idB {
		t.Fatalf("near B: %v", got)
	}
	// Who checked B on a day before the post began: nobody.
	status, doc := admin.do("GET", fmt.Sprintf("/api/v1/merchants/%d/inspectors?at=2020-03-03T10:00:00%%2B08:00", idB), "")
	if status != 200 || len(doc["inspectors"].([]any)) != 0 {
		t.Fatalf("inspectors on 3 March 2020: %d %v", status, doc)
	}
}

func TestMerchantImportAnswers207WithTheBadLines(t *testing.T) {
	w := newAccessWorld(t)
	admin := w.clients[access.Admin]
	x, y := w.inA()
	csv := fmt.Sprintf("name,licence,address,lon,lat,crs\n甲店,%s,一路,%g,%g,WGS-84\n乙店,,二路,0.5,0.5,WGS-84\n", validLicence(7), x, y)
	status, doc := admin.do("POST", "/api/v1/merchants:import?format=csv", csv)
	if status != http.StatusMultiStatus || doc["created"].(float64) != 1 {
		t.Fatalf("import: %d %v", status, doc)
	}
	rej := doc["rejected"].([]any)[0].(map[string]any)
	if rej["line"].(float64) != 3 || !strings.Contains(rej["reason"].(string), "outside") {
		t.Fatalf("rejected: %v", rej)
	}
	before := merchantCounts(t)
	if status, doc := admin.do("POST", "/api/v1/merchants:import?format=csv&strict=true", csv); status != http.StatusUnprocessableEntity {
		t.Fatalf("strict: %d %v", status, doc)
	}
	if status, doc := admin.do("POST", "/api/v1/merchants:import?format=csv", csv); status != http.StatusMultiStatus || doc["unchanged"].(float64) != 1 {
		t.Fatalf("again: %d %v", status, doc)
	}
	if after := merchantCounts(t); after == before {
		t.Fatal("the second import was not audited")
	}
}
