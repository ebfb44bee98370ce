package incidents

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// MaxExportCases bounds one case export: an XLSX sheet holds 1,048,576 rows.
const MaxExportCases = 1_000_000

// kpiHeader is the league table's columns in CSV and XLSX, counts and their rates side by side.
var kpiHeader = []string{"rank", "id", "name", "cases", "excluded", "due", "closed", "on_time", "handled", "reworked",
	"rework_transitions", "closure_rate", "on_time_rate", "rework_rate", "median_close_seconds", "p90_close_seconds",
	"overdue_now", "previous_closure_rate", "closure_trend", "previous_on_time_rate", "on_time_trend"}

func (r KPIRow) cells() []string {
	sec := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', -1, 64)
	}
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	return []string{strconv.Itoa(r.Rank), i(r.ID), r.Name, i(r.Cases), i(r.Excluded), i(r.Due), i(r.Closed), i(r.OnTime),
		i(r.Handled), i(r.Reworked), i(r.ReworkTransitions), r.ClosureRate.Rate, r.OnTimeRate.Rate, r.ReworkRate.Rate,
		sec(r.MedianCloseSec), sec(r.P90CloseSec), i(r.OverdueNow), r.Previous.ClosureRate.Rate, r.ClosureMove.Arrow,
		r.Previous.OnTimeRate.Rate, r.OnTimeMove.Arrow}
}

func (rep KPIReport) table() [][]string {
	out := [][]string{kpiHeader}
	for _, r := range rep.Rows {
		out = append(out, r.cells())
	}
	total := rep.Total.cells()
	total[0] = ""
	return append(out, total)
}

// WriteCSV writes the league table, then its totals row, as CSV.
func (rep KPIReport) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(rep.table()); err != nil {
		return err
	}
	return cw.Error()
}

// WriteXLSX writes the league table as a workbook whose counts stay numbers, with a second sheet
// stating the period and the definitions.
func (rep KPIReport) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "考核指标"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	if err := writeSheet(f, sheet, rep.table()); err != nil {
		return err
	}
	if _, err := f.NewSheet("说明"); err != nil {
		return err
	}
	notes := [][]string{{"by", string(rep.By)}, {"period", rep.Period.Label},
		{"from", rep.Period.From.Format(time.RFC3339)}, {"to (exclusive)", rep.Period.To.Format(time.RFC3339)},
		{"previous", rep.Previous.Label}, {"as_of", rep.AsOf.Format(time.RFC3339)}, {"definitions", rep.Definitions}}
	if err := writeSheet(f, "说明", notes); err != nil {
		return err
	}
	return f.Write(w)
}

