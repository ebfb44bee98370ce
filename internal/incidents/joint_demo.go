package incidents

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
)

// The demo's joint cases get their departments' part: each department asked when the case went to
// joint enforcement, of the holder of its post then; acknowledgements mostly within hours, some a day
// or more late, and in the latest case of each subdistrict still in joint enforcement not yet; and the
// actions of a case that was resolved — the lead's always — so that the rule of resolution held.

// demoBases are legal bases the demo's fines cite.
var demoBases = []string{
	"《城市市容和环境卫生管理条例》第三十六条",
	"《城市市容和环境卫生管理条例》第三十四条",
	"《无证无照经营查处办法》第十三条",
	"《食品安全法》第一百二十二条",
	"《大气污染防治法》第一百一十八条",
	"《道路交通安全法》第九十三条",
}

var demoActionNotes = map[ActionKind][]string{
	Inspection:     {"现场检查，拍照取证", "会同街道现场核查", "现场检查经营资质", "检查现场并制作笔录"},
	OrderToCorrect: {"下达责令整改通知书，限期三日", "责令当场整改，清理占道物品", "责令限期拆除", "责令停止违法行为"},
	Fine:           {"当场处罚并开具罚单", "依法作出罚款决定", "经营者拒不整改，依法罚款"},
	Seizure:        {"暂扣占道经营物品", "暂扣经营工具，开具暂扣清单", "依法暂扣违规设备"},
	Referral:       {"涉及无照经营，移送市场监管部门", "情节严重，移送公安机关处理"},
}

var demoReferrals = []string{"区市场监督管理局", "区公安分局", "区生态环境局"}

// demoDeskActor acknowledges for a department whose post is vacant: the district's joint
// enforcement office, an administrator's account.
const demoDeskActor = "区联合执法办"

type demoPart struct {
	incident, dept, holder int64
	lead                   bool
	asked, ack             time.Time // ack zero: pending
	holderName             string
	acts                   []demoAct
}

type demoAct struct {
	kind  ActionKind
	at    time.Time
	fen   int64
	basis string
	to    string
	note  string
}

// seedDemoJoint writes the participations, acknowledgements and actions of the plan's joint cases.
func seedDemoJoint(ctx context.Context, tx pgx.Tx, seed int64, plan []demoIncident, ids []int64, now time.Time) error {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x101e7ca5e))
	type dept struct{ code, name string }
	depts := map[int64]dept{}
	rows, err := tx.Query(ctx, `SELECT id, code, name FROM department_directory`)
	if err != nil {
		return err
	}
	var id int64
	var d dept
	if _, err := pgx.ForEachRow(rows, []any{&id, &d.code, &d.name}, func() error { depts[id] = d; return nil }); err != nil {
		return fmt.Errorf("demo departments: %w", err)
	}
	latest := latestJoint(plan)
	var parts []demoPart
	lateShown := false
	for i, c := range plan {
		asked, left := jointSpan(c)
		if asked.IsZero() || len(c.departments) == 0 {
			continue
		}
		sub := refID(c.rt.subdistrict)
		for n, dep := range c.departments {
			holder, err := holderOf(ctx, tx, sub, dep, asked)
			if err != nil {
				return fmt.Errorf("demo holder: %w", err)
			}
			p := demoPart{incident: ids[i], dept: dep, holder: holder, lead: n == 0, asked: asked}
			end := now
			if !left.IsZero() {
				end = left
			}
			delay := demoAckDelay(rng)
			pending := left.IsZero() && (latest[sub] == i || rng.IntN(10) < 3 || (holder == 0 && rng.IntN(2) == 0))
			// The joint KPIs' late column must have a figure in every demo, whatever today's date
			// does to the cases' spans: the first case with room for it is answered a day late.
			if !lateShown && !pending && end.Sub(asked)*6/10 > 26*time.Hour {
				delay = 25 * time.Hour
			}
			if !left.IsZero() && delay > end.Sub(asked)*6/10 {
				delay = end.Sub(asked) * 6 / 10
			}
			if !pending && asked.Add(delay).Before(end) {
				p.ack = asked.Add(delay)
				lateShown = lateShown || delay > 24*time.Hour
			}
			if !p.ack.IsZero() && (p.lead && !left.IsZero() || rng.IntN(10) < 5) {
				for k := range 1 + rng.IntN(2) {
					p.acts = append(p.acts, demoAction(rng, p.ack, end, k == 0))
				}
			}
			parts = append(parts, p)
		}
	}
	return writeDemoJoint(ctx, tx, parts, func(dep int64) (string, string) { return depts[dep].code, depts[dep].name })
}

