package operations

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
)

// DemoSummary is what SeedDemo wrote.
type DemoSummary struct {
	Operations, Done, Overdue, Cancelled, Upcoming int
}

func (d DemoSummary) String() string {
	return fmt.Sprintf("%d operations (%d done, %d outcome overdue, %d cancelled, %d upcoming)", d.Operations, d.Done, d.Overdue, d.Cancelled, d.Upcoming)
}

// demoSubdistrict is what the demo's operations in one subdistrict are made of.
type demoSubdistrict struct {
	id, chief                 int64
	name                      string
	members, areas, repeat    []int64
	shops, cases, departments []int64
}

// SeedDemo writes the demo city's joint operations at now: three months of monthly planned ones in
// every subdistrict and some at short notice, all with outcomes, aimed at the repeat offenders, the
// open cases and the commercial streets; and, in the first subdistricts, one whose outcome is overdue,
// one cancelled and two to come. Run it after the shops, inspections and incidents are loaded.
func SeedDemo(ctx context.Context, s *Store, seed int64, now time.Time) (DemoSummary, error) {
	var sum DemoSummary
	rng := rand.New(rand.NewPCG(uint64(seed), 0x0be7a7e5))
	subs, err := s.demoSubdistricts(ctx)
	if err != nil {
		return sum, err
	}
	who := access.System("demo")
	store := s.WithClock(func() time.Time { return now })
	today := now.In(Beijing)
	month := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, Beijing)
	plan := func(sub demoSubdistrict, title string, kind Kind, start time.Time, hours int, cases bool) Input {
		in := Input{Title: sub.name + title, Kind: kind, SubdistrictID: sub.id, StartsAt: start, EndsAt: start.Add(time.Duration(hours) * time.Hour),
			Briefing: "各部门按分工到场，先劝导后执法，现场问题现场整改；拒不整改的依法立案。", DepartmentIDs: pick(rng, sub.departments, 2+rng.IntN(3)),
			AreaIDs: pick(rng, sub.areas, 1), MerchantIDs: unique(append(append([]int64{}, sub.repeat...), pick(rng, sub.shops, 3+rng.IntN(4))...))}
		if cases {
			in.IncidentIDs = pick(rng, sub.cases, 2)
		}
		if sub.chief != 0 {
			in.People = append(in.People, PersonInput{PersonID: sub.chief, Role: Commander})
		}
		for _, p := range pick(rng, sub.members, 4) {
			if p != sub.chief {
				in.People = append(in.People, PersonInput{PersonID: p, Role: Member})
			}
		}
		return in
	}
	create := func(in Input, clock time.Time) (Operation, error) {
		op, err := s.WithClock(func() time.Time { return clock }).Create(ctx, who, in)
		if err != nil {
			return op, fmt.Errorf("demo operation %q: %w", in.Title, err)
		}
		sum.Operations++
		return op, nil
	}
	var aimed []demoSubdistrict // those with something to aim at
	for _, sub := range subs {
		if len(sub.areas) > 0 || len(sub.shops) > 0 {
			aimed = append(aimed, sub)
		}
	}
	for _, sub := range aimed {
		for back := 3; back >= 1; back-- {
			day := month.AddDate(0, -back, 10+rng.IntN(10))
			in := plan(sub, "月度联合执法行动", Planned, day.Add(9*time.Hour), 3, false)
			in.Outcome = demoOutcome(rng, in.MerchantIDs)
			if _, err := create(in, now); err != nil {
				return sum, err
			}
			sum.Done++
			if rng.IntN(2) == 0 {
				night := month.AddDate(0, -back, 1+rng.IntN(25)).Add(20 * time.Hour)
				in := plan(sub, "夜间临时联合执法", ShortNotice, night, 2, true)
				in.Outcome = demoOutcome(rng, in.MerchantIDs)
				if _, err := create(in, now); err != nil {
					return sum, err
				}
				sum.Done++
			}
		}
	}
	if len(aimed) == 0 {
		return sum, nil
	}
	first, second, third := aimed[0], aimed[1%len(aimed)], aimed[2%len(aimed)]
	// Planned four days ago for two days ago, and its outcome never entered.
	if _, err := create(plan(first, "农贸市场周边整治", Planned, dayAt(today, -2, 9), 3, true), now.AddDate(0, 0, -4)); err != nil {
		return sum, err
	}
	sum.Overdue++
	if _, err := create(plan(first, "商业街店外经营整治", Planned, dayAt(today, 3, 9), 3, true), now); err != nil {
		return sum, err
	}
	sum.Upcoming++
	op, err := create(plan(second, "占道经营专项整治", Planned, dayAt(today, 5, 9), 3, false), now)
	if err != nil {
		return sum, err
	}
	if _, err := store.Cancel(ctx, who, op.ID, "与区级安全检查时间冲突，改期另行通知"); err != nil {
		return sum, fmt.Errorf("demo cancelled operation: %w", err)
	}
	sum.Cancelled++
	if _, err := create(plan(third, "月度联合执法行动", Planned, dayAt(today, 10, 9), 3, true), now); err != nil {
		return sum, err
	}
	sum.Upcoming++
	return sum, nil
}

