package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/registry"
)

// From the field: a lane chief registers a vendor in the night market of their community and records
// it trading in the street — a 占道经营 incident; a resend with the key is the same sighting; bad input
// is a problem document and writes nothing; another community's lane chief sees none of it.
func TestVendorSightingsOverHTTP(t *testing.T) {
	w := newAccessWorld(t)
	ctx := context.Background()
	b := w.comA.Boundary.Bound()
	x, y := b.Min[0], b.Min[1]
	market, err := registry.NewStore(dbtest.Pool(t)).CreateArea(ctx, system, registry.AreaInput{Kind: "night_market", Name: "甲夜市",
		Geom: orb.MultiPolygon{{{{x + 0.2, y + 0.2}, {x + 0.25, y + 0.2}, {x + 0.25, y + 0.25}, {x + 0.2, y + 0.25}, {x + 0.2, y + 0.2}}}}})
	if err != nil {
		t.Fatal(err)
	}
	lane := w.clients[access.LaneChief]
	status, doc := lane.do("PUT", fmt.Sprintf("/api/v1/vendor-zones/%d/hours", market.ID),
		`{"from":"2026-01-01","windows":[{"weekdays":[1,2,3,4,5,6,7],"opens":"17:30","closes":"23:30"}]}`)
	if status != http.StatusOK || doc["hours_text"] != "1,2,3,4,5,6,7 17:30–23:30" {
		t.Fatalf("hours: %d %v", status, doc)
	}
	status, doc = lane.do("POST", "/api/v1/vendors", fmt.Sprintf(`{"name":"张记煎饼","goods":"煎饼果子","contact_phone":"13800000001","zone_id":%d}`, market.ID))
	if status != http.StatusCreated {
		t.Fatalf("register: %d %v", status, doc)
	}
	vendor := int64(doc["id"].(float64))
	at := time.Now().Add(-time.Minute).Format(time.RFC3339)
	street := fmt.Sprintf(`{"vendor_id":%d,"lon":%g,"lat":%g,"accuracy_m":6,"at":%q,"note":"占用人行道"}`, vendor, x+0.1, y+0.1, at)
	resp, body := lane.send("POST", "/api/v1/vendor-sightings", "application/json", []byte(street), map[string]string{"Idempotency-Key": "field-1"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("sighting: %d %s", resp.StatusCode, body)
	}
	before := rowCounts(t)
	resp, again := lane.send("POST", "/api/v1/vendor-sightings", "application/json", []byte(street), map[string]string{"Idempotency-Key": "field-1"})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Idempotent-Replayed") != "true" || string(again) != string(body) {
		t.Fatalf("resend: %d %s, want the first answer replayed: %s", resp.StatusCode, again, body)
	}
	for _, bad := range []string{
		fmt.Sprintf(`{"vendor_id":%d,"lon":%g,"lat":%g,"accuracy_m":5000,"at":%q}`, vendor, x+0.1, y+0.1, at),
		fmt.Sprintf(`{"vendor_id":%d,"lon":%g,"lat":%g,"accuracy_m":5,"at":%q}`, vendor+100, x+0.1, y+0.1, at),
		fmt.Sprintf(`{"vendor_id":%d,"lon":%g,"lat":%g,"accuracy_m":5,"at":%q}`, vendor, x+0.1, y+0.1, time.Now().Add(time.Hour).Format(time.RFC3339)),
		fmt.Sprintf(`{"vendor_id":%d,"lon":%g,"lat":%g,"accuracy_m":5,"photos":["bm90IGFuIGltYWdl"]}`, vendor, x+0.1, y+0.1),
	} {
		if status, doc := lane.do("POST", "/api/v1/vendor-sightings", bad); status != http.StatusUnprocessableEntity && status != http.StatusBadRequest {
			t.Errorf("%s: %d %v, want refused", bad, status, doc)
		}
	}
	if after := rowCounts(t); after != before {
		t.Fatalf("refused sightings wrote: %s → %s", before, after)
	}
	status, doc = lane.do("GET", "/api/v1/vendors", "")
	if list, _ := doc["vendors"].([]any); status != http.StatusOK || len(list) != 1 {
		t.Fatalf("vendors: %d %v", status, doc)
	}
	status, doc = lane.do("GET", "/api/v1/vendor-sightings?day="+time.Now().In(time.FixedZone("CST", 8*3600)).Add(-time.Minute).Format(time.DateOnly), "")
	list, _ := doc["sightings"].([]any)
	if status != http.StatusOK || len(list) != 1 || list[0].(map[string]any)["incident_id"] == nil {
		t.Fatalf("sightings: %d %v, want the one with its incident", status, doc)
	}
	var first map[string]any
	if err := json.Unmarshal(body, &first); err != nil {
		t.Fatal(err)
	}
	void := fmt.Sprintf("/api/v1/vendor-sightings/%d:void", int64(first["id"].(float64)))
	if status, doc := lane.do("POST", void, `{"reason":"认错了"}`); status != http.StatusForbidden {
		t.Fatalf("a lane chief voiding: %d %v", status, doc)
	}
	if status, doc := w.clients[access.StreetChief].do("POST", void, `{"reason":"认错了"}`); status != http.StatusOK || doc["void"] != true {
		t.Fatalf("the street chief voiding: %d %v", status, doc)
	}

	var pic bytes.Buffer
	if err := png.Encode(&pic, image.NewRGBA(image.Rect(0, 0, 3, 3))); err != nil {
		t.Fatal(err)
	}
	status, doc = lane.do("POST", "/api/v1/vendors", fmt.Sprintf(`{"name":"有照片","zone_id":%d,"photo":%q}`, market.ID, base64.StdEncoding.EncodeToString(pic.Bytes())))
	if status != http.StatusCreated || doc["has_photo"] != true {
		t.Fatalf("register with a photo: %d %v", status, doc)
	}
	resp, got := lane.send("GET", fmt.Sprintf("/api/v1/vendors/%d/photo", int64(doc["id"].(float64))), "", nil, nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(got, pic.Bytes()) {
		t.Fatalf("the vendor's photo: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// An inspector without territory reads none of community A's vendors.
	if status, doc := w.clients[access.Inspector].do("GET", "/api/v1/vendors", ""); status != http.StatusOK || len(doc["vendors"].([]any)) != 0 {
		t.Fatalf("vendors for an inspector of no territory: %d %v", status, doc)
	}
}
