package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
)

func fundsCounts(t *testing.T) string {
	t.Helper()
	var e, a int
	if err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT (SELECT count(*) FROM funds_entry),
		(SELECT count(*) FROM audit_log WHERE target_type = 'funds_entry')`).Scan(&e, &a); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("entries=%d audit=%d", e, a)
}

func TestFundsLedgerOverHTTP(t *testing.T) {
	w := newAccessWorld(t)
	leader, chief := w.clients[access.DistrictLeader], w.clients[access.StreetChief]
	sub := w.comA.ParentID
	const year = 2095
	status, doc := leader.do("POST", "/api/v1/funds/allocations", fmt.Sprintf(`{"year":%d}`, year))
	if status != http.StatusCreated || len(doc["booked"].([]any)) == 0 {
		t.Fatalf("allocation: %d %v", status, doc)
	}
	if status, doc = leader.do("POST", "/api/v1/funds/allocations", fmt.Sprintf(`{"year":%d}`, year)); status != http.StatusOK || len(doc["booked"].([]any)) != 0 {
		t.Fatalf("second allocation: %d %v, want 200 booking nothing", status, doc)
	}
	if status, _ := chief.do("POST", "/api/v1/funds/allocations", fmt.Sprintf(`{"year":%d}`, year+1)); status != http.StatusForbidden {
		t.Errorf("a street chief allocating: %d, want 403", status)
	}

	// A spending of the chief's subdistrict, given as a decimal string, then corrected.
	status, doc = leader.do("POST", "/api/v1/funds/entries", fmt.Sprintf(
		`{"year":%d,"subdistrict_id":%d,"fund":"civilised_city","payer":"city","kind":"spending","yuan":"1234.56","reason":"宣传栏"}`, year, sub))
	if status != http.StatusCreated || fmt.Sprint(doc["yuan"]) != "-1234.56" {
		t.Fatalf("spending: %d %v", status, doc)
	}
	spent := int64(doc["id"].(float64))
	status, doc = leader.do("POST", fmt.Sprintf("/api/v1/funds/entries/%d:correct", spent), `{"yuan":-1200.5,"reason":"发票金额更正"}`)
	if status != http.StatusCreated || fmt.Sprint(doc["yuan"]) != "34.06" || doc["corrects"].(float64) != float64(spent) {
		t.Fatalf("correction: %d %v", status, doc)
	}

	for _, tc := range []struct{ name, path, body string }{
		{"three decimals", "/api/v1/funds/entries", `{"year":2095,"subdistrict_id":%d,"fund":"civilised_city","payer":"city","kind":"spending","yuan":1.234,"reason":"r"}`},
		{"1e300", "/api/v1/funds/entries", `{"year":2095,"subdistrict_id":%d,"fund":"civilised_city","payer":"city","kind":"spending","yuan":1e300,"reason":"r"}`},
		{"over 100 million", "/api/v1/funds/entries", `{"year":2095,"subdistrict_id":%d,"fund":"civilised_city","payer":"city","kind":"allocation","yuan":"100000000.01","reason":"r"}`},
		{"unknown fund", "/api/v1/funds/entries", `{"year":2095,"subdistrict_id":%d,"fund":"party","payer":"city","kind":"spending","yuan":1,"reason":"r"}`},
		{"year 1800", "/api/v1/funds/entries", `{"year":1800,"subdistrict_id":%d,"fund":"civilised_city","payer":"city","kind":"spending","yuan":1,"reason":"r"}`},
		{"a reward by hand", "/api/v1/funds/entries", `{"year":2095,"subdistrict_id":%d,"fund":"civilised_city","payer":"city","kind":"reward","yuan":1,"reason":"r"}`},
		{"no reason", "/api/v1/funds/entries", `{"year":2095,"subdistrict_id":%d,"fund":"civilised_city","payer":"city","kind":"spending","yuan":1}`},
		{"an unknown field", "/api/v1/funds/entries", `{"year":2095,"subdistrict_id":%d,"fund":"civilised_city","payer":"city","kind":"spending","yuan":1,"reason":"r","note":1}`},
		{"yuan as words", "/api/v1/funds/entries", `{"year":2095,"subdistrict_id":%d,"fund":"civilised_city","payer":"city","kind":"spending","yuan":"一百","reason":"r"}`},
		{"allocation year 1800", "/api/v1/funds/allocations", `{"year":1800}`},
		{"a correction without yuan", fmt.Sprintf("/api/v1/funds/entries/%d:correct", spent), `{"reason":"r"}`},
		{"a correction without reason", fmt.Sprintf("/api/v1/funds/entries/%d:correct", spent), `{"yuan":-1,"reason":""}`},
		{"a correction with three decimals", fmt.Sprintf("/api/v1/funds/entries/%d:correct", spent), `{"yuan":-1.001,"reason":"r"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := fundsCounts(t)
			body := tc.body
			if strings.Contains(body, "%d") {
				body = fmt.Sprintf(body, sub)
			}
			status, doc := leader.do("POST", tc.path, body)
			if status < 400 || status >= 500 {
				t.Fatalf("%s: %d %v, want 4xx", body, status, doc)
			}
			if after := fundsCounts(t); after != before {
				t.Errorf("written: %s → %s", before, after)
			}
		})
	}

	// The street chief sees their subdistrict only; the leader sees the district's budget too.
	status, doc = chief.do("GET", fmt.Sprintf("/api/v1/funds/balances?year=%d", year), "")
	if status != http.StatusOK {
		t.Fatalf("chief's balances: %d %v", status, doc)
	}
	rows := doc["rows"].([]any)
	if len(rows) != 2 {
		t.Fatalf("chief's balances: %v, want city and district rows of one subdistrict", rows)
	}
	for _, r := range rows {
		if r.(map[string]any)["subdistrict_id"].(float64) != float64(sub) {
			t.Errorf("the chief sees %v", r)
		}
	}
	if r := rows[0].(map[string]any); r["payer"] == "city" && fmt.Sprint(r["balance"]) != "248799.5" {
		t.Errorf("city balance = %v, want 250000 − 1200.50", r["balance"])
	}
	status, doc = chief.do("GET", fmt.Sprintf("/api/v1/funds/entries?year=%d", year), "")
	if status != http.StatusOK || len(doc["entries"].([]any)) != 4 {
		t.Errorf("chief's entries: %d %v, want 2 allocations, the spending and its correction", status, doc)
	}
	status, doc = leader.do("GET", fmt.Sprintf("/api/v1/funds/balances?year=%d&subdistrict=%d", year, sub), "")
	if status != http.StatusOK || len(doc["rows"].([]any)) != 2 {
		t.Errorf("leader's balances of one subdistrict: %d %v", status, doc)
	}
	status, doc = leader.do("GET", fmt.Sprintf("/api/v1/funds/balances?year=%d&subdistrict=district", year), "")
	if status != http.StatusOK || len(doc["rows"].([]any)) != 2 || doc["rows"].([]any)[0].(map[string]any)["fund"] != "volunteer_service" {
		t.Errorf("leader's district-wide balances: %d %v", status, doc)
	}
	for _, role := range []access.Role{access.LaneChief, access.Inspector, access.DepartmentLiaison} {
		if status, _ := w.clients[role].do("GET", "/api/v1/funds/entries", ""); status != http.StatusForbidden {
			t.Errorf("%s reading the ledger: %d, want 403", role, status)
		}
	}

	// Exports.
	status, hdr, raw := leader.fetch("GET", fmt.Sprintf("/api/v1/funds/balances?year=%d&format=xlsx&lang=en", year), "", "")
	if status != http.StatusOK || !strings.Contains(hdr.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("xlsx: %d %v", status, hdr)
	}
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.GetCellValue("Balances", "A2"); v != "Subdistrict" {
		t.Errorf("xlsx header A2 = %q", v)
	}
	status, _, raw = chief.fetch("GET", fmt.Sprintf("/api/v1/funds/entries?year=%d&format=csv", year), "", "")
	if status != http.StatusOK || !strings.Contains(string(raw), "-1234.56") || strings.Count(string(raw), "\n") != 5 {
		t.Errorf("csv: %d\n%s", status, raw)
	}
	for _, q := range []string{"year=1800", "year=abc", "format=pdf", "subdistrict=-3", "fund=gold", "lang=fr"} {
		if status, _ := leader.do("GET", "/api/v1/funds/entries?"+q, ""); status < 400 || status >= 500 {
			t.Errorf("entries?%s: %d, want 4xx", q, status)
		}
	}
}
