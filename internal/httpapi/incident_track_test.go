package httpapi_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestTrackingOverHTTP(t *testing.T) {
	w := newIncidentWorld(t)
	status, rc := w.public.do("POST", "/api/v1/incidents", reportJSON("street_occupying", w.inMarket(), ""))
	number, _ := rc["tracking_number"].(string)
	token, _ := rc["verification_token"].(string)
	if status != 201 || len(number) != 14 || token == "" {
		t.Fatalf("receipt %d %v", status, rc)
	}
	status, doc := w.public.do("GET", "/api/v1/tracking/"+url.PathEscape(strings.ToLower(number)), "")
	with, _ := doc["with"].(map[string]any)
	if status != 200 || doc["tracking_number"] != number || doc["status"] != "assigned" || doc["reporter"] != false ||
		with["name"] != w.manager.Name || with["post"] != "area_manager" {
		t.Fatalf("tracked %d %v", status, doc)
	}
	if status, doc := w.public.do("GET", "/api/v1/tracking/"+number+"?token="+url.QueryEscape(token), ""); status != 200 || doc["reporter"] != true {
		t.Fatalf("with the token: %d %v", status, doc)
	}
	if status, doc := w.public.do("GET", "/api/v1/tracking/"+number+"?token=wrong", ""); status != 403 {
		t.Fatalf("a wrong token: %d %v", status, doc)
	}
	// This server sends no messages: a reporter is offered no contact field and has none to stop.
	if status, doc := w.public.do("GET", "/api/v1/session", ""); status != 200 || fmt.Sprint(doc["reporter_channels"]) != "[]" {
		t.Fatalf("anonymous session %d %v", status, doc)
	}
	if status, doc := w.public.do("POST", "/api/v1/tracking/"+number+":stop-messages", `{"token":"wrong"}`); status != 403 {
		t.Fatalf("stop with a wrong token: %d %v", status, doc)
	}
	if status, _ := w.public.do("POST", "/api/v1/tracking/"+number+":stop-messages", `{"token":"`+token+`"}`); status != 204 {
		t.Fatalf("stop with the receipt's token: %d", status)
	}
	unknown := "ZZZZ-ZZZZ-ZZZZ"
	if number == unknown {
		unknown = "ZZZZ-ZZZZ-ZZZY"
	}
	if status, doc := w.public.do("GET", "/api/v1/tracking/"+unknown, ""); status != 404 || !strings.Contains(fmt.Sprint(doc["detail"]), "ZZZZ") {
		t.Fatalf("an unknown number: %d %v", status, doc)
	}
	for _, bad := range []string{"abc", "UUUU-UUUU-UUUU", url.PathEscape("1' OR '1'='1"), strings.Repeat("A", 5000), "%E2%80%AE0000-0000-0000"} {
		if status, doc := w.public.do("GET", "/api/v1/tracking/"+bad, ""); status != 422 && status != 400 && status != 414 {
			t.Fatalf("number %.40q: %d %v", bad, status, doc)
		}
	}
}
