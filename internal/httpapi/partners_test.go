package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/merchants"
	"streetchief/internal/registry"
)

// partnerCounts are the partner tables' rows, beside rowCounts' registry and audit rows.
func partnerCounts(t *testing.T) string {
	t.Helper()
	var a, b, c int
	if err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT (SELECT count(*) FROM property_company),
		(SELECT count(*) FROM compound_partner), (SELECT count(*) FROM compound_partner_closing)`).Scan(&a, &b, &c); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%s companies=%d partners=%d closings=%d", rowCounts(t), a, b, c)
}

func companyLicence(n int) string {
	first := fmt.Sprintf("91350802%09d", 600000000+n)
	return first + string(merchants.LicenceCheckChar(first))
}

// TestLaneChiefRecordsTheirCompoundsPartnersAndIsRefusedTheRest: through the API the lane chief of
// community A registers a company, signs it on for A's compound and lists only A's compounds; each
// mistake answers a problem document and writes nothing.
func TestLaneChiefRecordsTheirCompoundsPartnersAndIsRefusedTheRest(t *testing.T) {
	w := newAccessWorld(t)
	ctx := context.Background()
	store := registry.NewStore(dbtest.Pool(t))
	b := w.areaA.Geom.Bound()
	x := b.Min[0] - 0.1
	sq := func(x, y, d float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}}
	}
	compA, err := store.CreateArea(ctx, system, registry.AreaInput{Kind: "residential_compound", Name: "甲花园", Geom: sq(x+0.25, 10.25, 0.05)})
	if err != nil {
		t.Fatal(err)
	}
	compB, err := store.CreateArea(ctx, system, registry.AreaInput{Kind: "residential_compound", Name: "乙小区", Geom: sq(x+0.75, 10.25, 0.05)})
	if err != nil {
		t.Fatal(err)
	}
	lane := w.clients[access.LaneChief]
	status, company := lane.do("POST", "/api/v1/property-companies",
		fmt.Sprintf(`{"name":"龙岩市祥和物业服务有限公司","licence_no":%q,"contact_person_id":%d,"phone":"0597-2233445"}`, companyLicence(worldSeq), w.worker.ID))
	if status != http.StatusCreated {
		t.Fatalf("adding a company: %d %v", status, company)
	}
	companyID := int64(company["id"].(float64))
	contract := fmt.Sprintf(`{"company_id":%d,"signed_on":"2023-12-20","from":"2024-01-01","until":"2030-01-01"}`, companyID)
	status, signedDoc := lane.do("POST", fmt.Sprintf("/api/v1/compounds/%d/contracts", compA.ID), contract)
	if status != http.StatusCreated {
		t.Fatalf("signing: %d %v", status, signedDoc)
	}
	status, team := lane.do("POST", fmt.Sprintf("/api/v1/compounds/%d/teams", compA.ID),
		fmt.Sprintf(`{"team_type":"owners_committee","name":"甲花园业委会","leader_person_id":%d,"members":7,"from":"2024-03-01"}`, w.worker.ID))
	if status != http.StatusCreated {
		t.Fatalf("adding a team: %d %v", status, team)
	}
	status, doc := lane.do("GET", "/api/v1/compounds?at=2026-03-03", "")
	if status != http.StatusOK {
		t.Fatalf("list: %d %v", status, doc)
	}
	list := doc["compounds"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["name"] != "甲花园" || list[0].(map[string]any)["manager"] == nil {
		t.Fatalf("the lane chief of A lists %v", list)
	}
	if status, doc := w.clients[access.StreetChief].do("GET", "/api/v1/compounds", ""); status != http.StatusOK || len(doc["compounds"].([]any)) != 2 {
		t.Fatalf("the street chief lists %d %v", status, doc)
	}
	if status, doc := lane.do("GET", "/api/v1/compounds/summary", ""); status != http.StatusOK || len(doc["communities"].([]any)) != 1 {
		t.Fatalf("the lane chief's summary %d %v", status, doc)
	}
	for _, tc := range []struct {
		name, method, path, body string
		want                     int
	}{
		{"another community's compound", "POST", fmt.Sprintf("/api/v1/compounds/%d/contracts", compB.ID), contract, 404},
		{"another community's compound's history", "GET", fmt.Sprintf("/api/v1/compounds/%d", compB.ID), "", 404},
		{"unknown compound", "POST", "/api/v1/compounds/999999999/contracts", contract, 404},
		{"a park is not a compound", "POST", fmt.Sprintf("/api/v1/compounds/%d/contracts", w.areaA.ID), contract, 422},
		{"overlapping contract", "POST", fmt.Sprintf("/api/v1/compounds/%d/contracts", compA.ID),
			fmt.Sprintf(`{"company_id":%d,"signed_on":"2025-12-20","from":"2026-01-01","until":"2031-01-01"}`, companyID), 409},
		{"until before from", "POST", fmt.Sprintf("/api/v1/compounds/%d/contracts", compA.ID),
			fmt.Sprintf(`{"company_id":%d,"signed_on":"2030-12-20","from":"2031-01-01","until":"2030-06-01"}`, companyID), 422},
		{"a date that is not one", "POST", fmt.Sprintf("/api/v1/compounds/%d/contracts", compA.ID),
			fmt.Sprintf(`{"company_id":%d,"signed_on":"2030-12-20","from":"31/01/2031","until":"2032-06-01"}`, companyID), 400},
		{"unknown field", "POST", fmt.Sprintf("/api/v1/compounds/%d/teams", compA.ID), `{"name":"组","leader":1}`, 400},
		{"bad licence", "POST", "/api/v1/property-companies", fmt.Sprintf(`{"name":"某物业","licence_no":"913508027000000010","contact_person_id":%d}`, w.worker.ID), 422},
		{"control characters in a name", "POST", "/api/v1/property-companies",
			fmt.Sprintf(`{"name":"物业\u0000\u001b[2J","licence_no":%q,"contact_person_id":%d}`, companyLicence(worldSeq+500), w.worker.ID), 400},
		{"a script for a building", "POST", fmt.Sprintf("/api/v1/compounds/%d/building-reps", compA.ID),
			fmt.Sprintf(`{"person_id":%d,"building":"<script>alert(1)</script>","from":"2024-01-01"}`, w.worker.ID), 0},
		{"at that is not a time", "GET", "/api/v1/compounds?at=yesterday", "", 400},
		{"void without a reason", "POST", "/api/v1/compound-partners/1:void", `{"reason":""}`, 422},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := partnerCounts(t)
			status, doc := lane.do(tc.method, tc.path, tc.body)
			if tc.want == 0 {
				// Markup is text like any other: stored as given, escaped by whoever shows it.
				if status != http.StatusCreated || doc["building"] != "<script>alert(1)</script>" {
					t.Fatalf("%d %v", status, doc)
				}
				return
			}
			if status != tc.want || doc["detail"] == "" {
				t.Fatalf("got %d %v, want %d", status, doc, tc.want)
			}
			if after := partnerCounts(t); after != before {
				t.Fatalf("tables changed: %s → %s", before, after)
			}
		})
	}

	// Ended and voided through the API, both kept in the history (oldest first, beside the
	// representative of the markup case) with their reasons.
	contractID, teamID := int64(signedDoc["id"].(float64)), int64(team["id"].(float64))
	if status, doc := lane.do("POST", fmt.Sprintf("/api/v1/compound-partners/%d:end", contractID), `{"at":"2026-07-01","reason":"合同提前解除"}`); status != 200 {
		t.Fatalf("end: %d %v", status, doc)
	}
	if status, doc := lane.do("POST", fmt.Sprintf("/api/v1/compound-partners/%d:void", teamID), `{"reason":"重复录入"}`); status != 200 {
		t.Fatalf("void: %d %v", status, doc)
	}
	if status, doc := lane.do("POST", fmt.Sprintf("/api/v1/compound-partners/%d:void", teamID), `{"reason":"again"}`); status != http.StatusConflict {
		t.Fatalf("voiding twice: %d %v", status, doc)
	}
	status, doc = lane.do("GET", fmt.Sprintf("/api/v1/compounds/%d?at=2026-08-01", compA.ID), "")
	history, _ := doc["history"].([]any)
	if status != 200 || doc["manager"] != nil || len(doc["teams"].([]any)) != 0 || len(history) != 3 ||
		history[0].(map[string]any)["ended"].(map[string]any)["reason"] != "合同提前解除" || history[2].(map[string]any)["voided"] == nil {
		t.Fatalf("history after the end and the void: %d %v", status, doc)
	}
}
