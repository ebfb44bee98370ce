package merchants_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/auth"
	"streetchief/internal/dbtest"
	"streetchief/internal/merchants"
)

// counts are the rows a refused sighting must not have written.
func vendorCounts(t *testing.T) string {
	t.Helper()
	var s string
	if err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT format('sightings %s, photos %s, vendors %s, registrations %s, open incidents %s',
		(SELECT count(*) FROM vendor_sighting), (SELECT count(*) FROM merchant_photo), (SELECT count(*) FROM vendor),
		(SELECT count(*) FROM vendor_registration), (SELECT count(*) FROM open_incident))`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// Bad input is refused with a clear error and writes nothing: no sighting, photo or incident.
func TestBadSightingsAreRefusedAndWriteNothing(t *testing.T) {
	w := newVendorWorld(t)
	v := w.register("老李")
	p := w.inA()
	ctx := context.Background()
	w.clock.Set(monday)
	at := monday.Format(time.RFC3339)
	for _, c := range []struct {
		name, body string
		who        access.Principal
		code       apperr.Code
	}{
		{"a photo that is not an image", fmt.Sprintf(`{"vendor_id":%d,"lon":%g,"lat":%g,"accuracy_m":5,"at":%q,"photos":["aGVsbG8gd29ybGQ="]}`, v.ID, p[0], p[1], at), w.asLane, apperr.Invalid},
		{"GPS accuracy of 5 km", fmt.Sprintf(`{"vendor_id":%d,"lon":%g,"lat":%g,"accuracy_m":5000,"at":%q}`, v.ID, p[0], p[1], at), w.asLane, apperr.Invalid},
		{"no accuracy", fmt.Sprintf(`{"vendor_id":%d,"lon":%g,"lat":%g,"at":%q}`, v.ID, p[0], p[1], at), w.asLane, apperr.Invalid},
		{"a future time", fmt.Sprintf(`{"vendor_id":%d,"lon":%g,"lat":%g,"accuracy_m":5,"at":%q}`, v.ID, p[0], p[1], monday.Add(time.Hour).Format(time.RFC3339)), w.asLane, apperr.Invalid},
		{"a month ago", fmt.Sprintf(`{"vendor_id":%d,"lon":%g,"lat":%g,"accuracy_m":5,"at":%q}`, v.ID, p[0], p[1], monday.AddDate(0, -1, 0).Format(time.RFC3339)), w.asLane, apperr.Invalid},
		{"an unknown vendor", fmt.Sprintf(`{"vendor_id":%d,"lon":%g,"lat":%g,"accuracy_m":5,"at":%q}`, v.ID+1000, p[0], p[1], at), w.asLane, apperr.Invalid},
		{"vendor id 0", fmt.Sprintf(`{"vendor_id":0,"lon":%g,"lat":%g,"accuracy_m":5,"at":%q}`, p[0], p[1], at), w.asLane, apperr.Invalid},
		{"no position", `{"accuracy_m":5}`, w.asLane, apperr.Invalid},
		{"an unknown field", fmt.Sprintf(`{"lon":%g,"lat":%g,"accuracy_m":5,"id_card":"1"}`, p[0], p[1]), w.asLane, apperr.Malformed},
		{"outside the lane chief's community", fmt.Sprintf(`{"vendor_id":%d,"lon":%g,"lat":%g,"accuracy_m":5,"at":%q}`, v.ID, p[0], p[1], at), w.asLaneB, apperr.Forbidden},
		{"outside the district", fmt.Sprintf(`{"lon":%g,"lat":%g,"accuracy_m":5,"at":%q}`, p[0], p[1]+1, at), system, apperr.Invalid},
		{"a district leader reads, never records", fmt.Sprintf(`{"lon":%g,"lat":%g,"accuracy_m":5}`, p[0], p[1]), access.Principal{Role: access.DistrictLeader, Scope: access.Scope{All: true}}, apperr.Forbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := vendorCounts(t)
			in, err := merchants.DecodeSightingJSON([]byte(c.body), "")
			if err == nil {
				_, _, err = w.v.RecordSighting(ctx, c.who, in)
			}
			if !apperr.Is(err, c.code) {
				t.Fatalf("got %v, want %s", err, c.code)
			}
			if after := vendorCounts(t); after != before {
				t.Fatalf("a refused sighting wrote: %s → %s", before, after)
			}
		})
	}
}

// A sighting resent with its key (an offline phone's queue) is the same sighting and the same case;
// the key with another sighting is refused.
func TestSightingResentWithItsKeyIsTheSameSighting(t *testing.T) {
	w := newVendorWorld(t)
	v := w.register("重发")
	ctx := context.Background()
	w.clock.Set(monday)
	who := w.asLane
	u, err := auth.NewService(dbtest.Pool(t), auth.Options{}).AddUser(ctx, system, auth.UserInput{Username: fmt.Sprintf("queue%d", v.ID),
		Password: "correct horse battery", Role: access.LaneChief, PersonID: w.lane.ID})
	if err != nil {
		t.Fatal(err)
	}
	who.UserID = u.ID // keys are the caller's own
	in := sighting(v.ID, w.inA(), monday.Add(-time.Hour), "queue-1")
	first, replayed, err := w.v.RecordSighting(ctx, who, in)
	if err != nil || replayed || first.IncidentID == 0 {
		t.Fatalf("first: %+v %v %v", first, replayed, err)
	}
	before := vendorCounts(t)
	again, replayed, err := w.v.RecordSighting(ctx, who, in)
	if err != nil || !replayed || again.ID != first.ID || again.IncidentID != first.IncidentID {
		t.Fatalf("resent: %+v %v %v, want sighting %d replayed", again, replayed, err, first.ID)
	}
	if after := vendorCounts(t); after != before {
		t.Fatalf("the resend wrote: %s → %s", before, after)
	}
	if _, _, err := w.v.RecordSighting(ctx, who, sighting(v.ID, w.inB(), monday.Add(-time.Hour), "queue-1")); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("the key with another sighting: %v, want refused", err)
	}
}

// Lists follow the caller's scope: the zone's community for vendors, the place seen for sightings;
// the contact is answered only there.
func TestVendorListsFollowScope(t *testing.T) {
	w := newVendorWorld(t)
	ctx := context.Background()
	v := w.register("范围")
	s := w.see(w.asLane, v.ID, w.inA(), monday)
	for _, c := range []struct {
		name     string
		who      access.Principal
		vendors  int
		sighting int
	}{
		{"the lane chief of the zone's community", w.asLane, 1, 1},
		{"the street chief", w.asStreet, 1, 1},
		{"the lane chief of another community", w.asLaneB, 0, 0},
		{"an inspector with no territory", access.Principal{Role: access.Inspector}, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			list, err := w.v.ListVendors(ctx, c.who, merchants.VendorFilter{})
			if err != nil || len(list) != c.vendors {
				t.Fatalf("vendors %+v %v, want %d", list, err, c.vendors)
			}
			if c.vendors == 1 && (list[0].ContactPhone == "" || list[0].Sightings != 1 || list[0].Outside != 1) {
				t.Fatalf("vendor %+v, want the contact and its record", list[0])
			}
			seen, err := w.v.ListSightings(ctx, c.who, merchants.SightingFilter{Day: "2026-11-30"})
			if err != nil || len(seen) != c.sighting {
				t.Fatalf("sightings %+v %v, want %d", seen, err, c.sighting)
			}
			if _, err := w.v.Vendor(ctx, c.who, v.ID); (err == nil) != (c.vendors == 1) {
				t.Fatalf("vendor %d: %v", v.ID, err)
			}
			if _, err := w.v.Sighting(ctx, c.who, s.ID); (err == nil) != (c.sighting == 1) {
				t.Fatalf("sighting %d: %v", s.ID, err)
			}
		})
	}
	if _, err := w.v.RegisterVendor(ctx, w.asLaneB, merchants.VendorInput{Name: "越权", ZoneID: w.market.ID}); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("registering in another community's zone: %v, want forbidden", err)
	}
}

// The register keeps no identity-card number, not even in a free-text field, and takes only real
// zones.
func TestVendorRegisterRefusesIDNumbersAndAreasThatAreNotZones(t *testing.T) {
	w := newVendorWorld(t)
	ctx := context.Background()
	before := vendorCounts(t)
	for _, in := range []merchants.VendorInput{
		{Name: "身份证", Note: "身份证号 11010519491231002X", ZoneID: w.market.ID},
		{Name: "身份证", ContactPhone: "110105194912310021", ZoneID: w.market.ID},
		{Name: "", ZoneID: w.market.ID},
		{Name: strings.Repeat("长", 101), ZoneID: w.market.ID},
		{Name: "无区", ZoneID: w.market.ID + 999},
		{Name: "照片", ZoneID: w.market.ID, Photo: []byte("not an image")},
	} {
		if _, err := w.v.RegisterVendor(ctx, w.asLane, in); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%+v: %v, want invalid", in, err)
		}
	}
	if after := vendorCounts(t); after != before {
		t.Fatalf("refused registrations wrote: %s → %s", before, after)
	}
	if _, err := w.v.RegisterVendor(ctx, w.asLane, merchants.VendorInput{Name: "有照片", ZoneID: w.market.ID, Photo: decode(t, tinyPNG(t))}); err != nil {
		t.Fatal(err)
	}
}
