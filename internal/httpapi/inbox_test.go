package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/notify"
)

// TestAnInboxOverHTTPIsItsOwners: the lane chief sees and opens their notice; the street chief of
// the same subdistrict neither sees it nor can mark it read.
func TestAnInboxOverHTTPIsItsOwners(t *testing.T) {
	w := newAccessWorld(t)
	if _, err := notify.Enqueue(context.Background(), dbtest.Pool(t), notify.Notice{PersonID: w.people[access.LaneChief],
		Kind: "case_overdue", Subject: notify.Subject{Type: "incident", ID: 42}, Params: map[string]any{"id": 42, "category": "乱堆放", "place": "甲社区"}}); err != nil {
		t.Fatal(err)
	}
	lane, chief := w.clients[access.LaneChief], w.clients[access.StreetChief]
	status, in := lane.do("GET", "/api/v1/inbox?lang=en", "")
	items, _ := in["items"].([]any)
	if status != 200 || len(items) != 1 || in["unread"] != float64(1) {
		t.Fatalf("lane chief's inbox %d %v", status, in)
	}
	item := items[0].(map[string]any)
	if item["title"] != "Case 42 is overdue: 乱堆放, 甲社区" || item["read_at"] != nil {
		t.Fatalf("item %v", item)
	}
	id := fmt.Sprint(item["id"])
	if status, in := chief.do("GET", "/api/v1/inbox", ""); status != 200 || len(in["items"].([]any)) != 0 {
		t.Fatalf("the street chief sees %d %v", status, in)
	}
	if status, _ := chief.do("POST", "/api/v1/inbox/"+id+":read", ""); status != 404 {
		t.Fatalf("the street chief marked another's notice read: %d", status)
	}
	if status, read := lane.do("POST", "/api/v1/inbox/"+id+":read", ""); status != 200 || read["read_at"] == nil {
		t.Fatalf("read %d %v", status, read)
	}
	if _, in := lane.do("GET", "/api/v1/inbox", ""); in["unread"] != float64(0) {
		t.Fatalf("after reading: %v", in)
	}
	for _, bad := range []string{`{"channel":"fax","address":"x","enabled":true}`, `{"channel":"sms","address":"123","enabled":true}`,
		`{"channel":"email","address":"a@b.c","enabled":true,"quiet_from":"22:00"}`} {
		if status, doc := lane.do("PUT", "/api/v1/inbox/reach", bad); status != 422 {
			t.Errorf("reach %s: %d %v", bad, status, doc)
		}
	}
	// This server is configured with no channel at all.
	if status, doc := lane.do("PUT", "/api/v1/inbox/reach", `{"channel":"email","address":"lane@example.org","enabled":true}`); status != 422 ||
		!strings.Contains(fmt.Sprint(doc["detail"]), "sends no email") {
		t.Fatalf("set reach %d %v", status, doc)
	}
	for _, bad := range []string{"limit=500", "before=-1", "lang=fr", "limit=x"} {
		if status, _ := lane.do("GET", "/api/v1/inbox?"+bad, ""); status < 400 || status > 422 {
			t.Errorf("inbox?%s: %d", bad, status)
		}
	}
}
