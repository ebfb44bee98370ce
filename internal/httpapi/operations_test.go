package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
)

// The street chief plans an operation of their subdistrict; the liaison of a department taking
// part and the lane chief read it; neither changes it; the plan's mistakes are 422s that name them.
func TestOperationsOverHTTP(t *testing.T) {
	w := newAccessWorld(t)
	sub := w.comA.ParentID
	start := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	plan := func(departments string) string {
		return fmt.Sprintf(`{"title":"夜市整治","kind":"short_notice","subdistrict_id":%d,"starts_at":%q,"ends_at":%q,
			"department_ids":%s,"people":[{"person_id":%d,"role":"commander"}],"area_ids":[%d],"briefing":"联合检查"}`,
			sub, start.Format(time.RFC3339), start.Add(2*time.Hour).Format(time.RFC3339), departments, w.worker.ID, w.areaA.ID)
	}
	chief := w.clients[access.StreetChief]
	status, doc := chief.do("POST", "/api/v1/operations", plan("[1, 987654]"))
	if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(doc["detail"]), "987654") {
		t.Fatalf("an unknown department: %d %v", status, doc)
	}
	status, doc = chief.do("POST", "/api/v1/operations", plan("[1]"))
	if status != http.StatusCreated || doc["state"] != "planned" {
		t.Fatalf("plan: %d %v", status, doc)
	}
	id := int64(doc["id"].(float64))
	path := fmt.Sprintf("/api/v1/operations/%d", id)
	for _, role := range []access.Role{access.DepartmentLiaison, access.LaneChief, access.DistrictLeader} {
		if status, doc := w.clients[role].do("GET", path, ""); status != http.StatusOK || doc["title"] != "夜市整治" {
			t.Errorf("%s reads it: %d %v", role, status, doc)
		}
		if status, _ := w.clients[role].do("POST", path+":cancel", `{"reason":"不去了"}`); status != http.StatusForbidden {
			t.Errorf("%s cancels it: %d, want 403", role, status)
		}
	}
	status, doc = w.clients[access.DepartmentLiaison].do("GET", fmt.Sprintf("/api/v1/operations?subdistrict=%d&state=planned", sub), "")
	if ops, _ := doc["operations"].([]any); status != http.StatusOK || len(ops) != 1 {
		t.Fatalf("the liaison's list: %d %v", status, doc)
	}
	status, doc = chief.do("GET", "/api/v1/operations/calendar?month="+start.In(time.FixedZone("CST", 8*3600)).Format("2006-01"), "")
	if status != http.StatusOK || !strings.Contains(fmt.Sprint(doc["days"]), "夜市整治") {
		t.Fatalf("calendar: %d %v", status, doc)
	}
	if status, doc := chief.do("GET", "/api/v1/operations?state=sleeping", ""); status != http.StatusUnprocessableEntity {
		t.Fatalf("an unknown state: %d %v", status, doc)
	}
	if status, doc := chief.do("POST", path+"/outcomes", `{"notes":"早"}`); status != http.StatusConflict {
		t.Fatalf("an outcome before it begins: %d %v", status, doc)
	}
	req, _ := http.NewRequest("GET", w.srv.URL+path+"/report", nil)
	req.Header.Set("Authorization", "Bearer "+chief.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(page), "联合执法行动报告") {
		t.Fatalf("report: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// 500 target shops in one request.
	c := w.areaA.Geom.Bound().Center()
	var shops []int64
	if err := dbtest.Pool(t).QueryRow(context.Background(), `WITH s AS (INSERT INTO merchant (name, location)
		SELECT '店' || g, ST_SetSRID(ST_MakePoint($1 + g * 0.00001, $2), 4326) FROM generate_series(1, 500) g RETURNING id)
		SELECT array_agg(id ORDER BY id) FROM s`, c[0]-0.0025, c[1]).Scan(&shops); err != nil {
		t.Fatal(err)
	}
	ids := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(shops)), ","), "[]")
	big := strings.Replace(plan("[1]"), `"area_ids"`, `"merchant_ids":[`+ids+`],"area_ids"`, 1)
	if status, doc := chief.do("POST", "/api/v1/operations", big); status != http.StatusCreated || doc["shops"] != float64(500) {
		t.Fatalf("500 target shops: %d %v", status, doc["detail"])
	}
	status, doc = chief.do("POST", path+":cancel", `{"reason":"台风"}`)
	if status != http.StatusOK || doc["state"] != "cancelled" {
		t.Fatalf("cancel: %d %v", status, doc)
	}
}
