package merchants

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/incidents"
)

// The demo's weeks of daily inspections (每日巡查) and their realistic gaps.
const (
	DemoInspectionDays = 28
	demoStoppedDays    = 10   // one community stopped inspecting this many days ago
	demoDailyRate      = 0.85 // a shop with an inspector is seen on most days, not all
	demoOffSiteRate    = 0.03
	demoViolationRate  = 0.05
)

// demoViolationCategory is the incident category of a violation of each pledge item.
var demoViolationCategory = map[string][]string{ItemSanitation: {"sanitation"}, ItemOrder: {"street_occupying", "random_piling"},
	ItemGreenery: {"damaged_greenery"}}

var demoNotes = []string{"门前整洁", "已提醒商户保持门前卫生", "店外摆放已劝导收回", "绿化带完好", "门前有少量烟头,已清扫",
	"商户配合良好", "雨后门前积水已清理", "提醒商户规范停放电动车", "招牌完好", ""}

// DemoInspectionSummary says what SeedDemoInspections wrote.
type DemoInspectionSummary struct {
	Inspections      int     `json:"inspections"`
	OffSite          int     `json:"off_site"`
	Violations       int     `json:"violations"`
	StoppedCommunity int64   `json:"stopped_community"`
	RepeatIncidents  []int64 `json:"repeat_incidents"`
}

// demoCheckedShop is a shop of the demo as the plan sees it.
type demoCheckedShop struct {
	id, community, inspector int64
	lon, lat                 float64
}

// demoVisit is one planned inspection.
type demoVisit struct {
	shop      demoCheckedShop
	at        time.Time
	lon, lat  float64
	accuracy  float64
	results   []ItemResult
	violation bool
	note      string
}

// demoInspectionPlan plans the inspections of shops over the days before now: pure, so the same seed,
// shops and day give the same plan. The community with the most shops stops demoStoppedDays ago. No
// shop gets a third violation of one category (that would be a repeat offender the rule did not
// see); the two real ones are made by SeedDemoInspections through the rule itself.
func demoInspectionPlan(shops []demoCheckedShop, stopped, seed int64, now time.Time) (plan []demoVisit) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x3b5a1))
	today := now.In(incidents.Beijing)
	midnight := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, incidents.Beijing)
	type shopCategory struct {
		shop int64
		cat  string
	}
	counted := map[shopCategory]int{}
	for d := DemoInspectionDays; d >= 1; d-- {
		day := midnight.AddDate(0, 0, -d)
		for _, s := range shops {
			if s.inspector == 0 || rng.Float64() > demoDailyRate || (s.community == stopped && d <= demoStoppedDays) {
				continue
			}
			v := demoVisit{shop: s, at: day.Add(time.Duration(8*3600+rng.IntN(10*3600)) * time.Second), accuracy: float64(3 + rng.IntN(28))}
			dist, bearing := 2+rng.Float64()*15, rng.Float64()*2*math.Pi
			if rng.Float64() < demoOffSiteRate {
				dist = 150 + rng.Float64()*350 // checked in from the office, or the next street
			}
			v.lon = s.lon + dist*math.Cos(bearing)/(111_320*math.Cos(s.lat*math.Pi/180))
			v.lat = s.lat + dist*math.Sin(bearing)/110_540
			for _, item := range PledgeItems {
				r := ItemResult{Item: item, OK: true}
				if rng.Float64() < demoViolationRate/float64(len(PledgeItems)) {
					cats := demoViolationCategory[item]
					cat := cats[rng.IntN(len(cats))]
					if counted[shopCategory{s.id, cat}] < 2 {
						counted[shopCategory{s.id, cat}]++
						r = ItemResult{Item: item, Category: cat}
						v.violation = true
					}
				}
				v.results = append(v.results, r)
			}
			v.note = demoNotes[rng.IntN(len(demoNotes))]
			if v.violation {
				v.note = "发现门前三包问题,已当场劝导整改"
			}
			plan = append(plan, v)
		}
	}
	return plan
}

// demoStoppedCommunity is the community with the most shops (the lowest id of a tie); shops in no
// community are none.
func demoStoppedCommunity(shops []demoCheckedShop) (stopped int64) {
	perCommunity := map[int64]int{}
	for _, s := range shops {
		perCommunity[s.community]++
	}
	best := 0
	for c, n := range perCommunity {
		if c != 0 && (n > best || (n == best && c < stopped)) {
			stopped, best = c, n
		}
	}
	return stopped
}

