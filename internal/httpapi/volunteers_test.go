package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
)

// volunteerCounts is the number of rows of every volunteer table, the ledger and the audit log.
func volunteerCounts(t *testing.T) string {
	t.Helper()
	var out []string
	for _, table := range []string{"volunteer_org", "volunteer_contract", "volunteer_contract_revision", "volunteer_payment",
		"volunteer_payment_void", "volunteer", "volunteer_membership", "volunteer_activity", "volunteer_activity_participant",
		"volunteer_activity_void", "funds_entry", "audit_log"} {
		var n int
		if err := dbtest.Pool(t).QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s=%d", table, n))
	}
	return strings.Join(out, " ")
}

func TestVolunteerServicesOverHTTP(t *testing.T) {
	w := newAccessWorld(t)
	leader, lane, chief := w.clients[access.DistrictLeader], w.clients[access.LaneChief], w.clients[access.StreetChief]
	year := time.Now().In(time.FixedZone("CST", 8*3600)).Year()
	status, doc := leader.do("POST", "/api/v1/volunteer-orgs", fmt.Sprintf(`{"name":"志愿服务中心%d","registration_no":"R%d","contact_name":"林","contact_phone":"0597-1"}`, w.comA.ID, w.comA.ID))
	if status != http.StatusCreated {
		t.Fatalf("organisation: %d %v", status, doc)
	}
	org := int64(doc["id"].(float64))
	status, doc = leader.do("POST", "/api/v1/volunteer-contracts", fmt.Sprintf(`{"org_id":%d,"year":%d,"period_from":"%d-01-01","period_to":"%d-12-31",
		"yuan":"1000000","hours_target":5000,"signed_on":"%d-01-02"}`, org, year, year, year, year))
	if status != http.StatusCreated || doc["remaining"].(float64) != 1000000 {
		t.Fatalf("contract: %d %v", status, doc)
	}
	contract := int64(doc["id"].(float64))
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	if status, doc = leader.do("POST", fmt.Sprintf("/api/v1/volunteer-contracts/%d/payments", contract), fmt.Sprintf(`{"paid_on":%q,"yuan":"250000","note":"一季度"}`, today)); status != http.StatusCreated {
		t.Fatalf("payment: %d %v", status, doc)
	}
	if status, doc = chief.do("POST", fmt.Sprintf("/api/v1/volunteer-contracts/%d/payments", contract), fmt.Sprintf(`{"paid_on":%q,"yuan":"1"}`, today)); status != http.StatusForbidden {
		t.Errorf("a street chief paying: %d %v, want 403", status, doc)
	}

	// Yesterday, so a run just after midnight in Beijing records no future activity.
	yesterday := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, -1).Format(time.DateOnly)
	c := w.comA.Boundary.Bound().Center()
	activity := func(lon, lat float64, hours string) string {
		return fmt.Sprintf(`{"org_id":%d,"starts_at":"%sT00:10:00+08:00","ends_at":"%sT00:40:00+08:00","place":{"type":"Point","coordinates":[%v,%v]},
			"kind":"civility","description":"文明劝导","head_count":6,"hours_each":%s}`, org, yesterday, yesterday, lon, lat, hours)
	}
	status, doc = lane.do("POST", "/api/v1/volunteer-activities", activity(c[0], c[1], "0.5"))
	if status != http.StatusCreated || doc["community_id"].(float64) != float64(w.comA.ID) || doc["volunteer_hours"].(float64) != 3 {
		t.Fatalf("activity in A: %d %v", status, doc)
	}
	b := w.comB.Boundary.Bound().Center()
	if status, doc = lane.do("POST", "/api/v1/volunteer-activities", activity(b[0], b[1], "0.5")); status != http.StatusForbidden {
		t.Errorf("lane chief of A recording in B: %d %v, want 403", status, doc)
	}

	for _, tc := range []struct {
		name, path, body string
		status           int
	}{
		{"3-decimal yuan", fmt.Sprintf("/api/v1/volunteer-contracts/%d/payments", contract), fmt.Sprintf(`{"paid_on":%q,"yuan":1.001}`, today), 400},
		{"beyond the contract", fmt.Sprintf("/api/v1/volunteer-contracts/%d/payments", contract), fmt.Sprintf(`{"paid_on":%q,"yuan":"750000.01"}`, today), 409},
		{"an unknown field", fmt.Sprintf("/api/v1/volunteer-contracts/%d/payments", contract), fmt.Sprintf(`{"paid_on":%q,"yuan":1,"payer":"city"}`, today), 400},
		{"hours above a day", "/api/v1/volunteer-activities", activity(c[0], c[1], "24.5"), 422},
		{"hours below zero", "/api/v1/volunteer-activities", activity(c[0], c[1], "-0.5"), 422},
		{"outside the district", "/api/v1/volunteer-activities", activity(c[0]+5, c[1], "0.5"), 422},
		{"a future date", "/api/v1/volunteer-activities", strings.ReplaceAll(activity(c[0], c[1], "0.5"), yesterday, time.Now().AddDate(0, 0, 2).Format(time.DateOnly)), 422},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := volunteerCounts(t)
			who := leader
			if strings.Contains(tc.path, "activities") {
				who = lane
			}
			status, hdr, raw := who.fetch("POST", tc.path, "application/json", tc.body)
			if status != tc.status || hdr.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%d %s %s, want %d problem+json", status, hdr.Get("Content-Type"), raw, tc.status)
			}
			if after := volunteerCounts(t); after != before {
				t.Errorf("rows changed:\n%s\n%s", before, after)
			}
		})
	}

	status, doc = lane.do("GET", "/api/v1/volunteer-activities?format=geojson", "")
	if status != http.StatusOK || doc["type"] != "FeatureCollection" || len(doc["features"].([]any)) != 1 {
		t.Fatalf("geojson: %d %v", status, doc)
	}
	status, doc = leader.do("GET", fmt.Sprintf("/api/v1/volunteer-contracts/%d", contract), "")
	if status != http.StatusOK || doc["paid"].(float64) != 250000 || doc["remaining"].(float64) != 750000 || len(doc["payments"].([]any)) != 1 {
		t.Fatalf("contract: %d %v", status, doc)
	}
	status, hdr, raw := leader.fetch("GET", fmt.Sprintf("/api/v1/volunteer-totals?year=%d&format=xlsx&lang=en", year), "", "")
	if status != http.StatusOK || !strings.Contains(hdr.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("xlsx: %d %v", status, hdr)
	}
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Volunteer totals")
	if err != nil || len(rows) < 2 || rows[0][1] != "Community" {
		t.Errorf("xlsx rows: %v %v", rows, err)
	}
}
