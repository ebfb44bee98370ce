package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// The phone hears at once whether its check-in was judged suspect, and why; the record and the
// visits list say the same later.
func TestInspectionAnswersItsProofVerdict(t *testing.T) {
	w := newInspectionWorld(t)
	// Both shops checked from one spot in community A: the second is a desk check-in (and far off).
	at := time.Now().Add(-30 * time.Minute)
	body := func(shop int64, at time.Time) string {
		return fmt.Sprintf(`{"merchant_id":%d,"at":%q,"lon":%.7f,"lat":35.003,"accuracy_m":12,"results":[{"item":"sanitation","ok":true}]}`,
			shop, at.Format(time.RFC3339), w.x+0.003)
	}
	type verdict struct {
		ID      int64 `json:"id"`
		Suspect bool  `json:"suspect"`
		Reasons []struct {
			Code   string  `json:"code"`
			Figure float64 `json:"figure"`
			Limit  float64 `json:"limit"`
		} `json:"reasons"`
	}
	post := func(b string) (verdict, []byte) {
		t.Helper()
		resp, raw := w.inspector.send("POST", "/api/v1/inspections", "application/json", []byte(b), nil)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("%d %s", resp.StatusCode, raw)
		}
		var v verdict
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		return v, raw
	}
	first, raw := post(body(w.shopA, at))
	if first.Suspect || first.Reasons == nil || len(first.Reasons) != 0 {
		t.Fatalf("an honest check-in: %s (want suspect false, reasons [])", raw)
	}
	second, raw := post(body(w.shopB, at.Add(3*time.Minute)))
	if !second.Suspect || len(second.Reasons) != 2 || second.Reasons[0].Code != "off_site" || second.Reasons[1].Code != "repeated_position" {
		t.Fatalf("a desk check-in at a shop 1 km away: %s", raw)
	}
	status, doc := w.admin.do("GET", fmt.Sprintf("/api/v1/inspections/%d", second.ID), "")
	if reasons, _ := doc["reasons"].([]any); status != 200 || doc["suspect"] != true || len(reasons) != 2 {
		t.Fatalf("get: %d %v", status, doc)
	}
	resp, raw := w.admin.send("GET", "/api/v1/inspections?merchant="+fmt.Sprint(w.shopB), "", nil, nil)
	var list struct {
		Visits []struct {
			Suspect bool      `json:"suspect"`
			Records []verdict `json:"records"`
		} `json:"visits"`
	}
	_ = json.Unmarshal(raw, &list)
	if resp.StatusCode != 200 || len(list.Visits) != 1 || !list.Visits[0].Suspect || !list.Visits[0].Records[0].Suspect {
		t.Fatalf("visits: %d %s", resp.StatusCode, raw)
	}
}
