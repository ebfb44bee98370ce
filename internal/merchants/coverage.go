package merchants

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
)

// CoverageBy is what a coverage row is of.
type CoverageBy string

const (
	ByCommunity   CoverageBy = "community"
	BySubdistrict CoverageBy = "subdistrict"
	ByInspector   CoverageBy = "inspector"
)

// CoveragePeriod is the Beijing calendar span a coverage is counted over, named by its kind and one
// day in it (Day): the day itself, its ISO week (Monday to Sunday) or its month.
type CoveragePeriod struct {
	Kind  string `json:"kind"` // day, week, month
	Label string `json:"label"`
	Day   string `json:"day"`  // the day "inspected on the day" is of
	From  string `json:"from"` // first day
	To    string `json:"to"`   // last day (inclusive)
	Week  string `json:"week"` // first day of Day's week: "this week" runs from it to Day
	day   time.Time
}

// ParseCoveragePeriod reads period (day|week|month, default day) and at (YYYY-MM-DD, default today
// in Beijing).
func ParseCoveragePeriod(kind, at string, now time.Time) (CoveragePeriod, error) {
	if kind == "" {
		kind = "day"
	}
	today := now.In(incidents.Beijing)
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, incidents.Beijing)
	if at != "" {
		t, err := time.ParseInLocation(time.DateOnly, at, incidents.Beijing)
		if err != nil || t.Year() < 2000 || t.Year() > 2100 {
			return CoveragePeriod{}, apperr.New(apperr.Malformed, "at %q is not a date YYYY-MM-DD", at).With("field", "at")
		}
		day = t
	}
	week := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	p := CoveragePeriod{Kind: kind, Day: day.Format(time.DateOnly), Week: week.Format(time.DateOnly), day: day}
	var from, to time.Time
	switch kind {
	case "day":
		from, to, p.Label = day, day, day.Format(time.DateOnly)
	case "week":
		y, w := day.ISOWeek()
		from, to, p.Label = week, week.AddDate(0, 0, 6), fmt.Sprintf("%04d-W%02d", y, w)
	case "month":
		from = time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, incidents.Beijing)
		to, p.Label = from.AddDate(0, 1, -1), from.Format("2006-01")
	default:
		return p, apperr.New(apperr.Invalid, "period %q is not one of day, week, month", kind).With("field", "period")
	}
	p.From, p.To = from.Format(time.DateOnly), to.Format(time.DateOnly)
	return p, nil
}

// ParseCoverageBy checks by from outside (default community).
func ParseCoverageBy(s string) (CoverageBy, error) {
	switch b := CoverageBy(s); b {
	case "":
		return ByCommunity, nil
	case ByCommunity, BySubdistrict, ByInspector:
		return b, nil
	}
	return "", apperr.New(apperr.Invalid, "by %q is not one of community, subdistrict, inspector", s).With("field", "by")
}

// CoverageRow is the 门前三包 coverage of one community, subdistrict or inspector's shops.
type CoverageRow struct {
	ID                 int64   `json:"id"` // 0: the shops in no unit, or with nobody
	Name               string  `json:"name"`
	Shops              int     `json:"shops"` // open on the day
	Pledged            int     `json:"pledged"`
	PledgedPct         float64 `json:"pledged_pct"`
	WithInspector      int     `json:"with_inspector"`
	WithInspectorPct   float64 `json:"with_inspector_pct"`
	InspectedDay       int     `json:"inspected_day"`
	InspectedDayPct    float64 `json:"inspected_day_pct"`
	InspectedWeek      int     `json:"inspected_week"`
	InspectedWeekPct   float64 `json:"inspected_week_pct"`
	InspectedPeriod    int     `json:"inspected_period"`
	InspectedPeriodPct float64 `json:"inspected_period_pct"`
	Inspections        int     `json:"inspections"` // in the period
	Violations         int     `json:"violations"`
	OffSite            int     `json:"off_site"`
	OffSiteShare       float64 `json:"off_site_share"` // of the period's inspections, in %
	// Credible*: shops inspected with at least one check-in no proof rule flagged — on the day, in
	// the week to it, in the period. Suspect: the period's inspections flagged by any rule.
	CredibleDay       int     `json:"credible_day"`
	CredibleDayPct    float64 `json:"credible_day_pct"`
	CredibleWeek      int     `json:"credible_week"`
	CredibleWeekPct   float64 `json:"credible_week_pct"`
	CrediblePeriod    int     `json:"credible_period"`
	CrediblePeriodPct float64 `json:"credible_period_pct"`
	Suspect           int     `json:"suspect"`
	SuspectShare      float64 `json:"suspect_share"` // of the period's inspections, in %
}

