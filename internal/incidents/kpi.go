package incidents

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/database"
	"streetchief/internal/registry"
)

// The KPIs are the inputs of the digital urban management assessment. Every figure is counted over
// the cases reported in the period [From, To) (Beijing time), as they stood at To, read from
// incident_event, so a past period's figures do not change when its cases move on later:
//
//	cases        reported in the period
//	excluded     of those, rejected or duplicate at the period's end (not real cases to close)
//	due          应结案数 = cases − excluded
//	closed       结案数: of due, closed at the period's end (resolved but not yet verified is not closed;
//	             closed and then reopened before the end is not closed)
//	on_time      按期结案数: of closed, no due time passed before the (last) closure — no 'overdue' or
//	             'escalated' event, which the escalation job writes only when a stage's due time passed
//	handled      处置数: of due, resolved or closed at least once before the period's end
//	reworked     返工数: of due, reopened after being resolved or closed (a transition to reopened from
//	             resolved or closed) before the period's end; rework_transitions counts those transitions
//	结案率 = closed ÷ due; 按期结案率 = on_time ÷ due; 返工率 = reworked ÷ handled
//	median/p90   of closed: closure time − report time, seconds, interpolated (percentile_cont)
//	overdue_now  cases of any period open now whose due time has passed (or that went overdue)
const KPIDefinitions = "cases: reported in [from, to) Beijing time; excluded: of those, rejected or duplicate at to; " +
	"due (应结案数) = cases - excluded; closed (结案数): of due, status closed at to; " +
	"on_time (按期结案数): of closed, no overdue/escalated event before the last closure; " +
	"handled (处置数): of due, resolved or closed before to; reworked (返工数): of due, moved to reopened from resolved or closed before to; " +
	"closure_rate (结案率) = closed/due; on_time_rate (按期结案率) = on_time/due; rework_rate (返工率) = reworked/handled; " +
	"median/p90 seconds from report to closure over closed (interpolated); overdue_now: open now and past due, any report date"

// KPIBy is what the league table groups by.
type KPIBy string

const (
	BySubdistrict KPIBy = "subdistrict"
	ByCommunity   KPIBy = "community"
	ByArea        KPIBy = "area"
	ByDepartment  KPIBy = "department" // a case joined by two departments counts for each
	ByPerson      KPIBy = "person"     // the case's current assignee
	byDistrict    KPIBy = "district"   // the one row of totals
)

// KPIBys lists what a request may group by.
var KPIBys = []KPIBy{BySubdistrict, ByCommunity, ByArea, ByDepartment, ByPerson}

// ParseKPIBy checks by= from outside.
func ParseKPIBy(s string) (KPIBy, error) {
	if b := KPIBy(s); slices.Contains(KPIBys, b) {
		return b, nil
	}
	return "", apperr.New(apperr.Invalid, "by %q is not one of subdistrict, community, area, department, person", s).With("field", "by")
}

// keySQL is the group key expression and the FROM clause it needs; every value comes from this
// table, never from a request.
func (b KPIBy) keySQL() (key, from string) {
	switch b {
	case BySubdistrict:
		return "COALESCE(i.subdistrict_id, 0)", "incident i"
	case ByCommunity:
		return "COALESCE(i.community_id, 0)", "incident i"
	case ByArea:
		return "COALESCE(i.area_id, 0)", "incident i"
	case ByPerson:
		return "COALESCE(i.assignee_person_id, 0)", "incident i"
	case ByDepartment:
		return "d.k", "incident i CROSS JOIN LATERAL unnest(i.department_ids) AS d(k)"
	}
	return "0::bigint", "incident i"
}

// KPIFigures are the counts of one group in one period.
type KPIFigures struct {
	Cases             int64    `json:"cases"`
	Excluded          int64    `json:"excluded"`
	Due               int64    `json:"due"`
	Closed            int64    `json:"closed"`
	OnTime            int64    `json:"on_time"`
	Handled           int64    `json:"handled"`
	Reworked          int64    `json:"reworked"`
	ReworkTransitions int64    `json:"rework_transitions"`
	ClosureRate       Ratio    `json:"closure_rate"`
	OnTimeRate        Ratio    `json:"on_time_rate"`
	ReworkRate        Ratio    `json:"rework_rate"`
	MedianCloseSec    *float64 `json:"median_close_seconds"`
	P90CloseSec       *float64 `json:"p90_close_seconds"`
}

