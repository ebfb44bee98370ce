package incidents

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
)

// DemoIncidents is how many incidents SeedDemoHistory writes.
const DemoIncidents = 3000

type demoArea struct {
	kind, name string
	pt         orb.Point
}

type demoEvent struct {
	at       time.Time
	kind     string
	from, to Status
	actor    string
	note     string
	assignee int64
	params   map[string]any
}

type demoIncident struct {
	cat         Category
	description string
	pt          orb.Point
	rt          routing
	chief       routing // the street chief's, for escalation
	reported    time.Time
	status      Status
	due         *time.Time
	overdue     bool
	updated     time.Time
	events      []demoEvent
	dupOf       int // index into the plan, -1 for none
	departments []int64
}

// demoCatalogue loads the national catalogue (NationalCatalogue) and answers its selectable categories,
// the ones the demo's incidents are filed under.
func demoCatalogue(ctx context.Context, pool *pgxpool.Pool) ([]Category, error) {
	rows, err := ParseCatalogue(bytes.NewReader(nationalCatalogue))
	if err != nil {
		return nil, fmt.Errorf("national catalogue: %w", err)
	}
	svc := &Service{db: pool}
	if _, err := svc.ImportCatalogue(ctx, access.System("demo"), rows, false); err != nil {
		return nil, fmt.Errorf("national catalogue: %w", err)
	}
	var out []Category
	for _, row := range rows {
		c, err := svc.Category(ctx, row.Category.Code)
		if err != nil {
			return nil, err
		}
		if c.Selectable {
			out = append(out, c)
		}
	}
	return out, nil
}