// Coverage is the table: a row per community, subdistrict or inspector and the total.
type Coverage struct {
	By          CoverageBy     `json:"by"`
	Period      CoveragePeriod `json:"period"`
	Rows        []CoverageRow  `json:"rows"`
	Total       CoverageRow    `json:"total"`
	Definitions string         `json:"definitions"`
}

const coverageDefinitions = "shops: open on the day; pledged: a standing pledge valid on the day; with_inspector: a (primary) inspector " +
	"(包户到人) on the day; inspected_day / _week / _period: shops with a standing inspection on the day / from the week's " +
	"Monday to the day / in the period; inspections, violations, off_site: standing inspections of the shops in the period; " +
	"by=inspector groups the shops by their inspector on the day; credible_day / _week / _period: shops inspected so with at least one " +
	"inspection no proof rule flagged (off site, a vague fix, a teleport, a repeated position); suspect: the period's inspections " +
	"flagged by any of them. Voided inspections count for nothing. Days are Beijing's."

// Coverage counts the shops in the caller's scope by community, subdistrict or inspector.
func (s *Store) Coverage(ctx context.Context, who access.Principal, by CoverageBy, p CoveragePeriod) (Coverage, error) {
	if !who.SignedIn() {
		return Coverage{}, apperr.New(apperr.Unauthorized, "sign in first")
	}
	key := map[CoverageBy]string{ByCommunity: "s.com", BySubdistrict: "s.sub", ByInspector: "s.inspector"}[by]
	names := map[CoverageBy]string{ByCommunity: "unit_directory", BySubdistrict: "unit_directory", ByInspector: "person_directory"}[by]
	if key == "" {
		return Coverage{}, apperr.New(apperr.Invalid, "by %q is not one of community, subdistrict, inspector", by).With("field", "by")
	}
	// Who held a shop's inspector post on the day: at its end, or now if that is earlier. Standing
	// pledges never overlap, nor do primary inspectors (0019's exclusions), so each joins at most one
	// row per shop and needs no DISTINCT — whose sort was half the cost over 100,000 shops.
	at := p.day.AddDate(0, 0, 1).Add(-time.Microsecond)
	if now := inspectionNow(); now.Before(at) {
		at = now
	}
	scope, args := shopScopeSQL(who, "m", []any{p.Day, p.Week, p.From, p.To, at})
	rows, err := s.db.Query(ctx, `WITH shop AS (
			SELECT m.id, COALESCE(m.subdistrict_id, 0) AS sub, COALESCE(m.community_id, 0) AS com,
			       (pl.merchant_id IS NOT NULL) AS pledged, COALESCE(mi.person_id, 0) AS inspector
			  FROM merchant m
			  LEFT JOIN (SELECT merchant_id FROM merchant_pledge WHERE voided_at IS NULL AND valid @> $1::date) pl
			         ON pl.merchant_id = m.id
			  LEFT JOIN (SELECT merchant_id, person_id FROM merchant_inspector
			              WHERE is_primary AND voided_at IS NULL AND valid @> $5::timestamptz) mi
			         ON mi.merchant_id = m.id
			 WHERE (m.status = 'open' OR m.status_since > $1::date) AND `+scope+`
		), seen AS (
			SELECT merchant_id, bool_or(visit_day = $1::date) AS day, bool_or(visit_day BETWEEN $2::date AND $1::date) AS week,
			       bool_or(visit_day BETWEEN $3::date AND $4::date) AS period,
			       count(*) FILTER (WHERE visit_day BETWEEN $3::date AND $4::date) AS n,
			       COALESCE(sum(violations) FILTER (WHERE visit_day BETWEEN $3::date AND $4::date), 0) AS v,
			       count(*) FILTER (WHERE off_site AND visit_day BETWEEN $3::date AND $4::date) AS off,
			       bool_or(NOT suspect AND visit_day = $1::date) AS cday,
			       bool_or(NOT suspect AND visit_day BETWEEN $2::date AND $1::date) AS cweek,
			       bool_or(NOT suspect AND visit_day BETWEEN $3::date AND $4::date) AS cperiod,
			       count(*) FILTER (WHERE suspect AND visit_day BETWEEN $3::date AND $4::date) AS sus
			  FROM merchant_inspection
			 WHERE voided_at IS NULL AND visit_day BETWEEN LEAST($2::date, $3::date) AND GREATEST($1::date, $4::date)
			 GROUP BY merchant_id
		), agg AS (
			SELECT `+key+` AS key, count(*) AS shops, count(*) FILTER (WHERE s.pledged) AS pledged,
			       count(*) FILTER (WHERE s.inspector <> 0) AS with_inspector, count(*) FILTER (WHERE seen.day) AS d,
			       count(*) FILTER (WHERE seen.week) AS w, count(*) FILTER (WHERE seen.period) AS p,
			       COALESCE(sum(seen.n), 0) AS n, COALESCE(sum(seen.v), 0) AS v, COALESCE(sum(seen.off), 0) AS off,
			       count(*) FILTER (WHERE seen.cday) AS cd, count(*) FILTER (WHERE seen.cweek) AS cw,
			       count(*) FILTER (WHERE seen.cperiod) AS cp, COALESCE(sum(seen.sus), 0) AS sus
			  FROM shop s LEFT JOIN seen ON seen.merchant_id = s.id
			 GROUP BY 1
		)
		SELECT agg.key, COALESCE(u.name, ''), agg.shops, agg.pledged, agg.with_inspector, agg.d, agg.w, agg.p, agg.n, agg.v, agg.off,
		       agg.cd, agg.cw, agg.cp, agg.sus
		  FROM agg LEFT JOIN `+names+` u ON u.id = agg.key
		 ORDER BY agg.key = 0, u.name, agg.key`, args...)
	if err != nil {
		return Coverage{}, inspectionTranslate(err, "coverage")
	}
	cov := Coverage{By: by, Period: p, Rows: []CoverageRow{}, Definitions: coverageDefinitions, Total: CoverageRow{Name: "合计"}}
	var r CoverageRow
	_, err = pgx.ForEachRow(rows, []any{&r.ID, &r.Name, &r.Shops, &r.Pledged, &r.WithInspector, &r.InspectedDay, &r.InspectedWeek,
		&r.InspectedPeriod, &r.Inspections, &r.Violations, &r.OffSite, &r.CredibleDay, &r.CredibleWeek, &r.CrediblePeriod, &r.Suspect}, func() error {
		if r.ID == 0 {
			r.Name = map[CoverageBy]string{ByInspector: "(无督查员)"}[by]
			if r.Name == "" {
				r.Name = "(辖区外)"
			}
		}
		t := &cov.Total
		t.Shops, t.Pledged, t.WithInspector = t.Shops+r.Shops, t.Pledged+r.Pledged, t.WithInspector+r.WithInspector
		t.InspectedDay, t.InspectedWeek, t.InspectedPeriod = t.InspectedDay+r.InspectedDay, t.InspectedWeek+r.InspectedWeek, t.InspectedPeriod+r.InspectedPeriod
		t.Inspections, t.Violations, t.OffSite = t.Inspections+r.Inspections, t.Violations+r.Violations, t.OffSite+r.OffSite
		t.CredibleDay, t.CredibleWeek, t.CrediblePeriod = t.CredibleDay+r.CredibleDay, t.CredibleWeek+r.CredibleWeek, t.CrediblePeriod+r.CrediblePeriod
		t.Suspect += r.Suspect
		cov.Rows = append(cov.Rows, r.withRates())
		return nil
	})
	if err != nil {
		return Coverage{}, inspectionTranslate(err, "coverage")
	}
	cov.Total = cov.Total.withRates()
	return cov, nil
}

func (r CoverageRow) withRates() CoverageRow {
	r.PledgedPct, r.WithInspectorPct = pct(r.Pledged, r.Shops), pct(r.WithInspector, r.Shops)
	r.InspectedDayPct, r.InspectedWeekPct, r.InspectedPeriodPct = pct(r.InspectedDay, r.Shops), pct(r.InspectedWeek, r.Shops), pct(r.InspectedPeriod, r.Shops)
	r.OffSiteShare = pct(r.OffSite, r.Inspections)
	r.CredibleDayPct, r.CredibleWeekPct, r.CrediblePeriodPct = pct(r.CredibleDay, r.Shops), pct(r.CredibleWeek, r.Shops), pct(r.CrediblePeriod, r.Shops)
	r.SuspectShare = pct(r.Suspect, r.Inspections)
	return r
}

// pct is n of d in per cent to one decimal, 0 of nothing.
func pct(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return math.Round(1000*float64(n)/float64(d)) / 10
}
