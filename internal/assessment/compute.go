package assessment

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/database"
	"streetchief/internal/incidents"
	"streetchief/internal/merchants"
	"streetchief/internal/policy"
	"streetchief/internal/reports"
)

// counts are one subdistrict's platform figures for a period: metric → numerator and denominator.
type counts map[string][2]int64

// figures asks the other modules for the metrics the sheet computes, per subdistrict, as they stood
// at the period's end (or now, for a period not yet over). Only the sources a sheet uses are asked.
func (s *Service) figures(ctx context.Context, p Period, sh Sheet) (map[int64]counts, error) {
	uses := map[string]bool{}
	for _, it := range sh.Items {
		if it.Source == Computed {
			uses[it.Metric] = true
		}
	}
	out := map[int64]counts{}
	put := func(sub int64, metric string, num, den int64) {
		if out[sub] == nil {
			out[sub] = counts{}
		}
		out[sub][metric] = [2]int64{num, den}
	}
	sys := access.System("assessment")
	if uses["closure_rate"] || uses["on_time_rate"] || uses["rework_rate"] || uses["overdue_cases"] {
		kp, err := incidents.ParsePeriod(string(p.Kind), p.Label, "", "", s.now())
		if err != nil {
			return nil, err
		}
		rep, err := s.incidents.KPIs(ctx, sys, incidents.BySubdistrict, kp, incidents.KPIFilter{})
		if err != nil {
			return nil, fmt.Errorf("incident KPIs: %w", err)
		}
		for _, r := range rep.Rows {
			put(r.ID, "closure_rate", r.Closed, r.Due)
			put(r.ID, "on_time_rate", r.OnTime, r.Due)
			put(r.ID, "rework_rate", r.Reworked, r.Handled)
			put(r.ID, "overdue_cases", r.Due-r.OnTime, 0)
		}
	}
	if uses["pledged_share"] || uses["inspector_share"] || uses["inspected_share"] || uses["off_site_share"] || uses["suspect_share"] {
		if err := s.merchantFigures(ctx, sys, p, put); err != nil {
			return nil, err
		}
	}
	if uses["repeat_offenders"] {
		n, err := s.merchants.RepeatOffendersHanded(ctx, p.Starts, p.Ends)
		if err != nil {
			return nil, err
		}
		for sub, v := range n {
			put(sub, "repeat_offenders", v, 0)
		}
	}
	if uses["task_completion"] {
		subs, err := subdistricts(ctx, s.db)
		if err != nil {
			return nil, err
		}
		for _, sd := range subs {
			c, err := s.tasks.Completion(ctx, sd.ID, p.Starts, p.Ends)
			if err != nil {
				return nil, fmt.Errorf("task completion: %w", err)
			}
			put(sd.ID, "task_completion", int64(c.AcceptedOnTime), int64(c.Items))
		}
	}
	if uses["patrolled_areas"] || uses["suspect_patrol_share"] {
		figs, err := s.patrols.FiguresBetween(ctx, p.Starts, earlier(s.now(), p.Ends))
		if err != nil {
			return nil, err
		}
		for sub, f := range figs {
			put(sub, "patrolled_areas", f.AreasPatrolled, f.Areas)
			put(sub, "suspect_patrol_share", f.Suspect, f.Patrols)
		}
	}
	if uses["unassigned_areas"] || uses["vacant_posts"] {
		at := earlier(s.now(), p.Ends.Add(-time.Second))
		rep, err := s.reports.Gaps(ctx, sys, reports.Query{Scope: reports.Scope{Level: "district"}, At: at,
			Kinds: []string{reports.KindUnassigned, reports.KindVacant}})
		if err != nil {
			return nil, fmt.Errorf("gap report: %w", err)
		}
		for _, r := range rep.Summary {
			if r.Level == "subdistrict" {
				put(r.SubdistrictID, "unassigned_areas", int64(r.UnassignedAreas), 0)
				put(r.SubdistrictID, "vacant_posts", int64(r.VacantPosts), 0)
			}
		}
	}
	return out, nil
}