// SeedDemoInspections writes DemoInspectionDays of daily inspections over whatever shops the demo
// city holds (deterministic for a seed and day), then makes two of its shops repeat offenders through
// the rule itself: one with three violations of one category, one that refused to correct — each an
// incident with the street chief for joint enforcement. now is the demo's today.
func SeedDemoInspections(ctx context.Context, s *Store, seed int64, now time.Time) (DemoInspectionSummary, error) {
	var sum DemoInspectionSummary
	rows, err := s.db.Query(ctx, `SELECT m.id, COALESCE(m.community_id, 0),
			COALESCE((SELECT mi.person_id FROM merchant_inspector mi WHERE mi.merchant_id = m.id AND mi.voided_at IS NULL
			          AND mi.valid @> now() ORDER BY mi.is_primary DESC, mi.id LIMIT 1), 0),
			ST_X(m.location), ST_Y(m.location)
		FROM merchant m WHERE m.status = 'open' ORDER BY m.id`)
	if err != nil {
		return sum, fmt.Errorf("demo inspections: %w", err)
	}
	shops, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (demoCheckedShop, error) {
		var d demoCheckedShop
		return d, r.Scan(&d.id, &d.community, &d.inspector, &d.lon, &d.lat)
	})
	if err != nil || len(shops) == 0 {
		return sum, err
	}
	stopped := demoStoppedCommunity(shops)
	sum.StoppedCommunity = stopped
	// The two repeat offenders, outside the community that stopped, are kept out of the plan so that
	// the rule alone decides about them.
	withInspector := slices.DeleteFunc(slices.Clone(shops), func(d demoCheckedShop) bool { return d.inspector == 0 || d.community == stopped })
	if len(withInspector) == 0 {
		withInspector = shops
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x7e9ea7))
	var offenders []demoCheckedShop
	for len(offenders) < min(2, len(withInspector)) {
		d := withInspector[rng.IntN(len(withInspector))]
		if !slices.ContainsFunc(offenders, func(o demoCheckedShop) bool { return o.id == d.id }) {
			offenders = append(offenders, d)
		}
	}
	planned := slices.DeleteFunc(slices.Clone(shops), func(d demoCheckedShop) bool {
		return slices.ContainsFunc(offenders, func(o demoCheckedShop) bool { return o.id == d.id })
	})
	plan := demoInspectionPlan(planned, stopped, seed, now)
	if err := s.writeDemoPlan(ctx, plan); err != nil {
		return sum, err
	}
	for _, v := range plan {
		sum.Inspections++
		if v.violation {
			sum.Violations++
		}
	}
	if err := s.db.QueryRow(ctx, `SELECT count(*) FILTER (WHERE off_site) FROM merchant_inspection`).Scan(&sum.OffSite); err != nil {
		return sum, err
	}
	for k, o := range offenders {
		ids, err := s.demoOffender(ctx, o, k, now)
		if err != nil {
			return sum, fmt.Errorf("demo repeat offender %d: %w", o.id, err)
		}
		sum.RepeatIncidents = append(sum.RepeatIncidents, ids)
	}
	return sum, nil
}

