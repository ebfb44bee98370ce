package httpapi_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"streetchief/internal/dbtest"
)

// jointIDs reads the departments of a joint case from its JSON: code → department id.
func jointIDs(t *testing.T, doc map[string]any) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	joint, _ := doc["joint"].([]any)
	for _, j := range joint {
		p := j.(map[string]any)
		out[p["department"].(string)] = int64(p["department_id"].(float64))
	}
	if len(out) == 0 {
		t.Fatalf("no departments in %v", doc)
	}
	return out
}

// finishJointWork has urban management's liaison acknowledge and fine, and an administrator
// acknowledge for market regulation, whose post is vacant — checking the refusals on the way.
func (w *incidentWorld) finishJointWork(t *testing.T, id int64) {
	t.Helper()
	_, doc := w.street.do("GET", fmt.Sprintf("/api/v1/incidents/%d", id), "")
	deps := jointIDs(t, doc)
	ack := func(dept int64) string {
		return fmt.Sprintf("/api/v1/incidents/%d/departments/%d:acknowledge", id, dept)
	}
	actions := fmt.Sprintf("/api/v1/incidents/%d/actions", id)
	fine := func(dept int64, amount string) string {
		return fmt.Sprintf(`{"department_id":%d,"kind":"fine","amount_yuan":%s,"legal_basis":"《城市市容和环境卫生管理条例》第三十六条","note":"占道经营罚款","photos":[%q]}`,
			dept, amount, base64.StdEncoding.EncodeToString(pngBytes(t)))
	}
	for _, tc := range []struct {
		name   string
		who    *apiClient
		method string
		path   string
		body   string
		want   int
	}{
		{"fine before acknowledging", w.liaison, "POST", actions, fine(deps["urban_management"], `200`), 409},
		{"street chief acknowledges for a department", w.street, "POST", ack(deps["urban_management"]), "", 403},
		{"liaison acknowledges", w.liaison, "POST", ack(deps["urban_management"]), "", 200},
		{"again", w.liaison, "POST", ack(deps["urban_management"]), "{}", 409},
		{"another department's", w.liaison, "POST", ack(deps["market_regulation"]), "", 403},
		{"a body that is not empty", w.admin, "POST", ack(deps["market_regulation"]), `{"x":1}`, 400},
		{"admin for the vacant post", w.admin, "POST", ack(deps["market_regulation"]), "", 200},
		{"a fine of too much", w.liaison, "POST", actions, fine(deps["urban_management"], `1e999`), 422},
		{"a fine as text that is no amount", w.liaison, "POST", actions, fine(deps["urban_management"], `"两百"`), 400},
		{"in the future", w.liaison, "POST", actions, fmt.Sprintf(`{"department_id":%d,"kind":"inspection","at":%q}`,
			deps["urban_management"], time.Now().Add(time.Hour).Format(time.RFC3339)), 422},
		{"for another department", w.liaison, "POST", actions, fmt.Sprintf(`{"department_id":%d,"kind":"inspection"}`, deps["market_regulation"]), 403},
		{"a department not in the case", w.admin, "POST", actions, `{"department_id":3,"kind":"inspection"}`, 422},
		{"the fine", w.liaison, "POST", actions, fine(deps["urban_management"], `"200.5"`), 201},
	} {
		if status, doc := tc.who.do(tc.method, tc.path, tc.body); status != tc.want {
			t.Fatalf("%s: %d %v, want %d", tc.name, status, doc, tc.want)
		}
	}
}

