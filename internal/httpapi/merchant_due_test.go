package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

// The field app's list of the day's work, and every shop's state today, through the existing
// merchants route.
func TestMerchantsDueTodayAndInspectedToday(t *testing.T) {
	w := newInspectionWorld(t)
	if resp, raw := w.inspector.send("POST", "/api/v1/inspections", "application/json", []byte(w.body(w.shopA, w.x+0.003, "")), nil); resp.StatusCode != 201 {
		t.Fatalf("%d %s", resp.StatusCode, raw)
	}
	type list struct {
		Features []struct {
			ID         int64          `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	get := func(path string) list {
		t.Helper()
		resp, raw := w.inspector.send("GET", path, "", nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, raw)
		}
		var l list
		if err := json.Unmarshal(raw, &l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	// Shop B lies a kilometre from where the inspector stands: far beyond a click's radius.
	due := get(fmt.Sprintf("/api/v1/merchants?due=today&near=%.5f,35.003", w.x+0.003))
	if len(due.Features) != 1 || due.Features[0].ID != w.shopB || due.Features[0].Properties["inspected_today"] != false {
		t.Fatalf("due today: %+v", due)
	}
	if d, _ := due.Features[0].Properties["distance_m"].(float64); d < 900 {
		t.Fatalf("distance %v", due.Features[0].Properties["distance_m"])
	}
	all := get("/api/v1/merchants")
	for _, f := range all.Features {
		last, present := f.Properties["last_inspected_at"]
		switch {
		case !present:
			t.Fatalf("shop %d has no last_inspected_at: %v", f.ID, f.Properties)
		case f.ID == w.shopA && (f.Properties["inspected_today"] != true || last == nil):
			t.Fatalf("shop A: %v", f.Properties)
		case f.ID != w.shopA && (f.Properties["inspected_today"] != false || last != nil):
			t.Fatalf("shop %d: %v", f.ID, f.Properties)
		}
	}
	if status, doc := w.inspector.do("GET", "/api/v1/merchants?due=someday", ""); status != 422 || doc["field"] != "due" {
		t.Fatalf("due=someday: %d %v", status, doc)
	}
}