// latestJoint is, per subdistrict, the plan index of its latest case still in joint enforcement.
func latestJoint(plan []demoIncident) map[int64]int {
	latest := map[int64]int{}
	for i, c := range plan {
		if c.status == JointEnforcement {
			if j, ok := latest[refID(c.rt.subdistrict)]; !ok || plan[j].reported.Before(c.reported) {
				latest[refID(c.rt.subdistrict)] = i
			}
		}
	}
	return latest
}

// holdJointOpen keeps, in each subdistrict with a liaison and no case still in joint enforcement,
// its latest case that went there in that state: a case's steps are drawn against the clock, so at
// some hours of loading none would be left open, and the demo's liaisons must have one to
// acknowledge. The case's later steps are dropped; an earlier late step keeps it overdue.
func holdJointOpen(plan []demoIncident, liaisons map[int64][]int64, now time.Time) {
	open := latestJoint(plan)
	for sub := range liaisons {
		if _, ok := open[sub]; ok {
			continue
		}
		best, cut := -1, 0
		for i, c := range plan {
			if refID(c.rt.subdistrict) != sub {
				continue
			}
			for k, e := range c.events {
				if e.kind == "transition" && e.to == JointEnforcement && (best < 0 || e.at.After(plan[best].events[cut].at)) {
					best, cut = i, k
				}
			}
		}
		if best < 0 {
			continue
		}
		c := &plan[best]
		c.events = c.events[:cut+1]
		c.status, c.updated = JointEnforcement, c.events[cut].at
		c.due = c.cat.Due(JointEnforcement, c.updated)
		c.overdue = c.overdue || c.due != nil && c.due.Before(now)
	}
}

// widenLatestJoint brings every department with a liaison in the subdistrict into its latest case
// still in joint enforcement, so each of the demo's liaisons has a case awaiting them.
func widenLatestJoint(plan []demoIncident, liaisons map[int64][]int64) {
	for sub, i := range latestJoint(plan) {
		for _, d := range liaisons[sub] {
			if !slices.Contains(plan[i].departments, d) {
				plan[i].departments = append(plan[i].departments, d)
			}
		}
	}
}

// jointSpan is when a planned case went to joint enforcement and when it left (zero: it has not).
func jointSpan(c demoIncident) (asked, left time.Time) {
	for _, e := range c.events {
		if e.kind == "transition" && e.to == JointEnforcement {
			asked = e.at
		}
		if e.kind == "transition" && e.from == JointEnforcement {
			left = e.at
		}
	}
	return asked, left
}

// demoAckDelay: most departments answer within hours, some within the day, a few days late.
func demoAckDelay(rng *rand.Rand) time.Duration {
	switch p := rng.Float64(); {
	case p < 0.65:
		return time.Duration(20+rng.IntN(220)) * time.Minute
	case p < 0.9:
		return time.Duration(4+rng.IntN(20)) * time.Hour
	default:
		return time.Duration(24+rng.IntN(60)) * time.Hour
	}
}

func demoAction(rng *rand.Rand, from, to time.Time, first bool) demoAct {
	at := from.Add(time.Duration(float64(to.Sub(from)) * (0.1 + 0.8*rng.Float64()))).Truncate(time.Second)
	kind := Inspection
	if !first {
		switch p := rng.Float64(); {
		case p < 0.45:
			kind = OrderToCorrect
		case p < 0.7:
			kind = Fine
		case p < 0.9:
			kind = Seizure
		default:
			kind = Referral
		}
	}
	a := demoAct{kind: kind, at: at, note: pick(rng, demoActionNotes[kind])}
	switch kind {
	case Fine:
		a.fen = []int64{200, 500, 1000, 2000, 5000}[rng.IntN(5)] * 100
		a.basis = pick(rng, demoBases)
	case Referral:
		a.to = pick(rng, demoReferrals)
	}
	return a
}

