package incidents

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/database"
)

// kpiEventsSQL picks the events the KPIs read: the changes into and out of the end states, and the
// markers of a passed due time. Migration 0017's partial index incident_event_kpi holds exactly these,
// and migration 0018's triggers fold exactly these into incident_kpi_case.
const kpiEventsSQL = `(e.to_status IN ('resolved', 'closed', 'reopened', 'rejected', 'duplicate') OR e.kind IN ('overdue', 'escalated'))`

// kpiCasesSQL is, per case reported in [$1, $2) and in scope (%[3]s, over alias c), how it stood at
// $2. A case whose last KPI event came before $2 stands at $2 as it stands now, so its summary row
// answers alone; that is every case of a period that has not yet ended, and all but the few of a past
// period that moved on after its end. Only those few have their events read, as the summary was
// built from them: closed, rejected and duplicate are left only by reopening (Next;
// TestKPIEndStatesLeftOnlyByReopening holds the workflow to it), so a case is closed at $2 when its
// last closure before $2 came after its last reopening, and excluded likewise. Events never precede
// their case's report, so only [$1, $2) is read.
const kpiCasesSQL = `SELECT %[1]s AS k, c.close_seconds AS close_sec, c.last_closed_at AS closed_at, c.first_late_at AS first_late,
		c.reworks, c.first_handled_at IS NOT NULL AS handled,
		COALESCE(c.last_closed_at > c.last_reopened_at OR (c.last_closed_at IS NOT NULL AND c.last_reopened_at IS NULL), false) AS closed,
		COALESCE(c.last_excluded_at > c.last_reopened_at OR (c.last_excluded_at IS NOT NULL AND c.last_reopened_at IS NULL), false) AS excluded
	FROM %[2]s
	WHERE c.reported_at >= $1 AND c.reported_at < $2 AND (c.last_event_at IS NULL OR c.last_event_at < $2) AND %[3]s
	UNION ALL
	SELECT %[1]s, extract(epoch FROM ev.closed_last - c.reported_at)::float8, ev.closed_last, ev.first_late, COALESCE(ev.reworks, 0), COALESCE(ev.handled, false),
		COALESCE(ev.closed_last > ev.reopened_last OR (ev.closed_last IS NOT NULL AND ev.reopened_last IS NULL), false),
		COALESCE(ev.out_last > ev.reopened_last OR (ev.out_last IS NOT NULL AND ev.reopened_last IS NULL), false)
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
			AND e.incident_id IN (SELECT c.incident_id FROM incident_kpi_case c
				WHERE c.reported_at >= $1 AND c.reported_at < $2 AND c.last_event_at >= $2 AND %[3]s)
		GROUP BY e.incident_id) ev ON ev.incident_id = c.incident_id
	WHERE c.reported_at >= $1 AND c.reported_at < $2 AND c.last_event_at >= $2 AND %[3]s`

// kpiAggregateSQL counts per group, by hashing, and hands over each group's closure times for the
// percentiles: sorting a year of cases by group and then by closure time in the database took longer
// than sending the times over and sorting them here (kpiPercentiles reproduces percentile_cont).
const kpiAggregateSQL = `SELECT COALESCE(k, 0), count(*),
	count(*) FILTER (WHERE excluded),
	count(*) FILTER (WHERE closed),
	count(*) FILTER (WHERE closed AND (first_late IS NULL OR first_late > closed_at)),
	count(*) FILTER (WHERE handled AND NOT excluded),
	count(*) FILTER (WHERE reworks > 0 AND NOT excluded),
	COALESCE(sum(reworks) FILTER (WHERE NOT excluded), 0),
	COALESCE(array_agg(close_sec) FILTER (WHERE closed), '{}')
	FROM (%s) c GROUP BY 1`

// totalKey holds the totals row in kpiFigures' answer; no unit, area, person or department has it.
const totalKey = -1

// kpiFigures counts the league of by over p, with the totals under totalKey: the sums of the groups,
// which partition the cases for every grouping but by department (whose totals departmentTotals
// counts over the district instead).
func (s *Service) kpiFigures(ctx context.Context, db database.Querier, who access.Principal, f KPIFilter, by KPIBy, p Period) (map[int64]KPIFigures, error) {
	where, args, err := f.where(who, "c", []any{p.From, p.To})
	if err != nil {
		return nil, err
	}
	key, from := by.keySQL("incident_kpi_case", "c")
	rows, err := db.Query(ctx, fmt.Sprintf(kpiAggregateSQL, fmt.Sprintf(kpiCasesSQL, key, from, where)), args...)
	if err != nil {
		return nil, translate(err, "count KPIs")
	}
	out := map[int64]KPIFigures{}
	var all [][]float64
	var total KPIFigures
	var k int64
	var fig KPIFigures
	var secs []float64
	_, err = pgx.ForEachRow(rows, []any{&k, &fig.Cases, &fig.Excluded, &fig.Closed, &fig.OnTime, &fig.Handled, &fig.Reworked,
		&fig.ReworkTransitions, &secs}, func() error {
		slices.Sort(secs)
		fig.MedianCloseSec, fig.P90CloseSec = percentileCont(secs, 0.5), percentileCont(secs, 0.9)
		out[k] = fig
		total.Cases, total.Excluded, total.Closed = total.Cases+fig.Cases, total.Excluded+fig.Excluded, total.Closed+fig.Closed
		total.OnTime, total.Handled, total.Reworked = total.OnTime+fig.OnTime, total.Handled+fig.Handled, total.Reworked+fig.Reworked
		total.ReworkTransitions += fig.ReworkTransitions
		all = append(all, secs)
		fig, secs = KPIFigures{}, nil
		return nil
	})
	if err != nil {
		return nil, translate(err, "count KPIs")
	}
	merged := slices.Concat(all...)
	if len(all) > 1 {
		slices.Sort(merged)
	}
	total.MedianCloseSec, total.P90CloseSec = percentileCont(merged, 0.5), percentileCont(merged, 0.9)
	out[totalKey] = total
	return out, nil
}

// percentileCont is PostgreSQL's percentile_cont over sorted: the value at fraction p of the way
// from the first to the last, interpolated linearly between the two rows either side, in the same
// floating-point steps (float8_lerp), so that a figure is the one the database would give; nil when
// there are no values.
func percentileCont(sorted []float64, p float64) *float64 {
	if len(sorted) == 0 {
		return nil
	}
	pos := p * float64(len(sorted)-1)
	first, second := math.Floor(pos), math.Ceil(pos)
	v := sorted[int(first)]
	if second > first {
		hi := sorted[int(second)]
		// The conversion rounds the product, so that no fused multiply-add changes the last bit.
		v += float64((pos - first) * (hi - v))
	}
	return &v
}

// overdueNow counts, per group, the open cases whose due time has passed or that went overdue.
func (s *Service) overdueNow(ctx context.Context, db database.Querier, who access.Principal, f KPIFilter, by KPIBy) (map[int64]int64, error) {
	where, args, err := f.where(who, "i", []any{s.now()})
	if err != nil {
		return nil, err
	}
	key, from := by.keySQL("incident", "i")
	rows, err := db.Query(ctx, fmt.Sprintf(`SELECT GROUPING(k), COALESCE(k, 0), count(*) FROM (SELECT %s AS k FROM %s
		WHERE i.status IN `+openStatusesSQL+` AND (i.due_at <= $1 OR i.overdue) AND %s) o GROUP BY GROUPING SETS ((k), ())`, key, from, where), args...)
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
