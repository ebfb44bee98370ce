package partners_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/notify"
	"streetchief/internal/partners"
	"streetchief/internal/registry"
	"streetchief/internal/reports"
)

// inbox is what person has heard of, newest first, in lang.
func inbox(t *testing.T, person registry.Person, lang string) []notify.Item {
	t.Helper()
	box, err := notify.NewStore(dbtest.Pool(t)).Inbox(context.Background(), access.Principal{PersonID: person.ID}, 0, 0, false, lang)
	if err != nil {
		t.Fatal(err)
	}
	return box.Items
}

// TestACaseInAManagedCompoundTellsItsPropertyManager: a case reported inside a compound under
// contract reaches the company's contact person's inbox in the same transaction as its routing, in
// Chinese and English; a compound whose contract has lapsed, or none, tells nobody.
func TestACaseInAManagedCompoundTellsItsPropertyManager(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	pool := dbtest.Pool(t)
	managed := w.company("龙岩市祥和物业服务有限公司", w.contact)
	lapsed := w.company("福建闽西宏福物业管理有限公司", w.contact2)
	w.sign(w.street, w.compA.ID, managed, "2024-01-01", "2030-01-01")
	w.sign(w.street, w.compB.ID, lapsed, "2020-01-01", "2025-01-01")
	engine := lookup.New(registry.NewStore(pool))
	if err := engine.Load(ctx); err != nil {
		t.Fatal(err)
	}
	svc := incidents.NewService(pool, engine, incidents.Options{})
	report := func(p orb.Point) incidents.Receipt {
		t.Helper()
		lon, lat := p[0], p[1]
		in, err := incidents.IntakeFields{Category: "sanitation", Lon: &lon, Lat: &lat, Description: "楼下垃圾堆积"}.Intake(nil)
		if err != nil {
			t.Fatal(err)
		}
		rc, _, err := svc.Report(ctx, access.Anonymous("t"), in, incidents.IdempotencyKey{})
		if err != nil {
			t.Fatal(err)
		}
		return rc
	}
	rc := report(orb.Point{w.x + 0.003, w.y + 0.003})
	zh := inbox(t, w.contact, "zh")
	if len(zh) != 1 || zh[0].Kind != incidents.CompoundCaseKind || zh[0].Subject.ID != rc.ID ||
		!strings.Contains(zh[0].Title, "龙津花园") || !strings.Contains(zh[0].Title, managed.Name) {
		t.Fatalf("the manager's inbox after a case in their compound: %+v", zh)
	}
	if en := inbox(t, w.contact, "en"); !strings.HasPrefix(en[0].Title, "New case ") || strings.ContainsAny(en[0].Title, "您案件") {
		t.Fatalf("in English: %q", en[0].Title)
	}
	report(orb.Point{w.x + 0.013, w.y + 0.003}) // in the compound whose contract lapsed
	report(orb.Point{w.x + 0.007, w.y + 0.007}) // in the park
	if got := inbox(t, w.contact2, "zh"); len(got) != 0 {
		t.Fatalf("the company whose contract lapsed was told: %+v", got)
	}
	if got := inbox(t, w.contact, "zh"); len(got) != 1 {
		t.Fatalf("the manager heard of cases outside their compound: %+v", got)
	}
}

// TestACompoundWithNeitherManagerNorTeamIsAGap: the gap report lists the compound whose contract has
// lapsed, naming the company and when, and not the one with a residents' team; at a date inside the
// contract neither is a gap.
func TestACompoundWithNeitherManagerNorTeamIsAGap(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	company := w.company("龙岩市祥和物业服务有限公司", w.contact)
	w.sign(w.street, w.compA.ID, company, "2020-01-01", "2025-01-01")
	if _, err := w.svc.AddTeam(ctx, w.street, w.compB.ID, partners.TeamInput{Type: partners.SelfGovernance, Name: "莲东居民自治小组",
		LeaderPersonID: w.resident.ID, Members: 7, From: day("2019-01-01")}); err != nil {
		t.Fatal(err)
	}
	rs := reports.NewService(dbtest.Pool(t))
	gaps := func(at string) []reports.CompoundGap {
		t.Helper()
		r, err := rs.Gaps(ctx, w.street, reports.Query{Scope: reports.Scope{Level: "subdistrict", ID: w.sub.ID}, At: day(at).Time,
			Kinds: []string{reports.KindNoPartner}})
		if err != nil {
			t.Fatal(err)
		}
		return r.NoPartner
	}
	got := gaps("2026-03-03")
	if len(got) != 1 || got[0].AreaID != w.compA.ID || got[0].LastCompany != company.Name || got[0].LapsedAt == nil ||
		!got[0].LapsedAt.Equal(day("2025-01-01").Time) || got[0].CommunityID != w.comA.ID {
		t.Fatalf("gaps on 2026-03-03: %+v", got)
	}
	if got := gaps("2024-12-31"); len(got) != 0 {
		t.Fatalf("gaps inside the contract: %+v", got)
	}
	if got := gaps("2018-06-01"); len(got) != 2 {
		t.Fatalf("gaps before anyone: %+v", got)
	}
	r, _ := rs.Gaps(ctx, w.street, reports.Query{Scope: reports.Scope{Level: "subdistrict", ID: w.sub.ID}, At: time.Now(), Kinds: []string{reports.KindNoPartner}})
	var csv strings.Builder
	if err := r.WriteCSV(&csv); err != nil || !strings.Contains(csv.String(), "龙津花园") {
		t.Fatalf("csv %v %q", err, csv.String())
	}
	for _, format := range []string{"xlsx", "html", "json"} {
		var out strings.Builder
		if err := r.Write(&out, format); err != nil || out.Len() == 0 {
			t.Fatalf("%s: %v", format, err)
		}
	}
	if fc := r.GeoJSON(); len(fc.Features) != 1 || fc.Features[0].Properties["gap"] != reports.KindNoPartner {
		t.Fatalf("geojson %+v", fc.Features)
	}
}
