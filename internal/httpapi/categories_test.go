package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"streetchief/internal/access"
	"streetchief/internal/auth"
	"streetchief/internal/dbtest"
)

// categoryCodes reads the codes of a category list answer, and the named one.
func categoryCodes(t *testing.T, c *apiClient, path, want string) ([]string, map[string]any) {
	t.Helper()
	status, doc := c.do("GET", path, "")
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %v", path, status, doc)
	}
	var codes []string
	var found map[string]any
	list, _ := doc["categories"].([]any)
	for _, x := range list {
		m := x.(map[string]any)
		codes = append(codes, m["code"].(string))
		if m["code"] == want {
			found = m
		}
	}
	return codes, found
}

func open311Codes(t *testing.T, c *apiClient) string {
	t.Helper()
	resp, raw := c.send("GET", "/open311/v2/services.json", "", nil, nil)
	var services []struct {
		Code string `json:"service_code"`
	}
	if err := json.Unmarshal(raw, &services); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s %v", resp.StatusCode, raw, err)
	}
	codes := make([]string, len(services))
	for i, s := range services {
		codes[i] = s.Code
	}
	return "," + strings.Join(codes, ",") + ","
}

func TestAdminManagesTheCatalogueAndIntakeAndOpen311FollowIt(t *testing.T) {
	w := newIncidentWorld(t)
	admin := asUser(t, w.srv, auth.NewService(dbtest.Pool(t), auth.Options{}), fmt.Sprintf("cat-admin-%d", int(w.x*10)), access.Admin, 0)
	code := fmt.Sprintf("h%d-01", int(w.x*10))
	body := fmt.Sprintf(`{"code":%q,"parent":"06","name_zh":"测试小类","name_en":"Test subcategory","ack_hours":1,"start_hours":2,
		"resolve_hours":4,"departments":["urban_management"],"escalation":"street_chief","after_photo_required":true}`, code)
	if status, doc := w.street.do("POST", "/api/v1/incident-categories", body); status != http.StatusForbidden {
		t.Fatalf("a street chief added a category: %d %v", status, doc)
	}
	if status, doc := admin.do("POST", "/api/v1/incident-categories", body); status != http.StatusCreated || doc["selectable"] != true {
		t.Fatalf("create: %d %v", status, doc)
	}
	if status, doc := admin.do("POST", "/api/v1/incident-categories", body); status != http.StatusConflict {
		t.Fatalf("created twice: %d %v", status, doc)
	}
	if services := open311Codes(t, w.public); !strings.Contains(services, ","+code+",") || strings.Contains(services, ",06,") {
		t.Fatalf("Open311 services %s: want the new subcategory and no group", services)
	}

	if status, doc := admin.do("PATCH", "/api/v1/incident-categories/"+code, `{"name_en":"Renamed subcategory","resolve_hours":6}`); status != http.StatusOK ||
		doc["name_en"] != "Renamed subcategory" || doc["name_zh"] != "测试小类" || doc["resolve_hours"] != 6.0 || doc["ack_hours"] != 1.0 {
		t.Fatalf("patch: %d %v", status, doc)
	}
	if status, doc := admin.do("PATCH", "/api/v1/incident-categories/"+code, `{"ack_hours":0}`); status != http.StatusUnprocessableEntity {
		t.Fatalf("patch to 0 hours: %d %v", status, doc)
	}
	// A client of the first release replaces what it knew of; the parent and escalation stay.
	if status, doc := admin.do("PUT", "/api/v1/incident-categories/"+code, `{"name_zh":"测试小类","name_en":"Renamed subcategory",
		"departments":["urban_management"],"ack_hours":1,"start_hours":2,"resolve_hours":6}`); status != http.StatusOK ||
		doc["parent"] != "06" || doc["escalation"] != "street_chief" || doc["after_photo_required"] != true {
		t.Fatalf("put: %d %v", status, doc)
	}
	if status, _ := admin.do("PATCH", "/api/v1/incident-categories/nope", `{"name_en":"x"}`); status != http.StatusNotFound {
		t.Fatalf("patch of an unknown category: %d", status)
	}

	resp, raw := w.public.send("POST", "/api/v1/incidents", "application/json", []byte(reportJSON(code, w.inMarket(), "")), nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("report: %d %s", resp.StatusCode, raw)
	}
	var old struct{ ID int64 }
	if err := json.Unmarshal(raw, &old); err != nil {
		t.Fatal(err)
	}

	if status, doc := admin.do("POST", "/api/v1/incident-categories/"+code+":retire", `{}`); status != http.StatusUnprocessableEntity {
		t.Fatalf("retired without a reason: %d %v", status, doc)
	}
	if status, doc := admin.do("POST", "/api/v1/incident-categories/"+code+":retire", `{"reason":"并入 01-01 暴露垃圾"}`); status != http.StatusOK || doc["retired_at"] == nil {
		t.Fatalf("retire: %d %v", status, doc)
	}
	resp, raw = w.public.send("POST", "/api/v1/incidents", "application/json", []byte(reportJSON(code, w.inB(), "")), nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(raw), "retired") {
		t.Fatalf("report in a retired category: %d %s", resp.StatusCode, raw)
	}
	if services := open311Codes(t, w.public); strings.Contains(services, ","+code+",") {
		t.Fatalf("retired category still an Open311 service: %s", services)
	}
	if _, c := categoryCodes(t, w.public, "/api/v1/incident-categories", code); c != nil {
		t.Fatalf("retired category offered to the public: %v", c)
	}
	if _, c := categoryCodes(t, w.public, "/api/v1/incident-categories?include_retired=true", code); c != nil {
		t.Fatalf("retired category shown to an anonymous caller: %v", c)
	}
	if _, c := categoryCodes(t, w.street, "/api/v1/incident-categories?include_retired=true", code); c == nil || c["retired_reason"] != "并入 01-01 暴露垃圾" {
		t.Fatalf("retired category not shown to staff: %v", c)
	}
	if status, doc := w.street.do("GET", fmt.Sprintf("/api/v1/incidents/%d", old.ID), ""); status != http.StatusOK || doc["category"] != code {
		t.Fatalf("old incident: %d %v", status, doc)
	}
	resp, raw = w.public.send("GET", fmt.Sprintf("/open311/v2/requests/%d.json", old.ID), "", nil, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(raw), `"service_name":"测试小类"`) {
		t.Fatalf("Open311 lost the retired category's name: %d %s", resp.StatusCode, raw)
	}
}