func writeDemoJoint(ctx context.Context, tx pgx.Tx, parts []demoPart, names func(int64) (string, string)) error {
	b := &pgx.Batch{}
	for _, p := range parts {
		var ack any
		actor := any(nil)
		if !p.ack.IsZero() {
			ack, actor = p.ack, demoDeskActor
		}
		b.Queue(`INSERT INTO incident_department (incident_id, department_id, lead, requested_at, holder_person_id,
				acknowledged_at, acknowledged_by_person_id, acknowledged_actor)
			VALUES ($1, $2, $3, $4, NULLIF($5, 0), $6, CASE WHEN $6::timestamptz IS NOT NULL THEN NULLIF($5, 0) END,
				CASE WHEN $6::timestamptz IS NOT NULL THEN COALESCE((SELECT name FROM person_directory WHERE id = $5), $7) END)
			RETURNING id, COALESCE((SELECT name FROM person_directory WHERE id = $5), '')`,
			p.incident, p.dept, p.lead, p.asked, p.holder, ack, actor)
	}
	br := tx.SendBatch(ctx, b)
	pids := make([]int64, len(parts))
	for i := range parts {
		if err := br.QueryRow().Scan(&pids[i], &parts[i].holderName); err != nil {
			br.Close()
			return fmt.Errorf("demo participation: %w", err)
		}
	}
	if err := br.Close(); err != nil {
		return err
	}
	b = &pgx.Batch{}
	for i, p := range parts {
		if p.ack.IsZero() {
			continue
		}
		code, name := names(p.dept)
		params := map[string]any{"department_id": p.dept, "department": code, "department_name": name}
		actor, role := p.holderName, access.DepartmentLiaison
		if p.holder == 0 {
			params["vacant"], actor, role = true, demoDeskActor, access.Admin
		} else {
			params["person_id"], params["person_name"] = p.holder, p.holderName
		}
		ackParams := map[string]any{"seconds": int64(p.ack.Sub(p.asked).Seconds()), "actor_role": string(role)}
		for k, v := range params {
			ackParams[k] = v
		}
		b.Queue(`INSERT INTO incident_event (incident_id, at, kind, actor, department_ids, params)
			VALUES ($1, $2, 'department_acknowledged', $3, ARRAY[$4::bigint], $5)`, p.incident, p.ack, actor, p.dept, ackParams)
		for _, a := range p.acts {
			ap := map[string]any{"department_id": p.dept, "department": code, "department_name": name, "action": string(a.kind),
				"actor_role": string(role)}
			if a.fen != 0 {
				ap["amount_yuan"], ap["legal_basis"] = formatFen(a.fen), a.basis
			}
			if a.to != "" {
				ap["referred_to"] = a.to
			}
			// The event names the action's id, which the identity hands out before either row exists.
			b.Queue(`WITH n AS (SELECT nextval(pg_get_serial_sequence('incident_joint_action', 'id')) AS aid),
				e AS (INSERT INTO incident_event (incident_id, at, kind, actor, note, department_ids, params)
					SELECT $1, $2, 'joint_action', $3, $4, ARRAY[$5::bigint], $6::jsonb || jsonb_build_object('action_id', n.aid) FROM n
					RETURNING id)
				INSERT INTO incident_joint_action (id, incident_id, participation_id, department_id, kind, at, note, fine_fen,
					legal_basis, referred_to, event_id, recorded_at, recorded_by_person_id, actor) OVERRIDING SYSTEM VALUE
				SELECT n.aid, $1, $7, $5, $8, $2, $4, NULLIF($9, 0), NULLIF($10, ''), NULLIF($11, ''), e.id, $2, NULLIF($12, 0), $3 FROM n, e`,
				p.incident, a.at, actor, a.note, p.dept, ap, pids[i], string(a.kind), a.fen, a.basis, a.to, p.holder)
		}
	}
	return tx.SendBatch(ctx, b).Close()
}