// merchantFigures: pledges and inspectors as on the period's last day; inspections over its months.
func (s *Service) merchantFigures(ctx context.Context, sys access.Principal, p Period, put func(int64, string, int64, int64)) error {
	months := []Period{p}
	if p.Kind == Quarter {
		months = p.Months()
	}
	inspected := map[int64][2]int64{}
	offSite, suspect := map[int64][2]int64{}, map[int64][2]int64{}
	for i, m := range months {
		day := earlier(m.lastDay(), s.now())
		cp, err := merchants.ParseCoveragePeriod("month", day.In(incidents.Beijing).Format(time.DateOnly), s.now())
		if err != nil {
			return err
		}
		cov, err := s.merchants.Coverage(ctx, sys, merchants.BySubdistrict, cp)
		if err != nil {
			return fmt.Errorf("shop coverage: %w", err)
		}
		for _, r := range cov.Rows {
			if i == len(months)-1 {
				put(r.ID, "pledged_share", int64(r.Pledged), int64(r.Shops))
				put(r.ID, "inspector_share", int64(r.WithInspector), int64(r.Shops))
			}
			a := inspected[r.ID]
			// Only a credible check-in proves a shop was inspected: one flagged by a proof rule counts
			// towards suspect_share instead.
			inspected[r.ID] = [2]int64{a[0] + int64(r.CrediblePeriod), a[1] + int64(r.Shops)}
			b := offSite[r.ID]
			offSite[r.ID] = [2]int64{b[0] + int64(r.OffSite), b[1] + int64(r.Inspections)}
			c := suspect[r.ID]
			suspect[r.ID] = [2]int64{c[0] + int64(r.Suspect), c[1] + int64(r.Inspections)}
		}
	}
	for sub, v := range inspected {
		put(sub, "inspected_share", v[0], v[1])
		put(sub, "off_site_share", offSite[sub][0], offSite[sub][1])
		put(sub, "suspect_share", suspect[sub][0], suspect[sub][1])
	}
	return nil
}

// Line is one item of one subdistrict's sheet.
type Line struct {
	Code      string        `json:"code"`
	NameZH    string        `json:"name_zh"`
	NameEN    string        `json:"name_en"`
	Source    Source        `json:"source"`
	MaxPoints policy.Score  `json:"max_points"`
	Points    *policy.Score `json:"points"` // nil: an assessor's mark is still missing
	Figure    *Figure       `json:"figure,omitempty"`
	Mark      *Mark         `json:"mark,omitempty"`
	Sample    []SampleArea  `json:"sample,omitempty"`
	// AmendedFrom is the points before an amendment changed them in this revision.
	AmendedFrom *policy.Score `json:"amended_from,omitempty"`
}

// Row is one subdistrict's result.
type Row struct {
	SubdistrictID int64         `json:"subdistrict_id"`
	Name          string        `json:"name"`
	Lines         []Line        `json:"items"`
	SheetTotal    policy.Score  `json:"sheet_total"`
	MonthsAverage *policy.Score `json:"months_average,omitempty"` // quarters: the three months' published scores' mean
	Score         policy.Score  `json:"score"`
	Rank          int           `json:"rank"`
	Missing       []string      `json:"missing,omitempty"` // what stops publication
	Outcomes      []Outcome     `json:"outcomes"`
}

type subdistrict struct {
	ID   int64
	Name string
}

func subdistricts(ctx context.Context, db database.Querier) ([]subdistrict, error) {
	rows, err := db.Query(ctx, `SELECT id, name FROM unit_directory WHERE level = 'subdistrict' ORDER BY code, id`)
	if err != nil {
		return nil, wrap("subdistricts", err)
	}
	defer rows.Close()
	var out []subdistrict
	for rows.Next() {
		var sd subdistrict
		if err := rows.Scan(&sd.ID, &sd.Name); err != nil {
			return nil, wrap("subdistrict", err)
		}
		out = append(out, sd)
	}
	return out, wrap("subdistricts", rows.Err())
}