func (f *KPIFigures) rates() {
	f.Due = f.Cases - f.Excluded
	f.ClosureRate = ratio(f.Closed, f.Due)
	f.OnTimeRate = ratio(f.OnTime, f.Due)
	f.ReworkRate = ratio(f.Reworked, f.Handled)
}

// KPIRow is one line of the league table.
type KPIRow struct {
	Rank int    `json:"rank"`
	ID   int64  `json:"id"` // 0: cases in no such unit (or with no assignee)
	Name string `json:"name"`
	KPIFigures
	OverdueNow  int64      `json:"overdue_now"`
	Previous    KPIFigures `json:"previous"`
	ClosureMove Trend      `json:"closure_trend"`
	OnTimeMove  Trend      `json:"on_time_trend"`
}

// KPIReport is a league table for one period with its totals and the period it is compared with.
type KPIReport struct {
	By          KPIBy     `json:"by"`
	Period      Period    `json:"period"`
	Previous    Period    `json:"previous_period"`
	AsOf        time.Time `json:"as_of"`
	Definitions string    `json:"definitions"`
	Total       KPIRow    `json:"total"`
	Rows        []KPIRow  `json:"rows"`
}

// Namer names the units, areas, people and departments a league table lists; registry.Store is one.
type Namer interface {
	AdminUnit(ctx context.Context, who access.Principal, id int64) (registry.AdminUnit, error)
	Area(ctx context.Context, who access.Principal, id int64) (registry.Area, error)
	Person(ctx context.Context, who access.Principal, id int64) (registry.Person, error)
	Department(ctx context.Context, id int64) (registry.Department, error)
}

var _ Namer = (*registry.Store)(nil)

// kpiScope: the league tables follow the caller's territory (a lane chief their communities, a
// street chief their subdistricts, leaders and assessors the district) — not the cases that happen
// to be assigned to them elsewhere, which would skew their unit's figures.
func kpiScope(who access.Principal, args []any) (string, []any, error) {
	switch who.Role {
	case access.Admin, access.DistrictLeader, access.Assessor, access.StreetChief, access.LaneChief:
		pred, args := who.Scope.Predicate("i.subdistrict_id", "i.community_id", args)
		return pred, args, nil
	}
	return "", nil, apperr.New(apperr.Forbidden, "your role (%s) has no KPI league tables", who.Role)
}

// KPIs counts the league table of by for period p and the period before, within the caller's scope.
func (s *Service) KPIs(ctx context.Context, who access.Principal, by KPIBy, p Period, names Namer) (KPIReport, error) {
	if _, err := ParseKPIBy(string(by)); err != nil {
		return KPIReport{}, err
	}
	rep := KPIReport{By: by, Period: p, Previous: p.Previous(), AsOf: s.now().In(Beijing), Definitions: KPIDefinitions}
	if _, _, err := kpiScope(who, nil); err != nil {
		return rep, err
	}
	err := s.kpiTx(ctx, func(db database.Querier) error { return s.kpiCounts(ctx, db, who, &rep) })
	if err != nil {
		return rep, err
	}
	for i := range rep.Rows {
		rep.Rows[i].Name = kpiName(ctx, who, names, by, rep.Rows[i].ID)
	}
	return rep, nil
}

