package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"testing"
	"time"
)

// A report queued on a phone while offline arrives a day late: it keeps the time and fix it was made
// with, while reported_at (and every KPI clock) is when the server received it.
func TestOfflineReportKeepsItsObservedTimeAndAccuracy(t *testing.T) {
	w := newIncidentWorld(t)
	p := w.inMarket()
	observed := time.Now().Add(-24 * time.Hour).UTC().Truncate(time.Second)
	body := reportJSON("sanitation", p, fmt.Sprintf(`,"observed_at":%q,"accuracy_m":12.5`, observed.Format(time.RFC3339)))
	key := map[string]string{"Idempotency-Key": "offline-1"}
	resp, raw := w.laneA.send("POST", "/api/v1/incidents", "application/json", []byte(body), key)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("%d %s", resp.StatusCode, raw)
	}
	var rc struct {
		ID         int64      `json:"id"`
		ObservedAt *time.Time `json:"observed_at"`
		AccuracyM  *float64   `json:"accuracy_m"`
		ReportedAt time.Time  `json:"reported_at"`
	}
	if err := json.Unmarshal(raw, &rc); err != nil {
		t.Fatal(err)
	}
	if rc.ObservedAt == nil || !rc.ObservedAt.Equal(observed) || rc.AccuracyM == nil || *rc.AccuracyM != 12.5 {
		t.Fatalf("receipt %s: want observed_at %s and accuracy_m 12.5", raw, observed.Format(time.RFC3339))
	}
	if time.Since(rc.ReportedAt) > time.Minute {
		t.Fatalf("reported_at %s is not the receipt time", rc.ReportedAt)
	}
	// The same report again under its key is a replay; with another observed time it is another report.
	if resp, _ := w.laneA.send("POST", "/api/v1/incidents", "application/json", []byte(body), key); resp.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("resend: %d, not replayed", resp.StatusCode)
	}
	other := reportJSON("sanitation", p, fmt.Sprintf(`,"observed_at":%q,"accuracy_m":12.5`, observed.Add(time.Minute).Format(time.RFC3339)))
	if resp, raw := w.laneA.send("POST", "/api/v1/incidents", "application/json", []byte(other), key); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("another observed time under the same key: %d %s", resp.StatusCode, raw)
	}
	status, doc := w.laneA.do("GET", fmt.Sprintf("/api/v1/incidents/%d", rc.ID), "")
	if status != 200 || doc["observed_at"] != observed.Format(time.RFC3339) || doc["accuracy_m"] != 12.5 {
		t.Fatalf("incident: %d observed_at %v accuracy_m %v", status, doc["observed_at"], doc["accuracy_m"])
	}
	events, _ := doc["events"].([]any)
	if len(events) == 0 {
		t.Fatalf("no history: %v", doc)
	}
	first, _ := events[0].(map[string]any)
	params, _ := first["params"].(map[string]any)
	if first["kind"] != "reported" || params["observed_at"] != observed.Format(time.RFC3339) || params["accuracy_m"] != 12.5 {
		t.Fatalf("the history's first step does not say when it was seen: %v", first)
	}

	// Multipart carries the same fields.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"category": "random_piling", "lon": fmt.Sprint(p[0]), "lat": fmt.Sprint(p[1]),
		"observed_at": observed.Format(time.RFC3339), "accuracy_m": "30"} {
		_ = mw.WriteField(k, v)
	}
	_ = mw.Close()
	resp, raw = w.laneA.send("POST", "/api/v1/incidents", mw.FormDataContentType(), buf.Bytes(), nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("multipart: %d %s", resp.StatusCode, raw)
	}
	rc.ObservedAt, rc.AccuracyM = nil, nil
	_ = json.Unmarshal(raw, &rc)
	if rc.ObservedAt == nil || !rc.ObservedAt.Equal(observed) || rc.AccuracyM == nil || *rc.AccuracyM != 30 {
		t.Fatalf("multipart receipt %s", raw)
	}

	// Without them, a report is as it was: nothing said of when it was seen.
	resp, raw = w.laneA.send("POST", "/api/v1/incidents", "application/json", []byte(reportJSON("sanitation", w.inB(), "")), nil)
	if resp.StatusCode != http.StatusCreated || bytes.Contains(raw, []byte("observed_at")) {
		t.Fatalf("plain report: %d %s", resp.StatusCode, raw)
	}
}

// An observed time in the future (beyond a phone's clock skew) or older than a week is refused,
// naming the field, and writes nothing; so is a nonsensical accuracy.
func TestImplausibleObservedTimesAreRefusedAndWriteNothing(t *testing.T) {
	w := newIncidentWorld(t)
	p := w.inMarket()
	at := func(d time.Duration) string {
		return fmt.Sprintf(`,"observed_at":%q`, time.Now().Add(d).UTC().Format(time.RFC3339))
	}
	for _, tc := range []struct {
		name, extra, field string
		want               int
	}{
		{"ten minutes ahead", at(10 * time.Minute), "observed_at", 422},
		{"eight days old", at(-8 * 24 * time.Hour), "observed_at", 422},
		{"not a time", `,"observed_at":"yesterday"`, "observed_at", 422},
		{"negative accuracy", `,"accuracy_m":-1`, "accuracy_m", 422},
		{"accuracy of a cell tower", `,"accuracy_m":50000`, "accuracy_m", 422},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := incidentCounts(t)
			resp, raw := w.laneA.send("POST", "/api/v1/incidents", "application/json", []byte(reportJSON("sanitation", p, tc.extra)),
				map[string]string{"Idempotency-Key": "bad-" + tc.name[:3]})
			var doc map[string]any
			_ = json.Unmarshal(raw, &doc)
			if resp.StatusCode != tc.want || doc["field"] != tc.field {
				t.Fatalf("%d %s, want %d naming %s", resp.StatusCode, raw, tc.want, tc.field)
			}
			if after := incidentCounts(t); after != before {
				t.Fatalf("wrote: %s → %s", before, after)
			}
		})
	}
	// Just inside both bounds is taken.
	for _, d := range []time.Duration{4 * time.Minute, -7*24*time.Hour + time.Hour} {
		if resp, raw := w.laneA.send("POST", "/api/v1/incidents", "application/json", []byte(reportJSON("sanitation", p, at(d))), nil); resp.StatusCode != 201 {
			t.Fatalf("observed %v from now: %d %s", d, resp.StatusCode, raw)
		}
	}
}
