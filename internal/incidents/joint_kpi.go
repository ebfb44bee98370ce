package incidents

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/database"
)

// JointKPIDefinitions: the departments' figures of joint enforcement count the departments asked in
// the period [From, To) (Beijing time), each as it stood at To, so a past period does not change.
const JointKPIDefinitions = "requested: departments asked to take part in a joint case in [from, to) (a case with two departments counts twice); " +
	"vacant: of those, asked while nobody held the department's responsible-person post in the subdistrict; " +
	"withdrawn: of requested, withdrawn before to; acknowledged / pending: of the others, acknowledged before to or not; " +
	"ack seconds: requested → acknowledged, median and mean; acted: of the others, with an action recorded before to and not voided then; " +
	"first action seconds: requested → the time of the first such action, median and mean; pending_now: asked in any period, not acknowledged, case still in joint enforcement"

// Groupings of the joint-enforcement KPIs.
const (
	JointByDepartment  = "department"
	JointBySubdistrict = "subdistrict"
)

// JointKPIFigures are the counts and times of one department or subdistrict in one period.
type JointKPIFigures struct {
	Requested      int64    `json:"requested"`
	Vacant         int64    `json:"vacant"`
	Withdrawn      int64    `json:"withdrawn"`
	Acknowledged   int64    `json:"acknowledged"`
	Pending        int64    `json:"pending"`
	MedianAckSec   *float64 `json:"median_ack_seconds"`
	MeanAckSec     *float64 `json:"mean_ack_seconds"`
	Acted          int64    `json:"acted"`
	MedianFirstSec *float64 `json:"median_first_action_seconds"`
	MeanFirstSec   *float64 `json:"mean_first_action_seconds"`
}

// JointKPIRow is one department's or subdistrict's line.
type JointKPIRow struct {
	ID   int64  `json:"id"` // 0: cases in no subdistrict
	Name string `json:"name"`
	JointKPIFigures
	PendingNow int64 `json:"pending_now"`
}

// JointKPIReport is the departments' acknowledgement and action times for one period.
type JointKPIReport struct {
	By          string        `json:"by"`
	Period      Period        `json:"period"`
	AsOf        time.Time     `json:"as_of"`
	Definitions string        `json:"definitions"`
	Total       JointKPIRow   `json:"total"`
	Rows        []JointKPIRow `json:"rows"`
}

// jointWhere is the KPI territory over incident i and participation d: a department liaison's own
// departments in their subdistricts; everyone else their KPI scope; narrowed by f.
func jointWhere(who access.Principal, f KPIFilter, args []any) (string, []any, error) {
	if who.Role == access.DepartmentLiaison {
		args = append(args, who.Scope.Subdistricts, who.Scope.Departments)
		where := fmt.Sprintf("i.subdistrict_id = ANY($%d::bigint[]) AND d.department_id = ANY($%d::bigint[])", len(args)-1, len(args))
		narrowed, args, err := KPIFilter{SubdistrictID: f.SubdistrictID, CommunityID: f.CommunityID}.narrow("i", args)
		return where + narrowed, args, err
	}
	return f.where(who, "i", args)
}

// narrow is f's conditions alone, for a scope that is not kpiScope's.
func (f KPIFilter) narrow(alias string, args []any) (string, []any, error) {
	s := ""
	if f.SubdistrictID != 0 {
		args = append(args, f.SubdistrictID)
		s += fmt.Sprintf(" AND %s.subdistrict_id = $%d", alias, len(args))
	}
	if f.CommunityID != 0 {
		args = append(args, f.CommunityID)
		s += fmt.Sprintf(" AND %s.community_id = $%d", alias, len(args))
	}
	return s, args, nil
}

// JointKPIs counts, per department or per subdistrict, how quickly the departments asked in period p
// acknowledged and acted, within the caller's territory narrowed by f.
func (s *Service) JointKPIs(ctx context.Context, who access.Principal, by string, p Period, f KPIFilter) (JointKPIReport, error) {
	if by == "" {
		by = JointByDepartment
	}
	rep := JointKPIReport{By: by, Period: p, AsOf: s.now().In(Beijing), Definitions: JointKPIDefinitions, Rows: []JointKPIRow{}}
	key := map[string]string{JointByDepartment: "d.department_id", JointBySubdistrict: "COALESCE(i.subdistrict_id, 0)"}[by]
	if key == "" {
		return rep, apperr.New(apperr.Invalid, "by %q is not department or subdistrict", by).With("field", "by")
	}
	if who.Role != access.DepartmentLiaison {
		if _, _, err := kpiScope(who, "i", nil); err != nil {
			return rep, err
		}
	}
	err := s.kpiTx(ctx, func(db database.Querier) error {
		if err := f.check(ctx, db, who); err != nil {
			return err
		}
		where, args, err := jointWhere(who, f, []any{p.From, p.To})
		if err != nil {
			return err
		}
		rows := map[int64]*JointKPIRow{}
		row := func(k int64, total bool) *JointKPIRow {
			if total {
				return &rep.Total
			}
			if rows[k] == nil {
				rows[k] = &JointKPIRow{ID: k}
			}
			return rows[k]
		}
		if err := jointFigures(ctx, db, key, where, args, row); err != nil {
			return err
		}
		nowWhere, nowArgs, err := jointWhere(who, f, nil)
		if err != nil {
			return err
		}
		if err := jointPendingNow(ctx, db, key, nowWhere, nowArgs, row); err != nil {
			return err
		}
		for _, r := range rows {
			rep.Rows = append(rep.Rows, *r)
		}
		slices.SortFunc(rep.Rows, func(a, b JointKPIRow) int { return int(a.ID - b.ID) })
		rep.Total.Name = "合计"
		q := `SELECT id, name FROM department_directory WHERE id = ANY($1::bigint[])`
		if by == JointBySubdistrict {
			q = `SELECT id, name FROM unit_directory WHERE id = ANY($1::bigint[])`
		}
		ids := make([]int64, 0, len(rep.Rows))
		for _, r := range rep.Rows {
			ids = append(ids, r.ID)
		}
		names, err := idNames(ctx, db, q, ids)
		for i := range rep.Rows {
			rep.Rows[i].Name = names[rep.Rows[i].ID]
		}
		return err
	})
	return rep, err
}

