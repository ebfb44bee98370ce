package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"streetchief/internal/access"
)

// TestAssignmentHistoryCannotBeErasedThroughTheAPI: ending an assignment at its start, or "ending now"
// one that has not begun, is refused and changes nothing; only an administrator voids one, with a
// reason, and the voided record stays visible in the history.
func TestAssignmentHistoryCannotBeErasedThroughTheAPI(t *testing.T) {
	w := newAccessWorld(t)
	lane, admin := w.clients[access.LaneChief], w.clients[access.Admin]
	path := fmt.Sprintf("/api/v1/assignments/%d", w.assignA.ID)
	future := time.Now().AddDate(0, 2, 0).UTC().Format(time.RFC3339)
	status, doc := admin.do("POST", "/api/v1/assignments",
		fmt.Sprintf(`{"area_id":%d,"person_id":%d,"role":"volunteer","from":%q}`, w.areaA.ID, w.worker.ID, future))
	if status != http.StatusCreated {
		t.Fatalf("a future volunteer: %d %v", status, doc)
	}
	futurePath := fmt.Sprintf("/api/v1/assignments/%d", int64(doc["id"].(float64)))

	for _, tc := range []struct {
		name, method, path, body string
		client                   *apiClient
		status                   int
		detail                   string
	}{
		{"end at its start", "PATCH", path, fmt.Sprintf(`{"until":%q}`, w.assignA.From.Format(time.RFC3339Nano)), lane, 422, "void"},
		{"end before its start", "PATCH", path, `{"until":"2001-01-01T00:00:00Z"}`, lane, 422, "void"},
		{"end in year 9999", "PATCH", path, `{"until":"9999-12-31T00:00:00Z"}`, lane, 422, "years ahead"},
		{"end now before it begins", "DELETE", futurePath, "", lane, 422, "void"},
		{"void as a lane chief", "POST", path + ":void", `{"reason":"mistake"}`, lane, 403, ""},
		{"void without a reason", "POST", path + ":void", `{}`, admin, 422, "reason"},
		{"void with a reason too long", "POST", path + ":void", fmt.Sprintf(`{"reason":%q}`, strings.Repeat("x", 501)), admin, 422, "reason"},
		{"appoint in year 0000", "POST", "/api/v1/assignments", fmt.Sprintf(`{"area_id":%d,"person_id":%d,"role":"deputy","from":"0000-01-01T00:00:00Z"}`, w.areaA.ID, w.worker.ID), admin, 422, "1949"},
		{"a second primary manager", "POST", "/api/v1/assignments", fmt.Sprintf(`{"area_id":%d,"person_id":%d,"role":"area_manager"}`, w.areaA.ID, w.worker.ID), admin, 409, "overlaps"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := rowCounts(t)
			status, doc := tc.client.do(tc.method, tc.path, tc.body)
			if status != tc.status {
				t.Fatalf("%d %v, want %d", status, doc, tc.status)
			}
			if detail, _ := doc["detail"].(string); !strings.Contains(detail, tc.detail) {
				t.Fatalf("detail %q does not mention %q", detail, tc.detail)
			}
			if after := rowCounts(t); after != before {
				t.Fatalf("tables changed: %s → %s", before, after)
			}
		})
	}
	if status, doc := admin.do("GET", path, ""); status != 200 || doc["until"] != nil {
		t.Fatalf("after the refused ends: %d %v", status, doc)
	}

	status, doc = admin.do("POST", path+":void", `{"reason":"entered for the wrong park"}`)
	if status != http.StatusOK {
		t.Fatalf("void: %d %v", status, doc)
	}
	if v, _ := doc["voided"].(map[string]any); v == nil || v["reason"] != "entered for the wrong park" {
		t.Fatalf("voided assignment: %v", doc)
	}
	listed := func(query string) map[string]any {
		t.Helper()
		status, doc := lane.do("GET", fmt.Sprintf("/api/v1/assignments?area=%d&role=area_manager%s", w.areaA.ID, query), "")
		if status != 200 {
			t.Fatalf("list: %d %v", status, doc)
		}
		for _, a := range doc["assignments"].([]any) {
			if a := a.(map[string]any); int64(a["id"].(float64)) == w.assignA.ID {
				return a
			}
		}
		return nil
	}
	if a := listed(""); a != nil {
		t.Fatalf("the voided assignment is still current: %v", a)
	}
	if a := listed("&history=true"); a == nil || a["voided"] == nil {
		t.Fatalf("the voided assignment in the history: %v", a)
	}
}

// TestConcurrentHandoversAnswerNoInternalError fires handovers of one post at once over HTTP.
func TestConcurrentHandoversAnswerNoInternalError(t *testing.T) {
	w := newAccessWorld(t)
	admin := w.clients[access.Admin]
	const n = 20
	people := make([]int64, n)
	for i := range people {
		status, doc := admin.do("POST", "/api/v1/people", fmt.Sprintf(`{"name":"接任%d"}`, i))
		if status != http.StatusCreated {
			t.Fatalf("person: %d %v", status, doc)
		}
		people[i] = int64(doc["id"].(float64))
	}
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], _ = admin.do("POST", "/api/v1/assignments",
				fmt.Sprintf(`{"area_id":%d,"person_id":%d,"role":"area_manager","handover":true}`, w.areaB.ID, people[i]))
		}()
	}
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusCreated && s != http.StatusConflict {
			t.Errorf("handover %d: %d, want 201 or 409", i, s)
		}
	}
	status, doc := admin.do("GET", fmt.Sprintf("/api/v1/assignments?area=%d&role=area_manager", w.areaB.ID), "")
	if status != 200 || len(doc["assignments"].([]any)) != 1 {
		t.Fatalf("current managers of the area: %d %v", status, doc)
	}
}
