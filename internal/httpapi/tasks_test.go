package httpapi_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
)

// A district leader issues a task; the street chief breaks it down for community A; its lane chief
// reports with a photo; the leader returns it, the lane chief reports again and the leader accepts.
// Bad input is a 4xx that writes nothing; roles outside the rule are turned away.
func TestTasksOverHTTP(t *testing.T) {
	w := newAccessWorld(t)
	sub := w.comA.ParentID
	leader, chief, lane := w.clients[access.DistrictLeader], w.clients[access.StreetChief], w.clients[access.LaneChief]
	deadline := time.Now().Add(10 * 24 * time.Hour).UTC().Truncate(time.Second)
	issue := func(deadline time.Time, extra string) string {
		return fmt.Sprintf(`{"issuer_level":"district","issuing_office":"区委督查室","title":"背街小巷提升","done_when":"路面平整，无乱堆放",
			"deadline":%q,"subdistrict_ids":[%d],"area_ids":[%d]%s}`, deadline.Format(time.RFC3339), sub, w.areaA.ID, extra)
	}
	count := func() int64 {
		var n int64
		if err := dbtest.Pool(t).QueryRow(t.Context(), `SELECT (SELECT count(*) FROM task) + (SELECT count(*) FROM task_item) + (SELECT count(*) FROM task_event)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	for _, c := range []struct {
		name, body string
		want       int
	}{
		{"deadline in the past", issue(time.Now().Add(-time.Hour), ""), http.StatusUnprocessableEntity},
		{"unknown field", issue(deadline, `,"urgent":true`), http.StatusBadRequest},
		{"unknown area", strings.Replace(issue(deadline, ""), fmt.Sprintf("[%d]", w.areaA.ID), "[987654321]", 1), http.StatusUnprocessableEntity},
		{"title too long", strings.Replace(issue(deadline, ""), "背街小巷提升", strings.Repeat("长", 201), 1), http.StatusUnprocessableEntity},
		{"not JSON", `{"title":`, http.StatusBadRequest},
	} {
		if status, doc := leader.do("POST", "/api/v1/tasks", c.body); status != c.want {
			t.Errorf("%s: %d %v, want %d", c.name, status, doc, c.want)
		}
	}
	if status, _ := chief.do("POST", "/api/v1/tasks", issue(deadline, "")); status != http.StatusForbidden {
		t.Fatalf("a street chief issues: %d", status)
	}
	if n := count(); n != before {
		t.Fatalf("refused requests wrote %d rows", n-before)
	}
	status, doc := leader.do("POST", "/api/v1/tasks", issue(deadline, ""))
	if status != http.StatusCreated || doc["state"] != "issued" {
		t.Fatalf("issue: %d %v", status, doc)
	}
	id := int64(doc["id"].(float64))
	if fc, _ := doc["targets"].(map[string]any); fc == nil || len(fc["features"].([]any)) != 1 {
		t.Fatalf("targets: %v", doc["targets"])
	}
	status, doc = chief.do("POST", fmt.Sprintf("/api/v1/tasks/%d/parts/%d/items", id, sub),
		fmt.Sprintf(`{"items":[{"community_id":%d,"text":"甲社区背街清理","deadline":%q}]}`, w.comA.ID, deadline.Add(time.Hour).Format(time.RFC3339)))
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("an item due after the task: %d %v", status, doc)
	}
	status, doc = chief.do("POST", fmt.Sprintf("/api/v1/tasks/%d/parts/%d/items", id, sub),
		fmt.Sprintf(`{"items":[{"community_id":%d,"text":"甲社区背街清理","deadline":%q}]}`, w.comA.ID, deadline.Format(time.RFC3339)))
	if status != http.StatusCreated || doc["state"] != "broken_down" {
		t.Fatalf("break down: %d %v", status, doc)
	}
	itemID := int64(doc["parts"].([]any)[0].(map[string]any)["items"].([]any)[0].(map[string]any)["id"].(float64))
	progress := fmt.Sprintf("/api/v1/task-items/%d/progress", itemID)
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	photo := base64.StdEncoding.EncodeToString(buf.Bytes())
	status, doc = lane.do("POST", progress, fmt.Sprintf(`{"text":"清运垃圾","percent":50,"photos":[%q],"lon":0,"lat":0}`, photo))
	if status != http.StatusCreated {
		t.Fatalf("progress: %d %v", status, doc)
	}
	ev := doc["parts"].([]any)[0].(map[string]any)["items"].([]any)[0].(map[string]any)["events"].([]any)[0].(map[string]any)
	if ev["off_site"] != true {
		t.Fatalf("a report from 0,0 is not flagged: %v", ev)
	}
	photoPath := ev["photos"].([]any)[0].(string)
	req, _ := http.NewRequest("GET", w.srv.URL+photoPath, nil)
	req.Header.Set("Authorization", "Bearer "+lane.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(got, buf.Bytes()) {
		t.Fatalf("photo: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	photoInStore(t, "task_photo", buf.Bytes())
	item := fmt.Sprintf("/api/v1/task-items/%d", itemID)
	if status, _ := leader.do("POST", item+":accept", `{}`); status != http.StatusConflict {
		t.Fatalf("accept an item in progress: %d", status)
	}
	if status, _ := lane.do("POST", progress, `{"done":true}`); status != http.StatusCreated {
		t.Fatalf("claim: %d", status)
	}
	if status, _ := leader.do("POST", item+":return", `{"reason":""}`); status != http.StatusUnprocessableEntity {
		t.Fatalf("return without reason: %d", status)
	}
	if status, doc := leader.do("POST", item+":return", `{"reason":"仍有堆放"}`); status != http.StatusOK || doc["state"] != "in_progress" {
		t.Fatalf("return: %d %v", status, doc)
	}
	if status, _ := lane.do("POST", progress, `{"done":true,"text":"已清理"}`); status != http.StatusCreated {
		t.Fatalf("claim again: %d", status)
	}
	if status, doc := leader.do("POST", item+":accept", `{"note":"合格"}`); status != http.StatusOK || doc["state"] != "done" {
		t.Fatalf("accept: %d %v", status, doc)
	}
	if status, _ := lane.do("POST", progress, `{"text":"again"}`); status != http.StatusConflict {
		t.Fatalf("progress on an accepted item: %d", status)
	}
	// Lists: state filter checked; overdue=true answers the overdue list.
	if status, _ := w.clients[access.Assessor].do("GET", "/api/v1/tasks?state=bogus", ""); status != http.StatusBadRequest {
		t.Fatalf("state=bogus: %d", status)
	}
	if status, doc := w.clients[access.Assessor].do("GET", "/api/v1/tasks?state=done", ""); status != http.StatusOK || len(doc["tasks"].([]any)) != 1 {
		t.Fatalf("done tasks: %d %v", status, doc)
	}
	if status, doc := chief.do("GET", "/api/v1/tasks?overdue=true", ""); status != http.StatusOK || doc["overdue"] == nil {
		t.Fatalf("overdue: %d %v", status, doc)
	}
	if status, _ := w.clients[access.DepartmentLiaison].do("GET", fmt.Sprintf("/api/v1/tasks/%d", id), ""); status != http.StatusForbidden {
		t.Fatalf("a department liaison reads a task: %d", status)
	}
	// Deadline changes and cancellation keep revisions.
	if status, doc := leader.do("POST", fmt.Sprintf("/api/v1/tasks/%d/deadline", id), fmt.Sprintf(`{"deadline":%q,"reason":"延期"}`, deadline.Add(48*time.Hour).Format(time.RFC3339))); status != http.StatusOK || len(doc["revisions"].([]any)) != 1 {
		t.Fatalf("deadline change: %d %v", status, doc)
	}
	if status, _ := leader.do("POST", fmt.Sprintf("/api/v1/tasks/%d/deadline", id), `{"reason":"延期"}`); status != http.StatusUnprocessableEntity {
		t.Fatalf("deadline change without deadline: %d", status)
	}
	if status, doc := leader.do("POST", fmt.Sprintf("/api/v1/tasks/%d:cancel", id), `{"reason":"合并"}`); status != http.StatusOK || doc["state"] != "cancelled" {
		t.Fatalf("cancel: %d %v", status, doc)
	}
}