func jointFigures(ctx context.Context, db database.Querier, key, where string, args []any, row func(int64, bool) *JointKPIRow) error {
	rows, err := db.Query(ctx, `WITH p AS (
			SELECT `+key+` AS k, d.requested_at, d.holder_person_id IS NULL AS vacant,
				COALESCE(d.withdrawn_at < $2, false) AS withdrawn,
				CASE WHEN d.acknowledged_at < $2 THEN extract(epoch FROM d.acknowledged_at - d.requested_at) END AS ack,
				extract(epoch FROM (SELECT min(a.at) FROM incident_joint_action a WHERE a.participation_id = d.id AND a.recorded_at < $2
					AND (a.voided_at IS NULL OR a.voided_at >= $2)) - d.requested_at) AS first
			FROM incident_department d JOIN incident i ON i.id = d.incident_id
			WHERE d.requested_at >= $1 AND d.requested_at < $2 AND `+where+`)
		SELECT GROUPING(k) = 1, COALESCE(k, 0), count(*), count(*) FILTER (WHERE vacant), count(*) FILTER (WHERE withdrawn),
			count(ack) FILTER (WHERE NOT withdrawn), count(*) FILTER (WHERE NOT withdrawn AND ack IS NULL),
			percentile_cont(0.5) WITHIN GROUP (ORDER BY ack) FILTER (WHERE NOT withdrawn),
			avg(ack) FILTER (WHERE NOT withdrawn),
			count(first) FILTER (WHERE NOT withdrawn),
			percentile_cont(0.5) WITHIN GROUP (ORDER BY first) FILTER (WHERE NOT withdrawn),
			avg(first) FILTER (WHERE NOT withdrawn)
		FROM p GROUP BY GROUPING SETS ((k), ())`, args...)
	if err != nil {
		return translate(err, "count joint KPIs")
	}
	var total bool
	var k int64
	var f JointKPIFigures
	_, err = pgx.ForEachRow(rows, []any{&total, &k, &f.Requested, &f.Vacant, &f.Withdrawn, &f.Acknowledged, &f.Pending,
		&f.MedianAckSec, &f.MeanAckSec, &f.Acted, &f.MedianFirstSec, &f.MeanFirstSec}, func() error {
		row(k, total).JointKPIFigures = f
		return nil
	})
	return translate(err, "count joint KPIs")
}

func jointPendingNow(ctx context.Context, db database.Querier, key, where string, args []any, row func(int64, bool) *JointKPIRow) error {
	rows, err := db.Query(ctx, `SELECT GROUPING(`+key+`) = 1, COALESCE(`+key+`, 0), count(*)
		FROM incident_department d JOIN incident i ON i.id = d.incident_id
		WHERE d.acknowledged_at IS NULL AND d.withdrawn_at IS NULL AND i.status = 'joint_enforcement' AND `+where+`
		GROUP BY GROUPING SETS ((`+key+`), ())`, args...)
	if err != nil {
		return translate(err, "count pending acknowledgements")
	}
	var total bool
	var k, n int64
	_, err = pgx.ForEachRow(rows, []any{&total, &k, &n}, func() error {
		row(k, total).PendingNow = n
		return nil
	})
	return translate(err, "count pending acknowledgements")
}

var jointKPIHeader = []string{"id", "name", "requested", "vacant", "withdrawn", "acknowledged", "pending", "median_ack_seconds",
	"mean_ack_seconds", "acted", "median_first_action_seconds", "mean_first_action_seconds", "pending_now"}

func (r JointKPIRow) cells() []string {
	sec := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', 0, 64)
	}
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	return []string{i(r.ID), r.Name, i(r.Requested), i(r.Vacant), i(r.Withdrawn), i(r.Acknowledged), i(r.Pending),
		sec(r.MedianAckSec), sec(r.MeanAckSec), i(r.Acted), sec(r.MedianFirstSec), sec(r.MeanFirstSec), i(r.PendingNow)}
}

func (rep JointKPIReport) table() [][]string {
	out := [][]string{jointKPIHeader}
	for _, r := range rep.Rows {
		out = append(out, r.cells())
	}
	total := rep.Total.cells()
	total[0] = ""
	return append(out, total)
}

// WriteCSV writes the rows, then the totals row, as CSV.
func (rep JointKPIReport) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(rep.table()); err != nil {
		return err
	}
	return cw.Error()
}

// WriteXLSX writes the rows as a workbook whose counts stay numbers, with a sheet of definitions.
func (rep JointKPIReport) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "联合执法部门指标"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	if err := writeSheet(f, sheet, rep.table()); err != nil {
		return err
	}
	if _, err := f.NewSheet("说明"); err != nil {
		return err
	}
	notes := [][]string{{"by", rep.By}, {"period", rep.Period.Label}, {"from", rep.Period.From.Format(time.RFC3339)},
		{"to (exclusive)", rep.Period.To.Format(time.RFC3339)}, {"as_of", rep.AsOf.Format(time.RFC3339)}, {"definitions", rep.Definitions}}
	if err := writeSheet(f, "说明", notes); err != nil {
		return err
	}
	return f.Write(w)
}