// draft scores every subdistrict on the period's sheet from the figures now and the standing marks.
func (s *Service) draft(ctx context.Context, db database.Querier, periodID int64, p Period, sh Sheet) ([]Row, error) {
	subs, err := subdistricts(ctx, db)
	if err != nil {
		return nil, err
	}
	figs, err := s.figures(ctx, p, sh)
	if err != nil {
		return nil, err
	}
	marks, err := standingMarks(ctx, db, periodID)
	if err != nil {
		return nil, err
	}
	var months map[int64]*policy.Score
	var monthsMissing []string
	if p.Kind == Quarter {
		if months, monthsMissing, err = monthsAverage(ctx, db, p); err != nil {
			return nil, err
		}
	}
	rows := make([]Row, 0, len(subs))
	for _, sd := range subs {
		row := Row{SubdistrictID: sd.ID, Name: sd.Name, Outcomes: []Outcome{}}
		for _, it := range sh.Items {
			line := Line{Code: it.Code, NameZH: it.NameZH, NameEN: it.NameEN, Source: it.Source, MaxPoints: it.MaxPoints}
			switch it.Source {
			case Computed:
				m, _ := metricByCode(it.Metric)
				c := figs[sd.ID][it.Metric]
				pts, v := pointsOf(it.MaxPoints, c[0], c[1], m.Ratio, it.FullAt, it.ZeroAt)
				line.Points = &pts
				line.Figure = figureOf(m, c, v, it)
			default:
				if mk, ok := marks[sd.ID][it.Code]; ok {
					line.Mark, line.Points = &mk, &mk.Points
				} else {
					row.Missing = append(row.Missing, it.Code)
				}
				if it.Source == Sampled {
					if line.Sample, err = readSample(ctx, db, periodID, sd.ID, it.Code); err != nil {
						return nil, err
					}
				}
			}
			if line.Points != nil {
				row.SheetTotal += *line.Points
			}
			row.Lines = append(row.Lines, line)
		}
		row.Score = row.SheetTotal
		if p.Kind == Quarter {
			row.MonthsAverage = months[sd.ID]
			row.Missing = append(row.Missing, monthsMissing...)
			if row.MonthsAverage != nil {
				row.Score = quarterScore(*sh.QuarterShare, row.SheetTotal, *row.MonthsAverage)
			}
		}
		rows = append(rows, row)
	}
	rankRows(rows)
	return rows, nil
}

func figureOf(m Metric, c [2]int64, v *big.Rat, it Item) *Figure {
	f := &Figure{Metric: m.Code, Numerator: c[0], Denominator: c[1], FullAt: it.FullAt, ZeroAt: it.ZeroAt,
		Formula: fmt.Sprintf("%s × clamp((value − %s) ÷ (%s − %s), 0, 1), half up to 0.01", it.MaxPoints, it.ZeroAt, it.FullAt, it.ZeroAt)}
	switch {
	case v == nil:
		f.Note = "nothing to count in the period: full marks"
	case m.Ratio:
		f.Value = v.FloatString(4)
	default:
		f.Value = v.FloatString(0)
	}
	return f
}

// quarterScore: share per cent of the quarter's own sheet, the rest the months' average, half up.
func quarterScore(share, sheet, months policy.Score) policy.Score {
	sum := new(big.Rat).SetInt64(int64(share)*int64(sheet) + int64(10000-share)*int64(months))
	return policy.Score(roundHalfUp(sum.Quo(sum, big.NewRat(10000, 1))))
}

// monthsAverage is each subdistrict's mean of its quarter's three published month scores, half up;
// missing names the months not yet published.
func monthsAverage(ctx context.Context, db database.Querier, q Period) (map[int64]*policy.Score, []string, error) {
	labels := make([]string, 0, 3)
	for _, m := range q.Months() {
		labels = append(labels, m.Label)
	}
	rows, err := db.Query(ctx, `SELECT period, subdistrict_id, score::text FROM assessment_published WHERE period_kind = 'month' AND period = ANY($1)`, labels)
	if err != nil {
		return nil, nil, wrap("months", err)
	}
	defer rows.Close()
	sums := map[int64]policy.Score{}
	seen := map[int64]int{}
	found := map[string]bool{}
	for rows.Next() {
		var label, text string
		var sub int64
		if err := rows.Scan(&label, &sub, &text); err != nil {
			return nil, nil, wrap("month", err)
		}
		v, err := storedScore(text)
		if err != nil {
			return nil, nil, err
		}
		found[label] = true
		sums[sub] += v
		seen[sub]++
	}
	if err := rows.Err(); err != nil {
		return nil, nil, wrap("months", err)
	}
	var missing []string
	for _, l := range labels {
		if !found[l] {
			missing = append(missing, "month "+l+" unpublished")
		}
	}
	out := map[int64]*policy.Score{}
	for sub, sum := range sums {
		if seen[sub] == 3 {
			avg := policy.Score((int64(sum)*2 + 3) / 6) // sum ÷ 3, half up
			out[sub] = &avg
		}
	}
	return out, missing, nil
}

// rankRows orders by score, best first; equal scores share a rank (1, 2, 2, 4), listed by name.
func rankRows(rows []Row) {
	slices.SortStableFunc(rows, func(a, b Row) int {
		if a.Score != b.Score {
			return int(b.Score - a.Score)
		}
		return compareStrings(a.Name, b.Name)
	})
	for i := range rows {
		if i > 0 && rows[i].Score == rows[i-1].Score {
			rows[i].Rank = rows[i-1].Rank
		} else {
			rows[i].Rank = i + 1
		}
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