var demoNotes = []string{
	"各部门按时到场，逐户检查，现场整改到位。",
	"重点商户当场签订整改承诺，未整改的已下达整改通知。",
	"清理店外经营、乱堆乱放，现场处罚一户。",
	"部分商户无人在场，已留置通知，择日复查。",
}

func demoOutcome(rng *rand.Rand, shops []int64) *OutcomeInput {
	o := &OutcomeInput{Notes: demoNotes[rng.IntN(len(demoNotes))]}
	for _, m := range shops {
		o.Shops = append(o.Shops, ShopDealt{MerchantID: m, Dealt: Dealings[rng.IntN(len(Dealings))]})
	}
	return o
}

// dayAt is hour o'clock, Beijing time, days after t's day.
func dayAt(t time.Time, days, hour int) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day()+days, hour, 0, 0, 0, Beijing)
}

// pick answers up to n distinct ids of ids, at random.
func pick(rng *rand.Rand, ids []int64, n int) []int64 {
	out := append([]int64{}, ids...)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func (s *Store) demoSubdistricts(ctx context.Context) ([]demoSubdistrict, error) {
	rows, err := s.db.Query(ctx, `SELECT u.id, u.name,
		COALESCE((SELECT a.person_id FROM assignment_standing a JOIN person_directory p ON p.id = a.person_id AND p.active
			WHERE a.admin_unit_id = u.id AND a.role = 'street_chief' AND a.valid @> now() ORDER BY a.is_primary DESC, a.id LIMIT 1), 0),
		ARRAY(SELECT DISTINCT a.person_id FROM assignment_standing a JOIN person_directory p ON p.id = a.person_id AND p.active
			WHERE a.valid @> now() AND (a.admin_unit_id = u.id AND a.role = 'department_liaison'
				OR a.role = 'lane_chief' AND a.admin_unit_id IN (SELECT c.id FROM unit_directory c WHERE c.parent_id = u.id))),
		ARRAY(SELECT a.id FROM area_directory a WHERE a.subdistrict_id = u.id
			AND a.kind IN ('commercial_street', 'night_market', 'farmers_market') ORDER BY a.id),
		ARRAY(SELECT DISTINCT r.merchant_id FROM merchant_repeat_offender r JOIN merchant_directory m ON m.id = r.merchant_id
			WHERE m.subdistrict_id = u.id),
		ARRAY(SELECT m.id FROM merchant_directory m WHERE m.subdistrict_id = u.id AND m.status = 'open' ORDER BY m.id LIMIT 60),
		ARRAY(SELECT o.id FROM open_incident o JOIN area_directory a ON a.id = o.area_id WHERE a.subdistrict_id = u.id ORDER BY o.id LIMIT 40),
		ARRAY(SELECT id FROM department_directory ORDER BY id)
		FROM unit_directory u WHERE u.level = 'subdistrict' ORDER BY u.id`)
	if err != nil {
		return nil, fmt.Errorf("demo operations: %w", err)
	}
	subs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (demoSubdistrict, error) {
		var d demoSubdistrict
		return d, r.Scan(&d.id, &d.name, &d.chief, &d.members, &d.areas, &d.repeat, &d.shops, &d.cases, &d.departments)
	})
	if err != nil {
		return nil, fmt.Errorf("demo operations: %w", err)
	}
	for i := range subs {
		// An open case of an area in the subdistrict may have been routed elsewhere; keep those the
		// operation may target.
		var keep []int64
		for _, id := range subs[i].cases {
			inc, err := s.incidents.Incident(ctx, access.System("demo"), id)
			if err == nil && inc.SubdistrictID == subs[i].id && inc.Status.Open() {
				keep = append(keep, id)
			}
		}
		subs[i].cases = keep
	}
	return subs, nil
}
