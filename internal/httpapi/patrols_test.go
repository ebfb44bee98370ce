package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
)

func patrolRows(t *testing.T) string {
	t.Helper()
	var p, f int
	if err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT (SELECT count(*) FROM patrol), (SELECT count(*) FROM patrol_fix)`).Scan(&p, &f); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("patrols=%d fixes=%d", p, f)
}

// From the field app: a lane chief starts a patrol offline under the phone's id, sends the fixes
// in two batches (the first twice, its answer lost), ends it and reads it back as a GeoJSON
// Feature with its verdict; resends answer alike, different bodies are 409, bad bodies write
// nothing, and an inspector who is not its person does not find it.
func TestPatrolsOverHTTP(t *testing.T) {
	w := newAccessWorld(t)
	lane := w.clients[access.LaneChief]
	b := w.areaA.Geom.Bound()
	x0, y := b.Min[0]+0.01, b.Center()[1]
	start := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
	id := "5e0c3c7a-6a44-4b57-9d1e-3f0a2b7c9d10"
	// The account's post began when the test made it, after the patrol; so the area is named.
	startBody := fmt.Sprintf(`{"started_at": %q, "note": "午后巡街", "area_ids": [%d]}`, start.Format(time.RFC3339), w.areaA.ID)
	if status, doc := lane.do("PUT", "/api/v1/patrols/"+id, startBody); status != http.StatusCreated || doc["state"] != "recording" {
		t.Fatalf("start: %d %v", status, doc)
	}
	if status, doc := lane.do("PUT", "/api/v1/patrols/"+id, startBody); status != http.StatusOK || doc["id"] != id {
		t.Fatalf("the start again: %d %v", status, doc)
	}
	if status, doc := lane.do("PUT", "/api/v1/patrols/"+id, `{"started_at": "`+start.Add(time.Minute).Format(time.RFC3339)+`"}`); status != http.StatusConflict {
		t.Fatalf("another start under the id: %d %v", status, doc)
	}
	// 20 minutes walking east at 1.2 m/s, a fix every 10 s.
	mPerDegLon := 111_320 * math.Cos(y*math.Pi/180)
	fix := func(i int) string {
		return fmt.Sprintf(`{"seq": %d, "lon": %.7f, "lat": %.7f, "accuracy_m": 8, "at": %q}`, i, x0+float64(i)*12/mPerDegLon,
			y+float64(i%3)*0.00002, start.Add(time.Duration(i*10+5)*time.Second).Format(time.RFC3339))
	}
	batch := func(from, to int) string {
		var parts []string
		for i := from; i < to; i++ {
			parts = append(parts, fix(i))
		}
		return `{"fixes": [` + strings.Join(parts, ",") + `]}`
	}
	for _, c := range []struct {
		body          string
		stored, total float64
	}{{batch(0, 60), 60, 60}, {batch(0, 60), 0, 60}, {batch(50, 121), 61, 121}} {
		if status, doc := lane.do("POST", "/api/v1/patrols/"+id+"/fixes", c.body); status != http.StatusOK || doc["stored"] != c.stored || doc["fixes"] != c.total {
			t.Fatalf("fixes: %d %v, want %v stored of %v", status, doc, c.stored, c.total)
		}
	}
	before := patrolRows(t)
	for _, bad := range []struct {
		body string
		want int
	}{
		{`{"fixes": [{"seq": 200, "lon": 500, "lat": 10, "accuracy_m": 5, "at": "` + start.Format(time.RFC3339) + `"}]}`, http.StatusUnprocessableEntity},
		{`{"fixes": [{"seq": 200, "lon": 60, "lat": 10, "accuracy_m": -5, "at": "` + start.Format(time.RFC3339) + `"}]}`, http.StatusUnprocessableEntity},
		{`{"fixes": "many"}`, http.StatusBadRequest},
		{strings.Replace(batch(0, 3), `"accuracy_m": 8`, `"accuracy_m": 9`, 1), http.StatusConflict},
	} {
		if status, doc := lane.do("POST", "/api/v1/patrols/"+id+"/fixes", bad.body); status != bad.want {
			t.Errorf("%.80s: %d %v, want %d", bad.body, status, doc, bad.want)
		}
	}
	if status, doc := lane.do("POST", "/api/v1/patrols/not-a-uuid/fixes", batch(0, 1)); status != http.StatusBadRequest {
		t.Errorf("a patrol id that is no UUID: %d %v", status, doc)
	}
	if after := patrolRows(t); after != before {
		t.Fatalf("refused batches wrote: %s → %s", before, after)
	}
	endBody := `{"ended_at": "` + start.Add(21*time.Minute).Format(time.RFC3339) + `", "pauses": []}`
	status, ended := lane.do("POST", "/api/v1/patrols/"+id+":end", endBody)
	verdict, _ := ended["verdict"].(map[string]any)
	if status != http.StatusOK || ended["state"] != "ended" || verdict == nil || ended["distance_m"].(float64) < 1000 {
		t.Fatalf("end: %d %v", status, ended)
	}
	if _, isList := verdict["reasons"].([]any); !isList {
		t.Errorf("the verdict's reasons are not a list: %v", verdict)
	}
	if status, again := lane.do("POST", "/api/v1/patrols/"+id+":end", endBody); status != http.StatusOK || again["distance_m"] != ended["distance_m"] {
		t.Errorf("the end again: %d %v", status, again)
	}
	if status, doc := lane.do("POST", "/api/v1/patrols/"+id+":end", `{"ended_at": "`+start.Add(22*time.Minute).Format(time.RFC3339)+`"}`); status != http.StatusConflict {
		t.Errorf("another end: %d %v", status, doc)
	}
	if status, doc := lane.do("POST", "/api/v1/patrols/"+id+"/fixes", `{"fixes": [`+fix(130)+`]}`); status != http.StatusConflict {
		t.Errorf("fixes after the end: %d %v", status, doc)
	}

	resp, raw := lane.send("GET", "/api/v1/patrols/"+id, "", nil, nil)
	var feature struct {
		Type     string `json:"type"`
		Geometry struct {
			Type        string      `json:"type"`
			Coordinates [][]float64 `json:"coordinates"`
		} `json:"geometry"`
		Properties struct {
			Person  map[string]any   `json:"person"`
			Areas   []map[string]any `json:"areas"`
			Events  []any            `json:"events"`
			Verdict map[string]any   `json:"verdict"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &feature); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("get: %d %s", resp.StatusCode, raw)
	}
	if feature.Type != "Feature" || feature.Geometry.Type != "LineString" || len(feature.Geometry.Coordinates) != 121 ||
		feature.Properties.Person["name"] != "巷长甲" || feature.Properties.Events == nil ||
		len(feature.Properties.Areas) != 1 || feature.Properties.Areas[0]["id"] != float64(w.areaA.ID) || feature.Properties.Verdict == nil {
		t.Fatalf("the patrol's feature: %s", raw)
	}
	day := start.In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	if status, doc := w.clients[access.StreetChief].do("GET", "/api/v1/patrols?day="+day, ""); status != http.StatusOK || len(doc["patrols"].([]any)) != 1 {
		t.Errorf("the street chief's list: %d %v", status, doc)
	}
	if status, doc := w.clients[access.Inspector].do("GET", "/api/v1/patrols/"+id, ""); status != http.StatusNotFound {
		t.Errorf("an inspector reading another's patrol: %d %v", status, doc)
	}
	status, rep := w.clients[access.StreetChief].do("GET", "/api/v1/patrols/report?by=community&day="+day, "")
	rows, _ := rep["rows"].([]any)
	if status != http.StatusOK || len(rows) != 1 || rows[0].(map[string]any)["id"] != float64(w.comA.ID) || rows[0].(map[string]any)["patrols"] != 1.0 {
		t.Errorf("the report by community: %d %v", status, rep)
	}
	if status, doc := lane.do("GET", "/api/v1/patrols/report?by=street", ""); status != http.StatusUnprocessableEntity {
		t.Errorf("a report by nothing known: %d %v", status, doc)
	}
	if status, doc := lane.do("POST", "/api/v1/patrols/"+id+":void", `{"reason": "测试"}`); status != http.StatusOK || doc["state"] != "voided" {
		t.Errorf("void: %d %v", status, doc)
	}

	// A case the lane chief reports on a patrol under way is one of its events.
	live := "5e0c3c7a-6a44-4b57-9d1e-3f0a2b7c9d11"
	now := time.Now().UTC().Truncate(time.Second)
	if status, doc := lane.do("PUT", "/api/v1/patrols/"+live, fmt.Sprintf(`{"started_at": %q, "area_ids": [%d]}`,
		now.Add(-3*time.Minute).Format(time.RFC3339), w.areaA.ID)); status != http.StatusCreated {
		t.Fatalf("start the live patrol: %d %v", status, doc)
	}
	var parts []string
	for i := range 12 {
		parts = append(parts, fmt.Sprintf(`{"seq": %d, "lon": %.7f, "lat": %.7f, "accuracy_m": 8, "at": %q}`, i, x0+float64(i)*12/mPerDegLon, y,
			now.Add(time.Duration(i*10-120)*time.Second).Format(time.RFC3339)))
	}
	if status, doc := lane.do("POST", "/api/v1/patrols/"+live+"/fixes", `{"fixes": [`+strings.Join(parts, ",")+`]}`); status != http.StatusOK {
		t.Fatalf("live fixes: %d %v", status, doc)
	}
	status, incident := lane.do("POST", "/api/v1/incidents", fmt.Sprintf(`{"category": "street_occupying", "lon": %.7f, "lat": %.7f, "description": "占道"}`, x0+0.0005, y))
	if status != http.StatusCreated {
		t.Fatalf("report: %d %v", status, incident)
	}
	resp, raw = lane.send("GET", "/api/v1/patrols/"+live, "", nil, nil)
	if err := json.Unmarshal(raw, &feature); err != nil || resp.StatusCode != http.StatusOK || len(feature.Properties.Events) != 1 {
		t.Fatalf("the patrol under way lists %v: %d %s", feature.Properties.Events, resp.StatusCode, raw)
	}
	if status, doc := lane.do("POST", "/api/v1/patrols/"+live+":end", `{"ended_at": "`+now.Add(time.Minute).Format(time.RFC3339)+`"}`); status != http.StatusOK {
		t.Fatalf("end the live patrol: %d %v", status, doc)
	}
	resp, raw = lane.send("GET", "/api/v1/patrols/"+live, "", nil, nil)
	if err := json.Unmarshal(raw, &feature); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("get the live patrol: %d %s", resp.StatusCode, raw)
	}
	if ev := feature.Properties.Events; len(ev) != 1 || ev[0].(map[string]any)["kind"] != "incident" || ev[0].(map[string]any)["id"] != incident["id"] {
		t.Fatalf("the live patrol's events: %v, want incident %v", ev, incident["id"])
	}
}
