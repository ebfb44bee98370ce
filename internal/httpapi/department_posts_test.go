package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"

	"streetchief/internal/access"
)

// TestDepartmentPostsAnswerTheCallersSubdistrictsAsJSONAndXLSX: the matrix holds the subdistricts in
// the caller's scope (a lane chief's is the one around their community, without phones), comes as a
// workbook on request, and refuses a bad moment or format.
func TestDepartmentPostsAnswerTheCallersSubdistrictsAsJSONAndXLSX(t *testing.T) {
	w := newAccessWorld(t)
	sub := w.comA.ParentID
	columns := func(role access.Role) ([]float64, []bool) {
		t.Helper()
		status, doc := w.clients[role].do("GET", "/api/v1/department-posts", "")
		if status != 200 {
			t.Fatalf("%s: %d %v", role, status, doc)
		}
		var ids []float64
		var phones []bool
		for _, c := range doc["subdistricts"].([]any) {
			ids = append(ids, c.(map[string]any)["id"].(float64))
			phones = append(phones, c.(map[string]any)["phones_shown"].(bool))
		}
		if rows := doc["departments"].([]any); len(rows) < 9 {
			t.Fatalf("%s: %d departments, want the nine", role, len(rows))
		}
		return ids, phones
	}
	for _, role := range []access.Role{access.StreetChief, access.DepartmentLiaison, access.LaneChief} {
		ids, phones := columns(role)
		if !slices.Equal(ids, []float64{float64(sub)}) {
			t.Errorf("%s reads columns %v, want only %d", role, ids, sub)
		}
		if len(phones) == 1 && phones[0] != (role != access.LaneChief) {
			t.Errorf("%s: phones shown %v", role, phones[0])
		}
	}
	if ids, _ := columns(access.DistrictLeader); !slices.Contains(ids, float64(sub)) {
		t.Errorf("the district leader does not read subdistrict %d: %v", sub, ids)
	}
	if ids, _ := columns(access.Inspector); len(ids) != 0 {
		t.Errorf("an inspector without posts reads columns %v", ids)
	}

	req, _ := http.NewRequest("GET", w.srv.URL+"/api/v1/department-posts?format=xlsx", nil)
	req.Header.Set("Authorization", "Bearer "+w.clients[access.StreetChief].token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
		len(body) < 4 || string(body[:2]) != "PK" {
		t.Fatalf("xlsx: %d %s, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}
	for _, q := range []string{"at=yesterday", "format=pdf", "at=2026-13-01T00:00:00Z"} {
		if status, doc := w.clients[access.StreetChief].do("GET", "/api/v1/department-posts?"+q, ""); status != 400 {
			t.Errorf("%s: %d %v, want 400", q, status, doc)
		}
	}
}

// TestDepartmentPostOfAnUnknownDepartmentIsUnprocessable: appointing through /api/v1/assignments to
// a department that does not exist, or over a community, answers 422 naming the field and writes
// nothing.
func TestDepartmentPostOfAnUnknownDepartmentIsUnprocessable(t *testing.T) {
	w := newAccessWorld(t)
	before := rowCounts(t)
	for body, field := range map[string]string{
		fmt.Sprintf(`{"admin_unit_id":%d,"person_id":%d,"role":"department_leader","department_id":987654,"level":"city"}`, w.comA.ParentID, w.worker.ID): "department_id",
		fmt.Sprintf(`{"admin_unit_id":%d,"person_id":%d,"role":"department_leader","department_id":1}`, w.comA.ID, w.worker.ID):                           "admin_unit_id",
	} {
		status, doc := w.clients[access.Admin].do("POST", "/api/v1/assignments", body)
		if status != http.StatusUnprocessableEntity || doc["field"] != field {
			t.Errorf("%s: %d %v, want 422 naming %s", body, status, doc, field)
		}
	}
	if after := rowCounts(t); after != before {
		t.Errorf("a refused post wrote rows: %s → %s", before, after)
	}
}