// SeedDemoHistory writes half a year of plausible incident history into the demo city: DemoIncidents
// reports over the last 180 days, filed under the national catalogue (loaded first), clustered at farmers' and night markets, each walked through the
// workflow with timestamps that respect (and sometimes miss) the category SLAs, so every status and some
// overdue cases appear. The same seed gives the same history relative to now. It returns the number written.
func SeedDemoHistory(ctx context.Context, pool *pgxpool.Pool, m Matcher, seed int64) (int, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x1e7ca5e))
	var hot, all []demoArea
	rows, err := pool.Query(ctx, `SELECT kind, name, ST_X(p), ST_Y(p) FROM (SELECT kind, name, ST_PointOnSurface(geom) AS p, id FROM area_directory) a ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("demo incidents: %w", err)
	}
	var a demoArea
	if _, err := pgx.ForEachRow(rows, []any{&a.kind, &a.name, &a.pt[0], &a.pt[1]}, func() error {
		all = append(all, a)
		if a.kind == "farmers_market" || a.kind == "night_market" {
			hot = append(hot, a)
		}
		return nil
	}); err != nil {
		return 0, fmt.Errorf("demo incidents: %w", err)
	}
	if len(all) == 0 {
		return 0, fmt.Errorf("demo incidents: no areas; load the demo city first")
	}
	if len(hot) == 0 {
		hot = all
	}
	cats, err := demoCatalogue(ctx, pool)
	if err != nil {
		return 0, err
	}
	byCode := map[string]Category{}
	for _, c := range cats {
		byCode[c.Code] = c
	}
	urban, err := departmentIDs(ctx, pool, []string{"urban_management"})
	if err != nil {
		return 0, err
	}
	liaisons, err := liaisonDepartments(ctx, pool)
	if err != nil {
		return 0, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	plan := make([]demoIncident, 0, DemoIncidents)
	for range DemoIncidents {
		var place demoArea
		var cat string
		if rng.Float64() < 0.55 {
			place = hot[rng.IntN(len(hot))]
			// What markets see: stalls on the road, hawkers, rubbish, piled goods, parking, barbecues.
			cat = pick(rng, []string{"05-02", "05-02", "05-03", "05-01", "01-01", "01-03", "05-07", "05-05", "05-06", "05-08", "06-02"})
		} else {
			place = all[rng.IntN(len(all))]
			cat = cats[rng.IntN(len(cats))].Code
		}
		pt := orb.Point{place.pt[0] + (rng.Float64()-0.5)*0.0006, place.pt[1] + (rng.Float64()-0.5)*0.0006}
		age := int(180 * rng.Float64() * rng.Float64()) // more of the recent past, as a growing system sees
		day := now.AddDate(0, 0, -age).Truncate(24 * time.Hour)
		hour := 7 + rng.IntN(14)
		if place.kind == "night_market" {
			hour = 18 + rng.IntN(5)
		}
		reported := day.Add(time.Duration(hour)*time.Hour + time.Duration(rng.IntN(3600))*time.Second)
		if reported.After(now) {
			reported = now.Add(-time.Duration(1+rng.IntN(600)) * time.Minute)
		}
		ans, err := m.Lookup(ctx, pt, reported)
		if err != nil {
			return 0, err
		}
		d := demoIncident{cat: byCode[cat], description: demoDescription(rng, byCode[cat], place.name, hour), pt: pt, rt: routeAnswer(ans, LevelAreaManager),
			chief: routeAnswer(ans, LevelStreetChief), reported: reported, dupOf: -1}
		walk(rng, &d, now, joint{urban: urban, liaisons: liaisons})
		if d.status == Duplicate {
			for j := len(plan) - 1; j >= 0 && j > len(plan)-200; j-- {
				if plan[j].cat.Code == cat {
					d.dupOf = j
					break
				}
			}
			if d.dupOf < 0 {
				d.status = Rejected
				d.events[len(d.events)-1].to = Rejected
			}
		}
		plan = append(plan, d)
	}
	holdJointOpen(plan, liaisons, now)
	widenLatestJoint(plan, liaisons)
	return len(plan), insertDemo(ctx, pool, plan, seed, now)
}

func pick(rng *rand.Rand, xs []string) string { return xs[rng.IntN(len(xs))] }

// walk takes a demo incident through one of the usual paths until now, each step taking a random share
// of its stage's SLA (now and then more), so recent cases are still open and some are late.
func walk(rng *rand.Rand, d *demoIncident, now time.Time, with joint) {
	status := Reported
	if d.rt.assignee != nil {
		status = Assigned
	}
	reported := routingParams(d.rt)
	reported["actor_role"] = string(access.Public)
	d.events = append(d.events, demoEvent{at: d.reported, kind: "reported", to: status, actor: string(access.Public), params: reported,
		assignee: d.rt.assignee.personID()})
	verifier := "区督查员"
	if d.chief.assignee != nil {
		verifier = d.chief.assignee.Name
	}
	holder := "处置人"
	if d.rt.assignee != nil {
		holder = d.rt.assignee.Name
	}
	var path []Status
	switch p := rng.Float64(); {
	case p < 0.58:
		path = []Status{InProgress, Resolved, Closed}
	case p < 0.76:
		path = []Status{InProgress, Escalated, JointEnforcement, Resolved, Closed}
	case p < 0.84:
		path = []Status{Escalated, InProgress, Resolved, Closed}
	case p < 0.90:
		path = []Status{Rejected}
	case p < 0.95:
		path = []Status{Duplicate}
	default:
		path = []Status{InProgress, Resolved, Reopened, InProgress, Resolved, Closed}
	}
	if status == Reported {
		path = append([]Status{Escalated}, path...)
	}
	stall := -1 // some cases stall: nobody acts, and they turn overdue
	if rng.Float64() < 0.08 {
		stall = rng.IntN(len(path))
	}
	t := d.reported
	due := d.cat.Due(status, t)
	for i, next := range path {
		if i == stall {
			break
		}
		if !Legal(status, next) {
			continue
		}
		hours := float64(d.cat.StartHours)
		if due != nil {
			hours = due.Sub(t).Hours()
		}
		share := 0.05 + 0.9*rng.Float64() // mostly in time,
		if rng.Float64() < 0.08 {
			share = 1 + 1.5*rng.Float64() // sometimes late
		}
		step := time.Duration(share * hours * float64(time.Hour))
		if status == Resolved {
			step = time.Duration(2+rng.IntN(46)) * time.Hour // the street chief checks and closes
		}
		at := t.Add(step)
		if at.After(now) {
			break
		}
		if due != nil && at.After(*due) {
			d.overdue = true
		}
		e := demoEvent{at: at, kind: "transition", from: status, to: next, actor: holder, assignee: d.rt.assignee.personID()}
		if status == Resolved {
			// The check before closing (核查): the street chief's office or an inspector, never the resolver.
			name, role := verifier, access.StreetChief
			if name == holder {
				name, role = "区督查员", access.Inspector
			}
			e.actor = name
			v := demoEvent{at: at, kind: "verification", actor: name, note: pick(rng, demoChecks),
				params: map[string]any{"outcome": Confirmed, "by": string(role), "actor_role": string(role)}}
			if next == Reopened {
				v.note, v.params["outcome"] = pick(rng, demoFailures), Failed
			}
			d.events = append(d.events, v)
		}
		e.note = demoNote(rng, next)
		switch next {
		case Escalated:
			if d.chief.assignee != nil {
				d.rt.assignee, d.rt.level, d.rt.queue = d.chief.assignee, LevelStreetChief, QueueAssignee
				holder = d.chief.assignee.Name
			}
		case JointEnforcement:
			d.departments = with.departments(rng, refID(d.rt.subdistrict))
		}
		d.events = append(d.events, e)
		status, t = next, at
		due = d.cat.Due(status, t)
	}
	d.status, d.updated, d.due = status, t, due
	if due != nil && due.Before(now) {
		d.overdue = true
	}
}

func insertDemo(ctx context.Context, pool *pgxpool.Pool, plan []demoIncident, seed int64, now time.Time) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, d := range plan {
			if d.departments == nil {
				d.departments = []int64{}
			}
			b.Queue(`INSERT INTO incident (category, status, description, location, subdistrict_id, community_id, area_id,
					assignee_person_id, queue, outside_jurisdiction, escalation_level, department_ids, overdue, due_at,
					reported_at, updated_at, source)
				VALUES ($1, $2, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326), NULLIF($6, 0), NULLIF($7, 0), NULLIF($8, 0),
					NULLIF($9, 0), $10, $11, $12, $13, $14, $15, $16, $17, 'demo') RETURNING id`,
				d.cat.Code, d.status, d.description, d.pt[0], d.pt[1], refID(d.rt.subdistrict), refID(d.rt.community),
				refID(d.rt.area), d.rt.assignee.personID(), d.rt.queue, d.rt.outside, d.rt.level, d.departments, d.overdue,
				d.due, d.reported, d.updated)
		}
		ids := make([]int64, len(plan))
		br := tx.SendBatch(ctx, b)
		for i := range plan {
			if err := br.QueryRow().Scan(&ids[i]); err != nil {
				br.Close()
				return fmt.Errorf("demo incident %d: %w", i, err)
			}
		}
		if err := br.Close(); err != nil {
			return err
		}
		var rows [][]any
		for i, d := range plan {
			for _, e := range d.events {
				if e.params == nil {
					e.params = map[string]any{}
				}
				rows = append(rows, []any{ids[i], e.at, e.kind, nullStatus(e.from), nullStatus(e.to), e.actor, e.note, nullID(e.assignee), e.params})
			}
			if d.dupOf >= 0 {
				if _, err := tx.Exec(ctx, `UPDATE incident SET duplicate_of = $2 WHERE id = $1`, ids[i], ids[d.dupOf]); err != nil {
					return err
				}
			}
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"incident_event"},
			[]string{"incident_id", "at", "kind", "from_status", "to_status", "actor", "note", "assignee_person_id", "params"}, pgx.CopyFromRows(rows))
		if err != nil {
			return err
		}
		return seedDemoJoint(ctx, tx, seed, plan, ids, now)
	})
}

func nullStatus(s Status) any {
	if s == "" {
		return nil
	}
	return string(s)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
