package reports_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/dbtest"
	"streetchief/internal/merchants"
	"streetchief/internal/registry"
	"streetchief/internal/reports"
)

// TestMerchantGapsAgainstAHandCountedFixture builds a community whose five shops each break (or
// keep) one rule, and two inspectors whose off-site shares sit just above and exactly at 20 %.
func TestMerchantGapsAgainstAHandCountedFixture(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	reg := registry.NewStore(pool)
	x, y := 119.5, 27.0
	_, com := squareCommunity(t, reg, x, y, "mg", "商街道", "商社区")
	store := merchants.NewStore(pool, reg, nil, nil, merchants.Rules{})
	person := func(name string) int64 {
		p, err := reg.CreatePerson(ctx, admin, registry.PersonInput{Name: name, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	p1, p2 := person("多异地"), person("恰好二成")
	now := time.Now()
	shop := func(name string, i int, pledged, inspected bool) int64 {
		m, err := store.CreateMerchant(ctx, admin, merchants.Input{Name: name, Location: orb.Point{x + 0.001*float64(i+1), y + 0.005}})
		if err != nil {
			t.Fatal(err)
		}
		if pledged {
			if _, err := store.SignPledge(ctx, admin, m.ID, merchants.PledgeInput{SignedOn: now.AddDate(0, -1, 0)}); err != nil {
				t.Fatal(err)
			}
		}
		if inspected {
			if _, err := store.AssignInspector(ctx, admin, m.ID, merchants.InspectorInput{PersonID: p1, From: now.AddDate(0, -2, 0)}); err != nil {
				t.Fatal(err)
			}
		}
		return m.ID
	}
	good := shop("守规店", 0, true, true)
	noPledge := shop("未签店", 1, false, true)
	noInspector := shop("无人店", 2, true, false)
	stale := shop("久未查店", 3, true, true)
	closed := shop("歇业店", 4, false, false)
	if _, err := store.SetStatus(ctx, admin, closed, merchants.StatusChange{Status: merchants.Closed}); err != nil {
		t.Fatal(err)
	}
	// Checks: p1 ten of the good shop in the last 10 days, 3 off-site, and two more on-site (3 of 12,
	// 25 %); p2 ten, 2 off-site (exactly 20 %, not above); the stale shop last checked 5 days ago,
	// outside the 3-day window.
	check := func(merchant, person int64, at time.Time, offSite bool) {
		t.Helper()
		limit := 50.0
		dist := 10.0
		if offSite {
			dist = 80
		}
		_, err := pool.Exec(ctx, `INSERT INTO merchant_inspection (merchant_id, inspector_person_id, at, visit_day, position, accuracy_m,
			distance_m, off_site_limit_m, off_site, results, violations)
			VALUES ($1, $2, $3, ($3::timestamptz AT TIME ZONE 'Asia/Shanghai')::date, ST_SetSRID(ST_MakePoint($4, $5), 4326), 5, $6, $7, $8,
			'[{"item":"sanitation","ok":true}]', 0)`, merchant, person, at, x, y, dist, limit, offSite)
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		check(good, p1, now.Add(-time.Duration(i)*24*time.Hour-time.Hour), i < 3)
		check(noPledge, p2, now.Add(-time.Duration(i)*24*time.Hour-time.Hour), i < 2)
	}
	check(noInspector, p1, now.Add(-time.Hour), false)
	check(stale, p1, now.Add(-5*24*time.Hour), false)

	rep, err := reports.NewService(pool).Gaps(ctx, admin, reports.Query{Scope: reports.Scope{Level: "community", ID: com.ID},
		Kinds: []string{reports.KindNoPledge, reports.KindNoInspector, reports.KindNotInspected, reports.KindOffSite}})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(gs []reports.MerchantGap) []int64 {
		var out []int64
		for _, g := range gs {
			out = append(out, g.MerchantID)
		}
		slices.Sort(out)
		return out
	}
	if got := ids(rep.NoPledge); !slices.Equal(got, []int64{noPledge}) {
		t.Errorf("without pledge: %v, want %v", got, noPledge)
	}
	if got := ids(rep.NoInspector); !slices.Equal(got, []int64{noInspector}) {
		t.Errorf("without inspector: %v, want %v", got, noInspector)
	}
	if got := ids(rep.NotInspected); !slices.Equal(got, []int64{stale}) {
		t.Errorf("not inspected for 3 days: %v, want %v", got, stale)
	}
	if len(rep.OffSite) != 1 || rep.OffSite[0].PersonID != p1 || rep.OffSite[0].Checks != 12 || rep.OffSite[0].OffSite != 3 {
		t.Errorf("off-site: %+v, want only p1 with 3 of 12 (p2 has exactly 2 of 10)", rep.OffSite)
	}
	// With a 6-day window the stale shop is fine; with a 10 % threshold both inspectors show.
	rep, err = reports.NewService(pool).Gaps(ctx, admin, reports.Query{Scope: reports.Scope{Level: "community", ID: com.ID},
		Kinds: []string{reports.KindNotInspected, reports.KindOffSite}, NotInspectedDays: 6, OffSiteShare: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.NotInspected) != 0 || len(rep.OffSite) != 2 {
		t.Errorf("6 days, 10 %%: %v not inspected, %d off-site", ids(rep.NotInspected), len(rep.OffSite))
	}
	var row reports.SummaryRow
	for _, r := range rep.Summary {
		if r.CommunityID == com.ID {
			row = r
		}
	}
	if row.MerchantsNotInspected != 0 {
		t.Errorf("summary: %+v", row)
	}
}
