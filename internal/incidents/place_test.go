package incidents_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/incidents"
	"streetchief/internal/registry"
)

// TestIncidentSaysWhereItIs: a case in the market, 177 m south of a named road, reads as the market
// with its kind, its community and subdistrict and the road with its distance, in the detail, the
// list, the public request's address and the case export; one outside every unit says so.
func TestIncidentSaysWhereItIs(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	x := w.x0
	// The market spans y 30.002..30.004; the road runs east-west north of it, centreline at 30.0046.
	road, err := w.store.CreateArea(ctx, system, registry.AreaInput{Kind: "main_road", Name: "龙腾路",
		Geom:       orb.MultiPolygon{{{{x + 0.001, 30.0045}, {x + 0.006, 30.0045}, {x + 0.006, 30.0047}, {x + 0.001, 30.0047}, {x + 0.001, 30.0045}}}},
		Centreline: orb.MultiLineString{{{x + 0.001, 30.0046}, {x + 0.006, 30.0046}}}})
	if err != nil {
		t.Fatal(err)
	}
	// A farther road must not be chosen over the nearer one.
	if _, err := w.store.CreateArea(ctx, system, registry.AreaInput{Kind: "back_lane", Name: "远巷",
		Geom: sq(x+0.003, 30.0055, 0.0002)}); err != nil {
		t.Fatal(err)
	}
	w.reload()
	in := w.get(w.report("sanitation", w.inMarket()).ID)
	p := in.Place
	if p.Area == nil || p.Area.ID != w.park.ID || p.Area.Name != "菜市场" || p.Area.Kind != "farmers_market" {
		t.Errorf("area = %+v, want the market", p.Area)
	}
	if p.Community == nil || p.Community.ID != w.comA.ID || p.Community.Name != "甲社区" {
		t.Errorf("community = %+v, want 甲社区", p.Community)
	}
	if p.Subdistrict == nil || p.Subdistrict.ID != w.sub.ID || p.Subdistrict.Name != "街道" {
		t.Errorf("subdistrict = %+v, want 街道", p.Subdistrict)
	}
	if p.Road == nil || p.Road.ID != road.ID || p.Road.Name != "龙腾路" || p.Road.DistanceM < 170 || p.Road.DistanceM > 185 {
		t.Errorf("road = %+v, want 龙腾路 about 177 m away", p.Road)
	}
	want := "菜市场(农贸市场) · 甲社区 · 街道 · 距龙腾路 177 米"
	if in.PlaceText != want {
		t.Errorf("place_text = %q, want %q", in.PlaceText, want)
	}

	list, _, err := w.svc.List(ctx, system, incidents.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(list, func(l incidents.Incident) bool { return l.ID == in.ID }); i < 0 || list[i].PlaceText != want {
		t.Errorf("the list does not say where the case is: %+v", list)
	}

	out := w.get(w.report("sanitation", w.outside()).ID)
	if out.Place.Area != nil || out.Place.Community != nil || out.Place.Subdistrict != nil || out.Place.Road != nil {
		t.Errorf("outside: place = %+v, want nothing", out.Place)
	}
	if out.PlaceText != "不在任何辖区内" {
		t.Errorf("outside: place_text = %q", out.PlaceText)
	}

	pub, err := w.svc.PublicRequests(ctx, incidents.PublicFilter{IDs: []int64{in.ID}})
	if err != nil || len(pub) != 1 {
		t.Fatalf("public requests: %v, %v", pub, err)
	}
	if pub[0].Address != want {
		t.Errorf("Open311 address = %q, want %q", pub[0].Address, want)
	}

	day := time.Now().In(incidents.Beijing).Format("2006-01-02")
	period, err := incidents.ParsePeriod("day", day, "", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.svc.WriteCasesCSV(ctx, w.asLeader, period, incidents.KPIFilter{}, &buf, func() {}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(recs[0], "place")
	if col < 0 {
		t.Fatalf("the export has no place column: %v", recs[0])
	}
	found := false
	for _, r := range recs[1:] {
		found = found || (r[0] == itoa(in.ID) && r[col] == want)
	}
	if !found {
		t.Errorf("the export does not say where case %d is: %s", in.ID, strings.Join(recs[0], ","))
	}
}

// TestKindNamesAreTheDashboards: every area kind the registry knows is named in place texts as the
// dashboard names it, so a kind added to one and not the other is caught here.
func TestKindNamesAreTheDashboards(t *testing.T) {
	zh, err := os.ReadFile("../../web/src/i18n/zh.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range registry.AreaKinds {
		m := regexp.MustCompile(`'kind\.` + kind + `':\s*'([^']+)'`).FindSubmatch(zh)
		if m == nil {
			t.Errorf("the dashboard has no name for kind %s", kind)
			continue
		}
		got := incidents.Place{Area: &incidents.PlaceArea{ID: 1, Name: "某处", Kind: kind}}.Text()
		if want := "某处(" + string(m[1]) + ")"; got != want {
			t.Errorf("kind %s: %q, want %q", kind, got, want)
		}
	}
}