// writeDemoPlan inserts the plan in batches; the distance, the off-site flag and the proof rules of
// a single check-in (off site, a vague fix) are computed as Inspect computes them. The rules
// between a person's check-ins are not applied: the plan draws each shop's visit time on its own,
// so its times say nothing of anyone's walk between shops.
func (s *Store) writeDemoPlan(ctx context.Context, plan []demoVisit) error {
	const batch = 5000
	for start := 0; start < len(plan); start += batch {
		part := plan[start:min(start+batch, len(plan))]
		var (
			ids, people      []int64
			ats              []time.Time
			lons, lats, accs []float64
			results          []string
			violations       []int32
			notes            []string
		)
		for _, v := range part {
			b, err := json.Marshal(v.results)
			if err != nil {
				return err
			}
			n := int32(0)
			for _, r := range v.results {
				if !r.OK {
					n++
				}
			}
			ids, people, ats = append(ids, v.shop.id), append(people, v.shop.inspector), append(ats, v.at)
			lons, lats, accs = append(lons, v.lon), append(lats, v.lat), append(accs, v.accuracy)
			results, violations, notes = append(results, string(b)), append(violations, n), append(notes, v.note)
		}
		if _, err := s.db.Exec(ctx, `INSERT INTO merchant_inspection (merchant_id, inspector_person_id, at, visit_day, received_at,
				position, accuracy_m, distance_m, off_site_limit_m, off_site, results, violations, note, suspect, proof_reasons)
			SELECT p.merchant_id, NULLIF(p.person, 0), p.at, (p.at AT TIME ZONE 'Asia/Shanghai')::date, p.at + interval '2 minutes',
				p.g, p.acc, d.dist, d.lim, d.dist > d.lim, p.results::jsonb, p.violations, p.note,
				jsonb_array_length(r.reasons) > 0, r.reasons
			FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::float8[], $5::float8[], $6::float8[], $7::text[],
				$8::int[], $9::text[]) AS u(merchant_id, person, at, lon, lat, acc, results, violations, note)
			CROSS JOIN LATERAL (SELECT u.*, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326) AS g) p
			JOIN merchant m ON m.id = p.merchant_id
			CROSS JOIN LATERAL (SELECT LEAST(ST_Distance(m.location::geography, p.g::geography),
					COALESCE(ST_Distance(m.frontage::geography, p.g::geography), 'Infinity'))::real AS dist,
				($10 + LEAST(p.acc, $11))::real AS lim) d
			CROSS JOIN LATERAL (SELECT COALESCE(jsonb_agg(x.reason ORDER BY x.n), '[]') AS reasons FROM (
				SELECT 1 AS n, jsonb_build_object('code', 'off_site', 'figure', round(d.dist::numeric, 2), 'limit', d.lim::float8) AS reason
				 WHERE d.dist > d.lim
				UNION ALL
				SELECT 2, jsonb_build_object('code', 'poor_accuracy', 'figure', round(p.acc::numeric, 2), 'limit', $12::float8)
				 WHERE p.acc > $12) x) r`,
			ids, people, ats, lons, lats, accs, results, violations, notes, s.rules.OffSiteMetres, s.rules.AccuracyAllowanceCapMetres,
			s.rules.Proof.MaxAccuracyM); err != nil {
			return fmt.Errorf("demo inspections: %w", err)
		}
	}
	return nil
}

type demoOffence struct {
	daysAgo int
	cat     string
	refused bool
	note    string
}

// demoOffender makes shop o a repeat offender through Inspect: the first (k = 0) with three
// violations of 店外/占道 within the fortnight, the second refusing to clear goods piled outside.
func (s *Store) demoOffender(ctx context.Context, o demoCheckedShop, k int, now time.Time) (int64, error) {
	who := access.Principal{Role: access.Inspector, Username: "demo", PersonID: o.inspector}
	if o.inspector == 0 {
		who = access.System("demo")
	}
	visits := []demoOffence{{12, "street_occupying", false, "店外摆放货物占用人行道,已劝导"},
		{7, "street_occupying", false, "再次店外经营,已口头警告"}, {2, "street_occupying", false, "第三次店外经营,商户称生意忙"}}
	if k == 1 {
		visits = []demoOffence{{3, "random_piling", true, "门前堆放纸箱杂物,商户拒不清理"}}
	}
	var incident int64
	for _, v := range visits {
		lon, lat, acc := o.lon+0.00003, o.lat, 8.0
		f := NewInspectionFields()
		f.MerchantID, f.At, f.Lon, f.Lat, f.AccuracyM = o.id, now.AddDate(0, 0, -v.daysAgo).Format(time.RFC3339), &lon, &lat, &acc
		f.Refused, f.Note = v.refused, v.note
		f.Results.Items = []ItemResult{{Item: ItemSanitation, OK: true}, {Item: ItemOrder, Category: v.cat}, {Item: ItemGreenery, OK: true}}
		in, err := f.Input(nil, now)
		if err != nil {
			return 0, err
		}
		ins, _, err := s.Inspect(ctx, who, in, "")
		if err != nil {
			return 0, err
		}
		incident = max(incident, ins.RepeatIncidentID)
	}
	return incident, nil
}
