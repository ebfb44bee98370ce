package incidents

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/database"
)

// The KPIs are the inputs of the digital urban management assessment. Every figure is counted over
// the cases reported in the period [From, To) (Beijing time), as they stood at To — from each case's
// summary in incident_kpi_case where nothing happened to it since To, else from its incident_event
// rows before To (kpi_query.go) — so a past period's figures do not change when its cases move on:
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

// keySQL is the group key expression and the FROM clause it needs over table (incident or
// incident_kpi_case, which share these columns) as alias; every value comes from this function,
// never from a request.
func (b KPIBy) keySQL(table, alias string) (key, from string) {
	from = table + " " + alias
	switch b {
	case BySubdistrict:
		return "COALESCE(" + alias + ".subdistrict_id, 0)", from
	case ByCommunity:
		return "COALESCE(" + alias + ".community_id, 0)", from
	case ByArea:
		return "COALESCE(" + alias + ".area_id, 0)", from
	case ByPerson:
		return "COALESCE(" + alias + ".assignee_person_id, 0)", from
	case ByDepartment:
		return "d.k", from + " CROSS JOIN LATERAL unnest(" + alias + ".department_ids) AS d(k)"
	}
	return "0::bigint", from
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

// kpiScope: the league tables follow the caller's territory (a lane chief their communities, a
// street chief their subdistricts, leaders and assessors the district) — not the cases that happen
// to be assigned to them elsewhere, which would skew their unit's figures.
func kpiScope(who access.Principal, alias string, args []any) (string, []any, error) {
	switch who.Role {
	case access.Admin, access.DistrictLeader, access.Assessor, access.StreetChief, access.LaneChief:
		pred, args := who.Scope.Predicate(alias+".subdistrict_id", alias+".community_id", args)
		return pred, args, nil
	}
	return "", nil, apperr.New(apperr.Forbidden, "your role (%s) has no KPI league tables", who.Role)
}

// KPIs counts the league table of by for period p and the period before, within the caller's scope
// narrowed by f.
func (s *Service) KPIs(ctx context.Context, who access.Principal, by KPIBy, p Period, f KPIFilter) (KPIReport, error) {
	if _, err := ParseKPIBy(string(by)); err != nil {
		return KPIReport{}, err
	}
	rep := KPIReport{By: by, Period: p, Previous: p.Previous(), AsOf: s.now().In(Beijing), Definitions: KPIDefinitions}
	if _, _, err := kpiScope(who, "i", nil); err != nil {
		return rep, err
	}
	err := s.kpiTx(ctx, func(db database.Querier) error {
		if err := f.check(ctx, db, who); err != nil {
			return err
		}
		if err := s.kpiCounts(ctx, db, who, f, &rep); err != nil {
			return err
		}
		return nameRows(ctx, db, by, rep.Rows)
	})
	return rep, err
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

func (s *Service) kpiCounts(ctx context.Context, db database.Querier, who access.Principal, f KPIFilter, rep *KPIReport) error {
	by, p := rep.By, rep.Period
	cur, err := s.kpiFigures(ctx, db, who, f, by, p)
	if err != nil {
		return err
	}
	prev, err := s.kpiFigures(ctx, db, who, f, by, rep.Previous)
	if err != nil {
		return err
	}
	over, err := s.overdueNow(ctx, db, who, f, by)
	if err != nil {
		return err
	}
	if by == ByDepartment {
		// A case joined by two departments is in both rows; the totals count it once.
		if err := s.departmentTotals(ctx, db, who, f, *rep, cur, prev, over); err != nil {
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
func (s *Service) departmentTotals(ctx context.Context, db database.Querier, who access.Principal, f KPIFilter, rep KPIReport, cur, prev map[int64]KPIFigures, over map[int64]int64) error {
	tc, err := s.kpiFigures(ctx, db, who, f, byDistrict, rep.Period)
	if err != nil {
		return err
	}
	tp, err := s.kpiFigures(ctx, db, who, f, byDistrict, rep.Previous)
	if err != nil {
		return err
	}
	to, err := s.overdueNow(ctx, db, who, f, byDistrict)
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