// kpiTx runs the KPI queries in one read-only snapshot, so that the period, the previous one and the
// overdue count agree with each other, with room to hash and sort a year of cases in memory and
// without JIT, whose compile time is most of a short query's.
func (s *Service) kpiTx(ctx context.Context, fn func(database.Querier) error) error {
	tx, err := s.db.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return translate(err, "count KPIs")
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '64MB'; SET LOCAL jit = off`); err != nil {
		return translate(err, "count KPIs")
	}
	return fn(tx)
}

func (s *Service) kpiCounts(ctx context.Context, db database.Querier, who access.Principal, rep *KPIReport) error {
	by, p := rep.By, rep.Period
	cur, err := s.kpiFigures(ctx, db, who, by, p)
	if err != nil {
		return err
	}
	prev, err := s.kpiFigures(ctx, db, who, by, rep.Previous)
	if err != nil {
		return err
	}
	over, err := s.overdueNow(ctx, db, who, by)
	if err != nil {
		return err
	}
	if by == ByDepartment {
		// A case joined by two departments is in both rows; the totals count it once.
		if err := s.departmentTotals(ctx, db, who, *rep, cur, prev, over); err != nil {
			return err
		}
	}
	rep.Total = kpiRow(0, cur[totalKey], prev[totalKey], over[totalKey])
	rep.Total.Name = "合计"
	delete(cur, totalKey)
	delete(prev, totalKey)
	delete(over, totalKey)
	keys := map[int64]bool{}
	for _, m := range []map[int64]KPIFigures{cur, prev} {
		for k := range m {
			keys[k] = true
		}
	}
	for k := range over {
		keys[k] = true
	}
	for k := range keys {
		rep.Rows = append(rep.Rows, kpiRow(k, cur[k], prev[k], over[k]))
	}
	slices.SortFunc(rep.Rows, leagueOrder)
	for i := range rep.Rows {
		rep.Rows[i].Rank = i + 1
	}
	return nil
}

// departmentTotals replaces the department table's totals with those of the district's cases.
func (s *Service) departmentTotals(ctx context.Context, db database.Querier, who access.Principal, rep KPIReport, cur, prev map[int64]KPIFigures, over map[int64]int64) error {
	tc, err := s.kpiFigures(ctx, db, who, byDistrict, rep.Period)
	if err != nil {
		return err
	}
	tp, err := s.kpiFigures(ctx, db, who, byDistrict, rep.Previous)
	if err != nil {
		return err
	}
	to, err := s.overdueNow(ctx, db, who, byDistrict)
	if err != nil {
		return err
	}
	cur[totalKey], prev[totalKey], over[totalKey] = tc[totalKey], tp[totalKey], to[totalKey]
	return nil
}

func kpiRow(id int64, cur, prev KPIFigures, over int64) KPIRow {
	cur.rates()
	prev.rates()
	return KPIRow{ID: id, KPIFigures: cur, OverdueNow: over, Previous: prev,
		ClosureMove: trend(cur.ClosureRate, prev.ClosureRate), OnTimeMove: trend(cur.OnTimeRate, prev.OnTimeRate)}
}

// kpiName is the registry's name of a row's unit, area, person or department; one the caller may not
// read, or that is gone, stays unnamed rather than failing the table.
func kpiName(ctx context.Context, who access.Principal, n Namer, by KPIBy, id int64) string {
	if id == 0 || n == nil {
		return ""
	}
	switch by {
	case BySubdistrict, ByCommunity:
		if u, err := n.AdminUnit(ctx, who, id); err == nil {
			return u.Name
		}
	case ByArea:
		if a, err := n.Area(ctx, who, id); err == nil {
			return a.Name
		}
	case ByPerson:
		if p, err := n.Person(ctx, who, id); err == nil {
			return p.Name
		}
	case ByDepartment:
		if d, err := n.Department(ctx, id); err == nil {
			return d.Name
		}
	}
	return ""
}

// kpiEventsSQL picks the events the KPIs read: the changes into and out of the end states, and the
// markers of a passed due time. Migration 0017's partial index incident_event_kpi holds exactly these,
// so the other steps of a case (assigned, started, notes …) are never read.
const kpiEventsSQL = `(e.to_status IN ('resolved', 'closed', 'reopened', 'rejected', 'duplicate') OR e.kind IN ('overdue', 'escalated'))`

// kpiCasesSQL is, per case reported in [$1, $2) and in scope, how it stood at $2 — from its events.
// Closed, rejected and duplicate are left only by reopening (Next; TestKPIEndStatesLeftOnlyByReopening
// holds the workflow to it), so a case is closed at $2 when its last closure before $2 came after its
// last reopening, and excluded likewise: a hash aggregate finds that in one pass over a case's few
// such events instead of sorting all of them. Events never precede their case's report, so only
// [$1, $2) is read.
const kpiCasesSQL = `SELECT %[1]s AS k, i.reported_at, ev.closed_last AS closed_at, ev.first_late,
		COALESCE(ev.reworks, 0) AS reworks, COALESCE(ev.handled, false) AS handled,
		COALESCE(ev.closed_last > ev.reopened_last OR (ev.closed_last IS NOT NULL AND ev.reopened_last IS NULL), false) AS closed,
		COALESCE(ev.out_last > ev.reopened_last OR (ev.out_last IS NOT NULL AND ev.reopened_last IS NULL), false) AS excluded
	FROM %[2]s LEFT JOIN (
		SELECT e.incident_id,
			max(e.at) FILTER (WHERE e.to_status = 'closed') AS closed_last,
			max(e.at) FILTER (WHERE e.to_status IN ('rejected', 'duplicate')) AS out_last,
			max(e.at) FILTER (WHERE e.to_status = 'reopened') AS reopened_last,
			min(e.at) FILTER (WHERE e.kind IN ('overdue', 'escalated')) AS first_late,
			count(*) FILTER (WHERE e.to_status = 'reopened' AND e.from_status IN ('resolved', 'closed')) AS reworks,
			bool_or(e.to_status IN ('resolved', 'closed')) AS handled
		FROM incident_event e
		WHERE ` + kpiEventsSQL + ` AND e.at >= $1 AND e.at < $2
			AND e.incident_id IN (SELECT i.id FROM incident i WHERE i.reported_at >= $1 AND i.reported_at < $2 AND %[3]s)
		GROUP BY e.incident_id) ev ON ev.incident_id = i.id
	WHERE i.reported_at >= $1 AND i.reported_at < $2 AND %[3]s`

// kpiAggregateSQL counts per group and, in the same pass, the totals (GROUPING(k) = 1).
const kpiAggregateSQL = `SELECT GROUPING(k), COALESCE(k, 0), count(*),
	count(*) FILTER (WHERE excluded),
	count(*) FILTER (WHERE closed),
	count(*) FILTER (WHERE closed AND (first_late IS NULL OR first_late > closed_at)),
	count(*) FILTER (WHERE handled AND NOT excluded),
	count(*) FILTER (WHERE reworks > 0 AND NOT excluded),
	COALESCE(sum(reworks) FILTER (WHERE NOT excluded), 0),
	percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - reported_at)) FILTER (WHERE closed),
	percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - reported_at)) FILTER (WHERE closed)
	FROM (%s) c GROUP BY GROUPING SETS ((k), ())`

// totalKey holds the totals row in kpiFigures' answer; no unit, area, person or department has it.
const totalKey = -1

func (s *Service) kpiFigures(ctx context.Context, db database.Querier, who access.Principal, by KPIBy, p Period) (map[int64]KPIFigures, error) {
	scope, args, err := kpiScope(who, []any{p.From, p.To})
	if err != nil {
		return nil, err
	}
	key, from := by.keySQL()
	rows, err := db.Query(ctx, fmt.Sprintf(kpiAggregateSQL, fmt.Sprintf(kpiCasesSQL, key, from, scope)), args...)
	if err != nil {
		return nil, translate(err, "count KPIs")
	}
	out := map[int64]KPIFigures{}
	var k int64
	var total int
	var f KPIFigures
	_, err = pgx.ForEachRow(rows, []any{&total, &k, &f.Cases, &f.Excluded, &f.Closed, &f.OnTime, &f.Handled, &f.Reworked,
		&f.ReworkTransitions, &f.MedianCloseSec, &f.P90CloseSec}, func() error {
		if total == 1 {
			k = totalKey
		}
		out[k] = f
		f = KPIFigures{}
		return nil
	})
	return out, translate(err, "count KPIs")
}

// overdueNow counts, per group, the open cases whose due time has passed or that went overdue.
func (s *Service) overdueNow(ctx context.Context, db database.Querier, who access.Principal, by KPIBy) (map[int64]int64, error) {
	scope, args, err := kpiScope(who, []any{s.now()})
	if err != nil {
		return nil, err
	}
	key, from := by.keySQL()
	rows, err := db.Query(ctx, fmt.Sprintf(`SELECT GROUPING(k), COALESCE(k, 0), count(*) FROM (SELECT %s AS k FROM %s
		WHERE i.status IN `+openStatusesSQL+` AND (i.due_at <= $1 OR i.overdue) AND %s) o GROUP BY GROUPING SETS ((k), ())`, key, from, scope), args...)
	if err != nil {
		return nil, translate(err, "count overdue")
	}
	out := map[int64]int64{}
	var k, n int64
	var total int
	_, err = pgx.ForEachRow(rows, []any{&total, &k, &n}, func() error {
		if total == 1 {
			k = totalKey
		}
		out[k] = n
		return nil
	})
	return out, translate(err, "count overdue")
}
