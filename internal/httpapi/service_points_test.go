package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
)

func servicePointCounts(t *testing.T) string {
	t.Helper()
	var p, r, s, a int
	err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT (SELECT count(*) FROM service_point), (SELECT count(*) FROM service_point_revision),
		(SELECT count(*) FROM service_point_status), (SELECT count(*) FROM audit_log WHERE target_type LIKE 'service_point%')`).Scan(&p, &r, &s, &a)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("points=%d revisions=%d statuses=%d audit=%d", p, r, s, a)
}

func pointFeature(lon, lat float64, props string) string {
	return fmt.Sprintf(`{"type":"Feature","geometry":{"type":"Point","coordinates":[%.7f,%.7f]},"properties":{%s}}`, lon, lat, props)
}

const goodPointProps = `"type":"mothers_room","name":"甲社区妈妈小屋","hours":[{"weekdays":[1,2,3,4,5],"opens":"08:30","closes":"17:30"}],
	"operator_org":"甲社区妇联","contact_name":"王主任","contact_phone":"13905970001","capacity":6`

func TestHostileServicePointsAnswerProblemsAndWriteNothing(t *testing.T) {
	w := newAccessWorld(t)
	admin := w.clients[access.Admin]
	x, y := w.inA()
	for name, c := range map[string]struct{ path, body string }{
		"outside the district": {"/api/v1/service-points", pointFeature(0.5, 0.5, goodPointProps)},
		"unknown type":         {"/api/v1/service-points", pointFeature(x, y, strings.Replace(goodPointProps, "mothers_room", "karaoke", 1))},
		"capacity below zero":  {"/api/v1/service-points", pointFeature(x, y, strings.Replace(goodPointProps, `"capacity":6`, `"capacity":-3`, 1))},
		"capacity as text":     {"/api/v1/service-points", pointFeature(x, y, strings.Replace(goodPointProps, `"capacity":6`, `"capacity":"six"`, 1))},
		"hours malformed":      {"/api/v1/service-points", pointFeature(x, y, strings.Replace(goodPointProps, `"08:30"`, `"8.30am"`, 1))},
		"hours not a list":     {"/api/v1/service-points", pointFeature(x, y, strings.Replace(goodPointProps, `[{"weekdays":[1,2,3,4,5],"opens":"08:30","closes":"17:30"}]`, `"weekdays"`, 1))},
		"bad crs":              {"/api/v1/service-points?crs=mars", pointFeature(x, y, goodPointProps)},
		"script in the phone":  {"/api/v1/service-points", pointFeature(x, y, strings.Replace(goodPointProps, "13905970001", `<img src=x onerror=alert(1)>`, 1))},
		"control character":    {"/api/v1/service-points", pointFeature(x, y, strings.Replace(goodPointProps, "甲社区妈妈小屋", `甲社区\u0007妈妈小屋`, 1))},
		"huge name":            {"/api/v1/service-points", pointFeature(x, y, strings.Replace(goodPointProps, "甲社区妈妈小屋", strings.Repeat("屋", 3000), 1))},
		"opened in the future": {"/api/v1/service-points", pointFeature(x, y, goodPointProps+`,"opened_on":"2099-01-01"`)},
		"unknown property":     {"/api/v1/service-points", pointFeature(x, y, goodPointProps+`,"owner":"x"`)},
		"polygon geometry":     {"/api/v1/service-points", fmt.Sprintf(`{"type":"Feature","geometry":%s,"properties":{%s}}`, goodSquare, goodPointProps)},
	} {
		t.Run(name, func(t *testing.T) {
			before := servicePointCounts(t)
			status, doc := admin.do("POST", c.path, c.body)
			if status < 400 || status >= 500 || doc["detail"] == "" {
				t.Fatalf("%d %v", status, doc)
			}
			if after := servicePointCounts(t); after != before {
				t.Fatalf("refused (%d) but %s → %s", status, before, after)
			}
		})
	}
	for _, path := range []string{"/api/v1/service-points?subdistrict=999999999", "/api/v1/service-points?community=" + fmt.Sprint(w.areaA.ID+1<<40),
		"/api/v1/service-points?type=nope", "/api/v1/service-points?bbox=1,2,3", "/api/v1/service-points?subdistrict=abc"} {
		if status, doc := w.clients[access.Public].do("GET", path, ""); status < 400 || status >= 500 {
			t.Errorf("GET %s: %d %v", path, status, doc)
		}
	}
}

func TestServicePointContactsOnlyInScopeAndClosedPointsHiddenFromThePublic(t *testing.T) {
	w := newAccessWorld(t)
	x, y := w.inA()
	// Given in GCJ-02, as a phone's Chinese map app would; stored in WGS-84.
	status, doc := w.clients[access.LaneChief].do("POST", "/api/v1/service-points?crs=gcj02", pointFeature(x, y, goodPointProps))
	if status != http.StatusCreated {
		t.Fatalf("create: %d %v", status, doc)
	}
	id := int64(doc["id"].(float64))
	props := doc["properties"].(map[string]any)
	if props["community_id"].(float64) != float64(w.comA.ID) || props["contact_phone"] != "13905970001" {
		t.Fatalf("created %v", props)
	}
	path := fmt.Sprintf("/api/v1/service-points/%d", id)
	for role, wantContact := range map[access.Role]bool{access.Public: false, access.Inspector: false, access.LaneChief: true, access.Admin: true} {
		status, doc := w.clients[role].do("GET", path, "")
		if status != http.StatusOK {
			t.Fatalf("%s: %d %v", role, status, doc)
		}
		p := doc["properties"].(map[string]any)
		if _, has := p["contact_phone"]; has != wantContact {
			t.Errorf("%s sees contact %v, want %v", role, p["contact_phone"], wantContact)
		}
		if _, has := p["revisions"]; has != wantContact {
			t.Errorf("%s sees revisions: %v, want %v", role, has, wantContact)
		}
	}
	// The CSV carries the contact for the lane chief, not for the public.
	for role, wantPhone := range map[access.Role]bool{access.Public: false, access.LaneChief: true} {
		code, _, body := w.clients[role].fetch("GET", fmt.Sprintf("/api/v1/service-points?format=csv&community=%d", w.comA.ID), "", "")
		if code != http.StatusOK || !strings.HasPrefix(string(body), "\uFEFFid,type,name") || !strings.Contains(string(body), "甲社区妈妈小屋") {
			t.Fatalf("%s CSV: %d %.80s", role, code, body)
		}
		if strings.Contains(string(body), "13905970001") != wantPhone {
			t.Errorf("%s: the CSV's contact shown %v, want %v", role, !wantPhone, wantPhone)
		}
	}
	if status, doc := w.clients[access.LaneChief].do("PATCH", path, `{"capacity":8}`); status != http.StatusUnprocessableEntity {
		t.Errorf("revision without reason: %d %v", status, doc)
	}
	if status, doc := w.clients[access.LaneChief].do("PATCH", path, `{"capacity":8,"reason":"second room opened"}`); status != http.StatusOK {
		t.Errorf("revision: %d %v", status, doc)
	}
	if status, doc := w.clients[access.LaneChief].do("POST", path+":close", `{"reason":"the room is being refitted"}`); status != http.StatusOK {
		t.Fatalf("close: %d %v", status, doc)
	}
	if status, _ := w.clients[access.Public].do("GET", path, ""); status != http.StatusNotFound {
		t.Errorf("the public reads a closed point: %d", status)
	}
	_, list := w.clients[access.Public].do("GET", "/api/v1/service-points", "")
	for _, f := range list["features"].([]any) {
		if int64(f.(map[string]any)["id"].(float64)) == id {
			t.Error("the public lists a closed point")
		}
	}
	status, doc = w.clients[access.StreetChief].do("GET", path, "")
	if status != http.StatusOK || len(doc["properties"].(map[string]any)["statuses"].([]any)) != 2 {
		t.Errorf("street chief reads the closed point's history: %d %v", status, doc)
	}
	if status, _ := w.clients[access.LaneChief].do("POST", path+":close", `{"reason":"again"}`); status != http.StatusConflict {
		t.Errorf("closing a closed point: %d", status)
	}
}

func TestServicePointTypesAndGapParametersAreChecked(t *testing.T) {
	w := newAccessWorld(t)
	admin := w.clients[access.Admin]
	types := func() int {
		var n int
		if err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT count(*) FROM service_point_type`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := types()
	for _, body := range []string{`{"code":"reading_room","name_zh":"阅览室","name_en":"Reading room","gap_distance_m":10}`,
		`{"code":"Reading Room","name_zh":"阅览室","name_en":"Reading room","gap_distance_m":1000}`,
		`{"code":"reading_room","name_zh":"阅览室\u0000","name_en":"Reading room","gap_distance_m":1000}`,
		`{"code":"reading_room","name_zh":"阅览室","name_en":"Reading room","gap_distance_m":"far"}`} {
		if status, doc := admin.do("POST", "/api/v1/service-point-types", body); status < 400 || status >= 500 {
			t.Errorf("%s: %d %v", body, status, doc)
		}
	}
	if after := types(); after != before {
		t.Errorf("%d types before refusals, %d after", before, after)
	}
	code := fmt.Sprintf("reading_room_%d", w.comA.ID)
	if status, doc := admin.do("POST", "/api/v1/service-point-types", fmt.Sprintf(`{"code":%q,"name_zh":"阅览室","name_en":"Reading room","gap_distance_m":1200,"colour":"#123abc"}`, code)); status != http.StatusCreated {
		t.Fatalf("add: %d %v", status, doc)
	}
	if status, _ := admin.do("POST", "/api/v1/service-point-types/"+code+":retire", `{}`); status != http.StatusUnprocessableEntity {
		t.Errorf("retire without a reason: %d", status)
	}
	if status, doc := admin.do("POST", "/api/v1/service-point-types/"+code+":retire", `{"reason":"merged"}`); status != http.StatusOK || doc["retired_at"] == nil {
		t.Errorf("retire: %d %v", status, doc)
	}
	_, doc := w.clients[access.Public].do("GET", "/api/v1/service-point-types", "")
	list := doc["types"].([]any)
	if last := list[len(list)-1].(map[string]any); last["code"] != code {
		t.Errorf("a retired type is not listed last: %v", last)
	}
	for _, q := range []string{"service_point_distance_m=10", "service_point_distance_m=abc", "service_point_distance_m=30000"} {
		if status, _ := admin.do("GET", "/api/v1/reports/gaps?kinds=service_point_gaps&"+q, ""); status != http.StatusBadRequest {
			t.Errorf("%s: %d", q, status)
		}
	}
	if status, doc := admin.do("GET", "/api/v1/reports/gaps?kinds=service_point_gaps&service_point_distance_m=1200", ""); status != http.StatusOK {
		t.Errorf("gap report: %d %v", status, doc)
	}
}