func TestAJointCaseOverHTTPShowsItsDepartmentsActionsAndKPIs(t *testing.T) {
	w := newIncidentWorld(t)
	_, doc := w.public.do("POST", "/api/v1/incidents", reportJSON("street_occupying", w.inB(), ""))
	id := int64(doc["id"].(float64))
	path := fmt.Sprintf("/api/v1/incidents/%d/transitions", id)
	for _, body := range []string{`{"to":"escalated"}`, `{"to":"joint_enforcement","departments":["urban_management","market_regulation"],"lead":"urban_management"}`} {
		if status, doc := w.street.do("POST", path, body); status != 200 {
			t.Fatalf("%s: %d %v", body, status, doc)
		}
	}
	status, list := w.liaison.do("GET", "/api/v1/incidents?awaiting_ack=true", "")
	if got, _ := list["incidents"].([]any); status != 200 || len(got) != 1 {
		t.Fatalf("awaiting the liaison: %d %v", status, list)
	}
	w.finishJointWork(t, id)
	status, list = w.liaison.do("GET", "/api/v1/incidents?awaiting_ack=true", "")
	if got, _ := list["incidents"].([]any); status != 200 || len(got) != 0 {
		t.Fatalf("nothing awaits after acknowledging: %d %v", status, list)
	}
	status, doc = w.liaison.do("GET", fmt.Sprintf("/api/v1/incidents/%d", id), "")
	joint, _ := doc["joint"].([]any)
	if status != 200 || len(joint) != 2 {
		t.Fatalf("%d %v", status, doc)
	}
	lead := joint[0].(map[string]any)
	acts, _ := lead["actions"].([]any)
	if lead["lead"] != true || lead["acknowledged_at"] == nil || len(acts) != 1 {
		t.Fatalf("lead %v", lead)
	}
	fine := acts[0].(map[string]any)
	if fine["amount_yuan"] != "200.50" || fine["photos"] == nil {
		t.Fatalf("fine %v", fine)
	}
	void := fmt.Sprintf("/api/v1/incidents/%d/actions/%d:void", id, int64(fine["id"].(float64)))
	if status, doc := w.liaison.do("POST", void, `{"reason":""}`); status != 422 {
		t.Fatalf("void without a reason: %d %v", status, doc)
	}
	if status, doc := w.liaison.do("POST", void, `{"reason":"金额有误"}`); status != 200 || doc["voided_at"] == nil {
		t.Fatalf("void: %d %v", status, doc)
	}
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	status, kpis := w.street.do("GET", "/api/v1/kpis/departments?from="+today+"&to="+today, "")
	total, _ := kpis["total"].(map[string]any)
	if status != 200 || total["requested"] != float64(2) || total["acknowledged"] != float64(2) || total["acted"] != float64(0) {
		t.Fatalf("KPIs %d %v", status, kpis)
	}
	for _, f := range []string{"csv", "xlsx"} {
		resp, raw := w.street.send("GET", "/api/v1/kpis/departments?by=subdistrict&format="+f, "", nil, nil)
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "kpis-departments-subdistrict") || len(raw) == 0 {
			t.Fatalf("%s: %d %s", f, resp.StatusCode, resp.Header)
		}
	}
	if status, doc := w.street.do("GET", "/api/v1/kpis/departments?by=person", ""); status != 422 {
		t.Fatalf("by person: %d %v", status, doc)
	}
	if status, _ := w.public.do("GET", "/api/v1/kpis/departments", ""); status != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d", status)
	}
}

// TestJointRoutesRefuseHostileInputAndWriteNothing sends each field of valid joint bodies made hostile
// in turn to a case in joint enforcement, which the route-table probe cannot reach (its case is new).
func TestJointRoutesRefuseHostileInputAndWriteNothing(t *testing.T) {
	w := newIncidentWorld(t)
	_, doc := w.public.do("POST", "/api/v1/incidents", reportJSON("street_occupying", w.inB(), ""))
	id := int64(doc["id"].(float64))
	for _, body := range []string{`{"to":"escalated"}`, `{"to":"joint_enforcement","departments":["urban_management","market_regulation"]}`} {
		if status, doc := w.street.do("POST", fmt.Sprintf("/api/v1/incidents/%d/transitions", id), body); status != 200 {
			t.Fatalf("%s: %d %v", body, status, doc)
		}
	}
	_, doc = w.street.do("GET", fmt.Sprintf("/api/v1/incidents/%d", id), "")
	urban := jointIDs(t, doc)["urban_management"]
	if status, doc := w.liaison.do("POST", fmt.Sprintf("/api/v1/incidents/%d/departments/%d:acknowledge", id, urban), ""); status != 200 {
		t.Fatalf("acknowledge: %d %v", status, doc)
	}
	joint := func() string {
		var s string
		if err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT (SELECT count(*) FROM incident_joint_action) || '/' ||
			(SELECT count(*) FROM incident_department) || '/' || (SELECT count(*) FROM incident_event)`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s + " " + rowCounts(t)
	}
	for _, tc := range []struct {
		who  *apiClient
		path string
		body string
	}{
		{w.liaison, fmt.Sprintf("/api/v1/incidents/%d/actions", id),
			fmt.Sprintf(`{"department_id":%d,"kind":"fine","at":%q,"note":"罚款","amount_yuan":"500","legal_basis":"条例"}`,
				urban, time.Now().Add(30*time.Second).Format(time.RFC3339))}, // a phone's clock a little ahead
		{w.liaison, fmt.Sprintf("/api/v1/incidents/%d/actions", id), fmt.Sprintf(`{"department_id":%d,"kind":"referral","referred_to":"区公安分局"}`, urban)},
		{w.street, fmt.Sprintf("/api/v1/incidents/%d/departments", id), `{"department_id":3,"note":"增派"}`},
		{w.street, fmt.Sprintf("/api/v1/incidents/%d/departments/%d:withdraw", id, jointIDs(t, doc)["market_regulation"]), `{"reason":"不涉及"}`},
	} {
		for _, h := range append(mutations(tc.body), genericBodies...) {
			before := joint()
			status, doc := tc.who.do("POST", tc.path, h)
			if status < 400 || status >= 500 {
				t.Errorf("%s %.100q: %d %v", tc.path, h, status, doc)
				continue
			}
			if after := joint(); after != before {
				t.Errorf("%s %.100q: refused (%d) but wrote %s → %s", tc.path, h, status, before, after)
			}
		}
		// Each hostile body was one field away from one that is taken.
		if status, doc := tc.who.do("POST", tc.path, tc.body); status >= 300 {
			t.Errorf("%s %s: %d %v", tc.path, tc.body, status, doc)
		}
	}
}