// writeSheet puts rows on a sheet, numbers as numbers (except in the name column) and text as text.
func writeSheet(f *excelize.File, sheet string, rows [][]string) error {
	for j, row := range rows {
		cells := make([]any, len(row))
		for k, v := range row {
			if n, err := strconv.ParseFloat(v, 64); err == nil && j > 0 && k != 2 {
				cells[k] = n
			} else {
				cells[k] = v
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, j+1)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(sheet, cell, &cells); err != nil {
			return err
		}
	}
	return nil
}

// CaseLifecycle is one case of an export with the moments of its lifecycle, from its events: the
// first assignment, start and escalation, the last resolution, closure and reopening.
type CaseLifecycle struct {
	ID            int64
	Category      string
	Status        Status
	SubdistrictID int64
	CommunityID   int64
	AreaID        int64
	AssigneeID    int64
	Overdue       bool
	DueAt         *time.Time
	Reported      time.Time
	Assigned      *time.Time
	Started       *time.Time
	Escalated     *time.Time
	Resolved      *time.Time
	Closed        *time.Time
	Reopened      *time.Time
	Reworks       int64
	Place         Place
}

// CaseHeader names the columns of a case export.
var CaseHeader = []string{"id", "category", "status", "subdistrict_id", "community_id", "area_id", "assignee_person_id",
	"overdue", "due_at", "reported_at", "assigned_at", "started_at", "escalated_at", "resolved_at", "closed_at",
	"reopened_at", "reworks", "place"}

// Cells is the case as export text; times are RFC 3339 in Beijing time.
func (c CaseLifecycle) Cells() []string {
	t := func(v *time.Time) string {
		if v == nil {
			return ""
		}
		return v.In(Beijing).Format(time.RFC3339)
	}
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	return []string{i(c.ID), c.Category, string(c.Status), i(c.SubdistrictID), i(c.CommunityID), i(c.AreaID),
		i(c.AssigneeID), strconv.FormatBool(c.Overdue), t(c.DueAt), t(&c.Reported), t(c.Assigned), t(c.Started),
		t(c.Escalated), t(c.Resolved), t(c.Closed), t(c.Reopened), i(c.Reworks), c.Place.Text()}
}

// EachCase calls begin, then fn with every case in the caller's KPI scope, narrowed by f, reported in
// p, oldest first, at most MaxExportCases of them: a caller out of scope or a period with more is
// refused before begin, so that a streamed answer can still be an error.
func (s *Service) EachCase(ctx context.Context, who access.Principal, p Period, f KPIFilter, begin func() error, fn func(CaseLifecycle) error) error {
	scope, args, err := f.where(who, "i", []any{p.From, p.To})
	if err != nil {
		return err
	}
	if err := f.check(ctx, s.db, who); err != nil {
		return err
	}
	where := `i.reported_at >= $1 AND i.reported_at < $2 AND ` + scope
	var n int64
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM incident i WHERE `+where, args...).Scan(&n); err != nil {
		return translate(err, "count cases")
	}
	if n > MaxExportCases {
		return apperr.New(apperr.TooLarge, "%d cases in the period; an export holds at most %d: ask for a shorter period", n, MaxExportCases)
	}
	if err := begin(); err != nil {
		return err
	}
	rows, err := s.db.Query(ctx, `SELECT i.id, i.category, i.status, COALESCE(i.subdistrict_id, 0), COALESCE(i.community_id, 0),
			COALESCE(i.area_id, 0), COALESCE(i.assignee_person_id, 0), i.overdue, i.due_at, i.reported_at, ev.*, `+placeColumns+`
		FROM incident i`+placeJoin+` CROSS JOIN LATERAL (
			SELECT min(e.at) FILTER (WHERE e.to_status = 'assigned'),
				min(e.at) FILTER (WHERE e.to_status = 'in_progress'),
				min(e.at) FILTER (WHERE e.to_status = 'escalated' OR e.kind = 'escalated'),
				max(e.at) FILTER (WHERE e.to_status = 'resolved'),
				max(e.at) FILTER (WHERE e.to_status = 'closed'),
				max(e.at) FILTER (WHERE e.to_status = 'reopened'),
				count(*) FILTER (WHERE e.to_status = 'reopened' AND e.from_status IN ('resolved', 'closed'))
			FROM incident_event e WHERE e.incident_id = i.id) ev
		WHERE `+where+` ORDER BY i.reported_at, i.id`, args...)
	if err != nil {
		return translate(err, "export cases")
	}
	var c CaseLifecycle
	var pl placeScan
	_, err = pgx.ForEachRow(rows, append([]any{&c.ID, &c.Category, &c.Status, &c.SubdistrictID, &c.CommunityID, &c.AreaID,
		&c.AssigneeID, &c.Overdue, &c.DueAt, &c.Reported, &c.Assigned, &c.Started, &c.Escalated, &c.Resolved, &c.Closed,
		&c.Reopened, &c.Reworks}, pl.dest()...), func() error {
		pl.areaID, pl.communityID, pl.subdistrictID = c.AreaID, c.CommunityID, c.SubdistrictID
		c.Place = pl.place()
		err := fn(c)
		c, pl = CaseLifecycle{}, placeScan{}
		return err
	})
	if err != nil {
		return translate(err, "export cases")
	}
	return nil
}

// WriteCasesCSV streams the cases of p as CSV, calling begin before the first byte (see EachCase).
func (s *Service) WriteCasesCSV(ctx context.Context, who access.Principal, p Period, f KPIFilter, w io.Writer, begin func()) error {
	cw := csv.NewWriter(w)
	err := s.EachCase(ctx, who, p, f, func() error { begin(); return cw.Write(CaseHeader) },
		func(c CaseLifecycle) error { return cw.Write(c.Cells()) })
	cw.Flush()
	if err != nil {
		return err
	}
	return cw.Error()
}

// WriteCasesXLSX writes the cases of p as a workbook, through excelize's stream writer so that a year
// of cases does not hold every cell as an object.
func (s *Service) WriteCasesXLSX(ctx context.Context, who access.Principal, p Period, filter KPIFilter, w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "案件"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	row := 1
	put := func(cells []string, numeric bool) error {
		vals := make([]any, len(cells))
		for k, v := range cells {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && numeric {
				vals[k] = n
			} else {
				vals[k] = v
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		row++
		return sw.SetRow(cell, vals)
	}
	if err := s.EachCase(ctx, who, p, filter, func() error { return put(CaseHeader, false) },
		func(c CaseLifecycle) error { return put(c.Cells(), true) }); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return f.Write(w)
}
