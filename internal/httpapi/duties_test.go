package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/auth"
	"streetchief/internal/dbtest"
	"streetchief/internal/registry"
)

// The lane chief of community A registers a deputy with a pledge; the deputy, signed in as a
// participant, enters a record; bad records are 4xx and write nothing; the lane chief confirms,
// the leader reads the summary, and nobody outside the scope sees the records.
func TestDutyRecordsOverHTTP(t *testing.T) {
	w := newAccessWorld(t)
	ctx := context.Background()
	pool := dbtest.Pool(t)
	lane, leader, chief := w.clients[access.LaneChief], w.clients[access.DistrictLeader], w.clients[access.StreetChief]
	deputy, err := registry.NewStore(pool).CreatePerson(ctx, system, registry.PersonInput{Name: "人大代表", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	status, member := lane.do("POST", "/api/v1/duty-members", fmt.Sprintf(`{"person_id":%d,"member_type":"peoples_congress_deputy","level":"district","community_id":%d,"from":"2025-01-01"}`, deputy.ID, w.comA.ID))
	if status != http.StatusCreated {
		t.Fatalf("register: %d %v", status, member)
	}
	id := int64(member["id"].(float64))
	if status, doc := lane.do("POST", "/api/v1/duty-members", fmt.Sprintf(`{"person_id":%d,"member_type":"peoples_congress_deputy","level":"district","community_id":%d}`, deputy.ID, w.comB.ID)); status != http.StatusForbidden {
		t.Fatalf("a lane chief registered in another community: %d %v", status, doc)
	}
	if status, doc := lane.do("POST", fmt.Sprintf("/api/v1/duty-members/%d/pledges", id), `{"signed_on":"2025-01-05","items":["带头文明出行","每月走访联系户"]}`); status != http.StatusCreated || doc["current"] != false && doc["current"] != true {
		t.Fatalf("pledge: %d %v", status, doc)
	}
	me := asUser(t, w.srv, authService(t), fmt.Sprintf("deputy-%d", id), access.Participant, deputy.ID)
	lon, lat := w.areaA.Geom.Bound().Center()[0], w.areaA.Geom.Bound().Center()[1]
	day := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	rec := func(extra string) string {
		return fmt.Sprintf(`{"member_id":%d,"day":%q,"kind":"civility_advice","lon":%v,"lat":%v,"description":"劝导不文明停车","hours":1.5%s}`, id, day, lon, lat, extra)
	}
	count := func() int {
		var n int
		if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM duty_record) + (SELECT count(*) FROM duty_record_event)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	tomorrow := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, 1).Format(time.DateOnly)
	for _, c := range []struct {
		name, body string
		want       int
	}{
		{"unknown member", strings.Replace(rec(""), fmt.Sprintf(`"member_id":%d`, id), `"member_id":987654`, 1), http.StatusUnprocessableEntity},
		{"tomorrow", strings.Replace(rec(""), day, tomorrow, 1), http.StatusUnprocessableEntity},
		{"no hours", strings.Replace(rec(""), `"hours":1.5`, `"hours":0`, 1), http.StatusUnprocessableEntity},
		{"a day and more", strings.Replace(rec(""), `"hours":1.5`, `"hours":25`, 1), http.StatusUnprocessableEntity},
		{"outside the district", strings.Replace(rec(""), fmt.Sprintf(`"lon":%v`, lon), `"lon":1.5`, 1), http.StatusUnprocessableEntity},
		{"unknown field", rec(`,"approved":true`), http.StatusBadRequest},
		{"seven photos", rec(`,"photos":["a","a","a","a","a","a","a"]`), http.StatusRequestEntityTooLarge},
	} {
		if status, doc := me.do("POST", "/api/v1/duty-records", c.body); status != c.want {
			t.Errorf("%s: %d %v, want %d", c.name, status, doc, c.want)
		}
	}
	if n := count(); n != before {
		t.Fatalf("refused records wrote %d rows", n-before)
	}
	status, doc := me.do("POST", "/api/v1/duty-records", rec(`,"photos":["`+base64.StdEncoding.EncodeToString(pngBytes(t))+`"]`))
	if status != http.StatusCreated || doc["status"] != "pending" || doc["photos"] != float64(1) {
		t.Fatalf("enter: %d %v", status, doc)
	}
	rid := int64(doc["id"].(float64))
	if status, _ := me.do("POST", fmt.Sprintf("/api/v1/duty-records/%d:confirm", rid), `{}`); status != http.StatusForbidden {
		t.Fatalf("the participant reached the confirmation: %d", status)
	}
	if status, doc := chief.do("GET", fmt.Sprintf("/api/v1/duty-records/%d", rid), ""); status != http.StatusOK {
		t.Fatalf("the street chief of the subdistrict reads it: %d %v", status, doc)
	}
	if status, doc := lane.do("POST", fmt.Sprintf("/api/v1/duty-records/%d:confirm", rid), `{}`); status != http.StatusOK || doc["status"] != "confirmed" {
		t.Fatalf("confirm: %d %v", status, doc)
	}
	resp, body := getRaw(t, me, fmt.Sprintf("/api/v1/duty-records/%d/photos/1", rid))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(body, pngBytes(t)) {
		t.Fatalf("photo: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	photoInStore(t, "duty_file", pngBytes(t))
	status, sum := leader.do("GET", "/api/v1/duties/summary?by=community", "")
	if status != http.StatusOK {
		t.Fatalf("summary: %d %v", status, sum)
	}
	found := false
	for _, r := range sum["rows"].([]any) {
		row := r.(map[string]any)
		if row["community_id"] == float64(w.comA.ID) {
			found = row["confirmed"] == float64(1) && row["hours"] == 1.5 && row["kinds"].(map[string]any)["civility_advice"] == float64(1)
		}
	}
	if !found {
		t.Fatalf("the leader's summary lacks community A's confirmed record: %v", sum)
	}
	other := asUser(t, w.srv, authService(t), fmt.Sprintf("other-%d", id), access.Participant, w.worker.ID)
	if status, doc := other.do("GET", "/api/v1/duty-records", ""); status != http.StatusOK || len(doc["records"].([]any)) != 0 {
		t.Fatalf("another participant sees records: %d %v", status, doc)
	}
	if status, doc := other.do("GET", fmt.Sprintf("/api/v1/duty-members/%d", id), ""); status != http.StatusNotFound {
		t.Fatalf("another participant reads the member: %d %v", status, doc)
	}
	// A participant's account has no territory: nobody's phone, nobody's cases.
	resp, body = getRaw(t, me, "/api/v1/people?limit=1000")
	if resp.StatusCode != http.StatusOK || bytes.Contains(body, []byte("13900000009")) {
		t.Fatalf("a participant reads phone numbers: %d %s", resp.StatusCode, body)
	}
	if status, doc := w.clients[access.Public].do("POST", "/api/v1/incidents", reportJSON("street_occupying", orb.Point{lon, lat}, "")); status != http.StatusCreated {
		t.Fatalf("a case in community A: %d %v", status, doc)
	}
	if status, doc := w.clients[access.Admin].do("GET", "/api/v1/incidents", ""); status != http.StatusOK || len(doc["incidents"].([]any)) == 0 {
		t.Fatalf("the admin does not see the case: %d %v", status, doc)
	}
	if status, doc := me.do("GET", "/api/v1/incidents", ""); status != http.StatusOK || len(doc["incidents"].([]any)) != 0 {
		t.Fatalf("a participant reads cases: %d %v", status, doc)
	}
	resp, body = getRaw(t, lane, "/api/v1/duty-records?format=geojson")
	if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`"FeatureCollection"`)) || !bytes.Contains(body, []byte(fmt.Sprintf(`"id" : %d`, rid))) && !bytes.Contains(body, []byte(fmt.Sprintf(`"id":%d`, rid))) {
		t.Fatalf("geojson: %d %s", resp.StatusCode, body)
	}
}

func authService(t *testing.T) *auth.Service { return auth.NewService(dbtest.Pool(t), auth.Options{}) }

func getRaw(t *testing.T, c *apiClient, path string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", c.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}
