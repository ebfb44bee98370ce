package httpapi_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestVerificationOverHTTP(t *testing.T) {
	w := newIncidentWorld(t)
	_, rc := w.public.do("POST", "/api/v1/incidents", reportJSON("street_occupying", w.inB(), ""))
	id := int64(rc["id"].(float64))
	token, _ := rc["verification_token"].(string)
	if token == "" {
		t.Fatalf("the receipt has no verification token: %v", rc)
	}
	for _, to := range []string{"in_progress", "resolved"} {
		if status, doc := w.street.do("POST", fmt.Sprintf("/api/v1/incidents/%d/transitions", id), `{"to":"`+to+`","note":"整改"}`); status != 200 {
			t.Fatalf("%s: %d %v", to, status, doc)
		}
	}
	path := fmt.Sprintf("/api/v1/incidents/%d/verification", id)
	status, doc := w.street.do("POST", path, `{"outcome":"confirmed"}`)
	if status != 403 || !strings.Contains(fmt.Sprint(doc["detail"]), "you resolved") {
		t.Fatalf("the resolver verified: %d %v", status, doc)
	}
	before := incidentCounts(t)
	if status, doc := w.public.do("POST", path+"?token=wrong", `{"outcome":"confirmed"}`); status != 403 {
		t.Fatalf("a wrong token: %d %v", status, doc)
	}
	if after := incidentCounts(t); after != before {
		t.Fatalf("a wrong token wrote: %s, then %s", before, after)
	}
	status, doc = w.public.do("POST", path+"?token="+url.QueryEscape(token), `{"outcome":"failed","note":"摊位还在"}`)
	if status != 200 || doc["status"] != "reopened" || doc["events"] != nil {
		t.Fatalf("the reporter disputed: %d %v", status, doc)
	}
	_, raw := w.public.send("POST", "/open311/v2/requests.json", "application/x-www-form-urlencoded",
		[]byte(fmt.Sprintf("service_code=street_occupying&lat=%f&long=%f", w.inB()[1], w.inB()[0])), nil)
	if !strings.Contains(string(raw), `"verification_token":"`) {
		t.Fatalf("the Open311 answer has no verification token: %s", raw)
	}
	if status, _ := w.leader.do("GET", fmt.Sprintf("/api/v1/incidents/%d/dispatch-candidates", id), ""); status != 403 {
		t.Fatalf("a district leader listed dispatch candidates: %d", status)
	}
	status, doc = w.street.do("GET", fmt.Sprintf("/api/v1/incidents/%d/dispatch-candidates", id), "")
	if list, _ := doc["candidates"].([]any); status != 200 || len(list) != 1 {
		t.Fatalf("candidates in community B: %d %v", status, doc)
	}
}
