package maptiles_test

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/maptiles"
	"streetchief/internal/merchants"
)

// pinShop is one shop of the pinned tile: what its register says and the state the map must give it.
type pinShop struct {
	name   string
	status string // merchant.status
	// Rows, as SQL run with $1 the shop's id, $2 Beijing's today (date), $3 Beijing's midnight today,
	// $4 the fixture's person and $5 an incident, open or closed as the row asks.
	rows  []string
	state merchants.MapState // "" for a shop the map must not show
}

// checkedByPerson is whether the fixture's person checks the shop now, primary or not: the shops an
// inspector's own tile shows.
func (s pinShop) checkedByPerson() bool {
	return slices.Contains(s.rows, inspectorNow) || slices.Contains(s.rows, inspectorSecond)
}

const (
	pledgeNow       = `INSERT INTO merchant_pledge (merchant_id, signed_on, valid) VALUES ($1, $2::date - 30, daterange($2::date - 30, $2::date + 335))`
	inspectorNow    = `INSERT INTO merchant_inspector (merchant_id, person_id, valid) VALUES ($1, $4, tstzrange(now() - interval '60 days', NULL))`
	inspectorSecond = `INSERT INTO merchant_inspector (merchant_id, person_id, is_primary, valid) VALUES ($1, $4, false, tstzrange(now() - interval '60 days', NULL))`
	checkAt         = `INSERT INTO merchant_inspection (merchant_id, at, visit_day, position, accuracy_m, distance_m, off_site_limit_m, off_site, results, violations, voided_at, void_reason) SELECT id, %s, $2::date, location, 5, 0, 50, false, '[{"item":"order","ok":false}]', 1, %s FROM merchant WHERE id = $1`
	checkToday      = `INSERT INTO merchant_inspection (merchant_id, at, visit_day, position, accuracy_m, distance_m, off_site_limit_m, off_site, results, violations) SELECT id, now(), $2::date, location, 5, 0, 50, false, '[{"item":"order","ok":false}]', 1 FROM merchant WHERE id = $1`
	repeatCase      = `INSERT INTO merchant_repeat_case (merchant_id, incident_id, inspection_id, cause) SELECT $1, $5, max(id), 'refusal' FROM merchant_inspection WHERE merchant_id = $1`
)

