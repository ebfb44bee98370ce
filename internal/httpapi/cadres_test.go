package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
)

func cadreCounts(t *testing.T) string {
	t.Helper()
	var o, a int
	if err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT (SELECT count(*) FROM cadre_opinion),
		(SELECT count(*) FROM audit_log WHERE action <> 'sign_in_failed')`).Scan(&o, &a); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("opinions=%d audit=%d", o, a)
}

func TestCadreOpinionsOverHTTP(t *testing.T) {
	w := newAccessWorld(t)
	chief := w.clients[access.StreetChief]
	year := time.Now().In(time.FixedZone("Asia/Shanghai", 8*3600)).Year()
	status, table := chief.do("GET", fmt.Sprintf("/api/v1/cadres/bonus-basis?year=%d", year), "")
	if status != http.StatusOK {
		t.Fatalf("bonus basis: %d %v", status, table)
	}
	rows := table["rows"].([]any)
	if len(rows) != 1 {
		t.Fatalf("the world's one liaison post: %v", rows)
	}
	row := rows[0].(map[string]any)
	post := fmt.Sprintf(`"person_id":%v,"subdistrict_id":%v,"role":"department_liaison","department_id":%v,"level":"district"`,
		row["person_id"], row["subdistrict_id"], row["department_id"])
	body := func(y int, rest string) string { return fmt.Sprintf(`{"year":%d,%s,%s}`, y, post, rest) }
	for _, tc := range []struct{ name, body string }{
		{"a year before 2000", body(1999, `"rating":"competent"`)},
		{"a future year", body(year+1, `"rating":"competent"`)},
		{"a rating not in the list", body(year, `"rating":"good"`)},
		{"incompetent with no text", body(year, `"rating":"incompetent"`)},
		{"a text too long", body(year, `"rating":"competent","text":"`+strings.Repeat("长", 2001)+`"`)},
		{"a text that is not UTF-8", body(year, "\"rating\":\"competent\",\"text\":\"\xff\"")},
		{"an unknown person", strings.Replace(body(year, `"rating":"competent"`), fmt.Sprintf(`"person_id":%v`, row["person_id"]), `"person_id":999999999`, 1)},
		{"an unknown field", body(year, `"rating":"competent","score":5`)},
		{"not JSON", `{"year":`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := cadreCounts(t)
			status, doc := chief.do("POST", "/api/v1/cadres/opinions", tc.body)
			if status < 400 || status >= 500 {
				t.Fatalf("%d %v, want 4xx", status, doc)
			}
			if doc["detail"] == nil {
				t.Fatalf("no problem document: %v", doc)
			}
			if after := cadreCounts(t); after != before {
				t.Fatalf("refused input wrote: %s → %s", before, after)
			}
		})
	}
	status, first := chief.do("POST", "/api/v1/cadres/opinions", body(year, `"rating":"competent","text":"配合及时"`))
	if status != http.StatusCreated {
		t.Fatalf("record: %d %v", status, first)
	}
	status, second := chief.do("POST", fmt.Sprintf("/api/v1/cadres/opinions/%v:supersede", first["id"]),
		`{"rating":"basically_competent","text":"两次联合执法缺席","reason":"核实考勤后更正"}`)
	if status != http.StatusCreated || second["supersedes"] != first["id"] {
		t.Fatalf("correct: %d %v", status, second)
	}
	if status, doc := chief.do("POST", fmt.Sprintf("/api/v1/cadres/opinions/%v:supersede", first["id"]), `{"rating":"excellent","reason":"再改"}`); status != http.StatusConflict {
		t.Fatalf("correcting a superseded opinion: %d %v", status, doc)
	}
	status, list := w.clients[access.DistrictLeader].do("GET", fmt.Sprintf("/api/v1/cadres/opinions?year=%d", year), "")
	if status != http.StatusOK || len(list["opinions"].([]any)) != 2 {
		t.Fatalf("the leader's list: %d %v", status, list)
	}
	if status, doc := w.clients[access.DepartmentLiaison].do("GET", "/api/v1/cadres/opinions", ""); status != http.StatusForbidden {
		t.Fatalf("a liaison read opinions: %d %v", status, doc)
	}
	// The XLSX as the leader downloads it.
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/cadres/bonus-basis?year=%d&format=xlsx&lang=en", w.srv.URL, year), nil)
	req.Header.Set("Authorization", "Bearer "+w.clients[access.DistrictLeader].token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("xlsx: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	sheet, _ := f.GetRows(f.GetSheetName(0))
	if len(sheet) < 4 || !strings.Contains(sheet[0][0], fmt.Sprint(year)) || !strings.Contains(sheet[1][0], "published quarterly scores") || sheet[2][0] != "Name" {
		t.Fatalf("sheet %q", sheet)
	}
	found := false
	for _, r := range sheet[3:] { // the leader sees every test world's subdistrict
		found = found || (len(r) > 10 && r[8] == "Basically competent" && r[9] == "两次联合执法缺席" && r[10] == "yes")
	}
	if !found {
		t.Fatalf("the corrected opinion is not in %q", sheet[3:])
	}
}
