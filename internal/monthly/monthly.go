// Package monthly makes the monthly report (月报) of the district or of one subdistrict for its
// leaders: the month's assessment KPIs and league table against the month before, the weekly trend,
// the problem spots, and the coverage gaps with their map, laid out for A4. It counts nothing itself:
// every figure comes from internal/incidents' KPI API and internal/reports' gap report, so the paper
// and the dashboard never disagree. It writes nothing.
package monthly

import (
	"cmp"
	"context"
	"slices"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/internal/registry"
	"streetchief/internal/reports"
)

// Service makes monthly reports.
type Service struct {
	incidents *incidents.Service
	reports   *reports.Service
	names     Units
	now       func() time.Time
}

// Units names the subdistrict a report is asked for and tells which communities lie in it: the
// registry's Store.
type Units interface {
	AdminUnit(ctx context.Context, who access.Principal, id int64) (registry.AdminUnit, error)
}

// NewService returns a monthly report service over the KPIs, the gap report and the registry's units.
func NewService(inc *incidents.Service, rep *reports.Service, names Units) *Service {
	return &Service{incidents: inc, reports: rep, names: names, now: time.Now}
}

// Query asks for one month's report.
type Query struct {
	Month         string // YYYY-MM, Beijing; empty: the last whole month
	SubdistrictID int64  // 0: the caller's whole district
}

// Top is how many problem spots and categories a report lists.
const Top = 10

// Report is one month's report.
type Report struct {
	Period      incidents.Period
	ScopeName   string // 全区 or the subdistrict's name
	Subdistrict int64
	AsOf        time.Time
	GapsAt      time.Time
	KPIs        incidents.KPIReport // by subdistrict for the district, by community within one
	Weeks       []Week
	Spots       []incidents.KPIRow // the areas with most cases
	Categories  []incidents.CategoryCount
	Gaps        reports.Report
}

// Week is one bar pair of the trend: the cases reported in the week and how many of them were
// closed by its end (the KPI's own counts over the week, clipped to the month).
type Week struct {
	Label  string
	Period incidents.Period
	Cases  int64
	Closed int64
}

// Make builds the month's report for the caller's scope, narrowed to one subdistrict if asked.
func (s *Service) Make(ctx context.Context, who access.Principal, q Query) (Report, error) {
	now := s.now()
	p, err := s.month(q.Month, now)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Period: p, ScopeName: "全区", AsOf: now.In(incidents.Beijing)}
	by, gapScope := incidents.BySubdistrict, reports.Scope{Level: "district"}
	narrowed := who
	if q.SubdistrictID != 0 {
		name, scope, err := s.subdistrictScope(ctx, who, q.SubdistrictID)
		if err != nil {
			return Report{}, err
		}
		narrowed.Scope = scope
		rep.ScopeName, rep.Subdistrict = name, q.SubdistrictID
		by, gapScope = incidents.ByCommunity, reports.Scope{Level: "subdistrict", ID: q.SubdistrictID}
	}
	if rep.KPIs, err = s.incidents.KPIs(ctx, narrowed, by, p, incidents.KPIFilter{}); err != nil {
		return Report{}, err
	}
	if rep.Weeks, err = s.weeks(ctx, narrowed, p); err != nil {
		return Report{}, err
	}
	areas, err := s.incidents.KPIs(ctx, narrowed, incidents.ByArea, p, incidents.KPIFilter{})
	if err != nil {
		return Report{}, err
	}
	rep.Spots = topSpots(areas.Rows)
	if rep.Categories, err = s.incidents.KPICategories(ctx, narrowed, p, Top); err != nil {
		return Report{}, err
	}
	// The gaps as they stood at the month's end, or now for the month under way.
	rep.GapsAt = now
	if p.To.Before(now) {
		rep.GapsAt = p.To.Add(-time.Second)
	}
	rep.Gaps, err = s.reports.Gaps(ctx, who, reports.Query{Scope: gapScope, At: rep.GapsAt, WithMap: true,
		Kinds: []string{reports.KindUnassigned, reports.KindTerritory, reports.KindOverlaps, reports.KindVacant}})
	if err != nil {
		return Report{}, err
	}
	return rep, nil
}