// pinShops covers every state and every row that must not count: voided, ended, not yet begun,
// secondary, yesterday's, closed cases and closed shops.
var pinShops = []pinShop{
	{name: "pledged", rows: []string{pledgeNow, inspectorNow}, state: merchants.StatePledged},
	{name: "inspected today", rows: []string{pledgeNow, inspectorNow, checkToday}, state: merchants.StateInspectedToday},
	{name: "two checks today", rows: []string{pledgeNow, inspectorNow, checkToday, checkToday}, state: merchants.StateInspectedToday},
	{name: "checked yesterday", rows: []string{pledgeNow, inspectorNow, fmt.Sprintf(checkAt, "$3::timestamptz - interval '1 minute'", "NULL, NULL")}, state: merchants.StatePledged},
	{name: "check voided", rows: []string{pledgeNow, inspectorNow, fmt.Sprintf(checkAt, "now()", "now(), 'wrong shop'")}, state: merchants.StatePledged},
	{name: "never pledged", rows: []string{inspectorNow}, state: merchants.StateNoPledge},
	{name: "pledge ended yesterday", rows: []string{inspectorNow,
		`INSERT INTO merchant_pledge (merchant_id, signed_on, valid) VALUES ($1, $2::date - 400, daterange($2::date - 400, $2::date))`}, state: merchants.StateNoPledge},
	{name: "pledge from tomorrow", rows: []string{inspectorNow,
		`INSERT INTO merchant_pledge (merchant_id, signed_on, valid) VALUES ($1, $2::date, daterange($2::date + 1, $2::date + 366))`}, state: merchants.StateNoPledge},
	{name: "pledge from today", rows: []string{inspectorNow,
		`INSERT INTO merchant_pledge (merchant_id, signed_on, valid) VALUES ($1, $2::date, daterange($2::date, NULL))`}, state: merchants.StatePledged},
	{name: "pledge voided", rows: []string{inspectorNow,
		`INSERT INTO merchant_pledge (merchant_id, signed_on, valid, voided_at, void_reason) VALUES ($1, $2::date - 30, daterange($2::date - 30, $2::date + 335), now(), 'forged')`}, state: merchants.StateNoPledge},
	{name: "nobody checks", rows: []string{pledgeNow}, state: merchants.StateNoInspector},
	{name: "nothing at all", state: merchants.StateNoInspector},
	{name: "inspector relieved", rows: []string{pledgeNow,
		`INSERT INTO merchant_inspector (merchant_id, person_id, valid) VALUES ($1, $4, tstzrange(now() - interval '60 days', now() - interval '1 hour'))`}, state: merchants.StateNoInspector},
	{name: "inspector from next hour", rows: []string{pledgeNow,
		`INSERT INTO merchant_inspector (merchant_id, person_id, valid) VALUES ($1, $4, tstzrange(now() + interval '1 hour', NULL))`}, state: merchants.StateNoInspector},
	{name: "only a second inspector", rows: []string{pledgeNow, inspectorSecond}, state: merchants.StateNoInspector},
	{name: "inspector voided", rows: []string{pledgeNow,
		`INSERT INTO merchant_inspector (merchant_id, person_id, valid, voided_at, void_reason) VALUES ($1, $4, tstzrange(now() - interval '60 days', NULL), now(), 'wrong person')`}, state: merchants.StateNoInspector},
	{name: "repeat offender", rows: []string{pledgeNow, inspectorNow, checkToday, repeatCase}, state: merchants.StateRepeatOffender},
	{name: "repeat offender nobody checks", rows: []string{checkToday, repeatCase}, state: merchants.StateRepeatOffender},
	{name: "repeat case closed", rows: []string{pledgeNow, inspectorNow, checkToday, "closed:" + repeatCase}, state: merchants.StateInspectedToday},
	{name: "closed shop", status: "closed", rows: []string{pledgeNow, inspectorNow}},
	{name: "moved shop", status: "moved", rows: []string{pledgeNow, inspectorNow, checkToday}},
}

// pinnedTile is the z15 tile the fixture fills, away from the demo city and the benchmark's district.
var pinnedTile = maptile.At(orb.Point{110.3, 21.3}, 15)

// seedPinnedShops writes the fixture: each shop on a diagonal of pinnedTile, in pinShops' order.
// It returns the shops' ids by name and the fixture person.
func seedPinnedShops(t *testing.T) (map[string]int64, map[int64]orb.Point, int64) {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	midnight := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	var person, open, closed int64
	if err := pool.QueryRow(ctx, `INSERT INTO person (name, active) VALUES ('钉图包户员', true) RETURNING id`).Scan(&person); err != nil {
		t.Fatal(err)
	}
	incident := `INSERT INTO incident (category, status, location) VALUES ((SELECT min(code) FROM incident_category), $1, ST_SetSRID(ST_MakePoint(110.3, 21.3), 4326)) RETURNING id`
	if err := pool.QueryRow(ctx, incident, "joint_enforcement").Scan(&open); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, incident, "closed").Scan(&closed); err != nil {
		t.Fatal(err)
	}
	b := pinnedTile.Bound()
	ids, at := map[string]int64{}, map[int64]orb.Point{}
	for i, s := range pinShops {
		f := float64(i+1) / float64(len(pinShops)+1)
		p := orb.Point{b.Min[0] + f*(b.Max[0]-b.Min[0]), b.Max[1] - f*(b.Max[1]-b.Min[1])}
		status := s.status
		if status == "" {
			status = "open"
		}
		var id int64
		if err := pool.QueryRow(ctx, `INSERT INTO merchant (name, location, status) VALUES ($1, ST_SetSRID(ST_MakePoint($2, $3), 4326), $4) RETURNING id`,
			"钉图"+s.name, p[0], p[1], status).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids[s.name], at[id] = id, p
		for _, q := range s.rows {
			inc := open
			if len(q) > 7 && q[:7] == "closed:" {
				q, inc = q[7:], closed
			}
			// The casts type the parameters a statement leaves unused.
			q = `WITH args AS (SELECT $1::bigint, $2::date, $3::timestamptz, $4::bigint, $5::bigint) ` + q
			if _, err := pool.Exec(ctx, q, id, today, midnight, person, inc); err != nil {
				t.Fatalf("%s: %s: %v", s.name, q, err)
			}
		}
	}
	return ids, at, person
}

// The merchants tile over the fixture: exactly its open shops, each once, at its place, with its id
// and its state and nothing else; the inspector's tile is their own shops; zoomed out, the clusters
// count every state.
func TestMerchantsTilePinsEveryShopsStateAndPlace(t *testing.T) {
	ids, at, person := seedPinnedShops(t)
	svc := newService(nil, dbtest.Pool(t), maptiles.Options{CacheBytes: -1})
	names := map[int64]string{}
	for n, id := range ids {
		names[id] = n
	}
	check := func(who access.Principal, only func(pinShop) bool) {
		t.Helper()
		want := map[string]string{}
		for _, s := range pinShops {
			if s.state != "" && only(s) {
				want[s.name] = string(s.state)
			}
		}
		_, ls := mustTile(t, svc, who, maptiles.LayerMerchants, pinnedTile, maptiles.Filter{})
		ls.ProjectToWGS84(pinnedTile)
		got := map[string]string{}
		for _, l := range ls {
			for _, f := range l.Features {
				id, _ := f.Properties["id"].(float64)
				n, ok := names[int64(id)]
				if !ok {
					t.Fatalf("%s sees a shop not of the fixture: %v", who.Username, f.Properties)
				}
				if _, twice := got[n]; twice {
					t.Fatalf("%s sees %s twice", who.Username, n)
				}
				got[n], _ = f.Properties["state"].(string)
				if keys := slices.Sorted(maps.Keys(f.Properties)); !slices.Equal(keys, []string{"count", "id", "state"}) || f.Properties["count"] != 1.0 {
					t.Errorf("%s: properties %v", n, f.Properties)
				}
				if fid, _ := f.ID.(float64); fid != id {
					t.Errorf("%s: feature id %v, want %v", n, f.ID, id)
				}
				p, _ := f.Geometry.(orb.Point)
				// One pixel of a 4096-extent z15 tile is about 2.7e-6°.
				if want := at[int64(id)]; math.Abs(p[0]-want[0]) > 3e-6 || math.Abs(p[1]-want[1]) > 3e-6 {
					t.Errorf("%s at %v, want %v", n, p, want)
				}
			}
		}
		if !maps.Equal(got, want) {
			for _, s := range pinShops {
				if got[s.name] != want[s.name] {
					t.Errorf("%s: %s sees %q, want %q", who.Username, s.name, got[s.name], want[s.name])
				}
			}
		}
	}
	check(access.System("pin"), func(pinShop) bool { return true })
	inspector := access.Principal{Username: "inspector", Role: access.Inspector, PersonID: person, Scope: access.Scope{Subdistricts: []int64{-1}}}
	check(inspector, pinShop.checkedByPerson)

	counts := map[string]float64{}
	_, ls := mustTile(t, svc, admin, maptiles.LayerMerchants, maptile.At(orb.Point{110.3, 21.3}, 12), maptiles.Filter{})
	for _, l := range ls {
		for _, f := range l.Features {
			// A cell of one shop draws as the shop itself, with its state rather than counts.
			if st, one := f.Properties["state"].(string); one {
				counts["count"]++
				if st != string(merchants.StatePledged) {
					counts[st+"_count"]++
				}
				continue
			}
			for k, v := range f.Properties {
				if n, ok := v.(float64); ok {
					counts[k] += n
				}
			}
		}
	}
	wantCounts := map[string]float64{}
	for _, s := range pinShops {
		if s.state != "" {
			wantCounts["count"]++
			if s.state != merchants.StatePledged {
				wantCounts[string(s.state)+"_count"]++
			}
		}
	}
	if !maps.Equal(counts, wantCounts) {
		t.Errorf("clusters at zoom 12 count %v, want %v", counts, wantCounts)
	}
}