// month reads month= from outside; without it, the last whole month, which is what a 月报 reports.
func (s *Service) month(m string, now time.Time) (incidents.Period, error) {
	if m == "" {
		m = now.In(incidents.Beijing).AddDate(0, 0, -now.In(incidents.Beijing).Day()).Format("2006-01")
	}
	p, err := incidents.ParsePeriod(incidents.PeriodMonth, m, "", "", now)
	if err != nil {
		return p, apperr.New(apperr.Malformed, "month %q is not a month YYYY-MM", m).With("field", "month")
	}
	if p.From.After(now) {
		return p, apperr.New(apperr.Invalid, "month %s has not begun", m).With("field", "month")
	}
	return p, nil
}

// subdistrictScope is the caller's scope narrowed to one subdistrict: all of it for those who may see
// it whole, and their own communities in it for a lane chief; a subdistrict the caller has no part
// of is refused.
func (s *Service) subdistrictScope(ctx context.Context, who access.Principal, id int64) (string, access.Scope, error) {
	u, err := s.names.AdminUnit(ctx, who, id)
	if err != nil || u.Level != "subdistrict" {
		return "", access.Scope{}, apperr.New(apperr.NotFound, "no subdistrict %d", id).With("field", "subdistrict")
	}
	if who.Scope.All || slices.Contains(who.Scope.Subdistricts, id) {
		return u.Name, access.Scope{Subdistricts: []int64{id}}, nil
	}
	var mine []int64
	for _, c := range who.Scope.Communities {
		if cu, err := s.names.AdminUnit(ctx, who, c); err == nil && cu.ParentID == id {
			mine = append(mine, c)
		}
	}
	if len(mine) == 0 {
		return "", access.Scope{}, apperr.New(apperr.Forbidden, "subdistrict %s is outside your scope", u.Name).With("field", "subdistrict")
	}
	return u.Name, access.Scope{Communities: mine}, nil
}

// weeks splits the month at Mondays and counts each part with the KPI API.
func (s *Service) weeks(ctx context.Context, who access.Principal, month incidents.Period) ([]Week, error) {
	var out []Week
	for from := month.From; from.Before(month.To); {
		to := from.AddDate(0, 0, 1)
		for to.Before(month.To) && to.Weekday() != time.Monday {
			to = to.AddDate(0, 0, 1)
		}
		p, err := incidents.ParsePeriod(incidents.PeriodCustom, "", from.Format(time.DateOnly), to.AddDate(0, 0, -1).Format(time.DateOnly), from)
		if err != nil {
			return nil, err
		}
		k, err := s.incidents.KPIs(ctx, who, incidents.BySubdistrict, p, incidents.KPIFilter{})
		if err != nil {
			return nil, err
		}
		out = append(out, Week{Label: from.Format("1/2") + "–" + to.AddDate(0, 0, -1).Format("1/2"), Period: p,
			Cases: k.Total.Cases, Closed: k.Total.Closed})
		from = to
	}
	return out, nil
}

// topSpots are the Top areas with most cases; cases in no area are not a spot.
func topSpots(rows []incidents.KPIRow) []incidents.KPIRow {
	rows = slices.DeleteFunc(slices.Clone(rows), func(r incidents.KPIRow) bool { return r.ID == 0 || r.Cases == 0 })
	slices.SortStableFunc(rows, func(a, b incidents.KPIRow) int {
		return cmp.Or(cmp.Compare(b.Cases, a.Cases), cmp.Compare(b.OverdueNow, a.OverdueNow), cmp.Compare(a.ID, b.ID))
	})
	return rows[:min(Top, len(rows))]
}
