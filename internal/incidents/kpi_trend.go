package incidents

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/database"
)

// Trend intervals: the buckets of a trend series, in Beijing dates; weeks start on Monday.
const (
	TrendDay   = "day"
	TrendWeek  = "week"
	TrendMonth = "month"
)

// MaxTrendBuckets bounds one trend: a year and a month of days fit.
const MaxTrendBuckets = 400

// trendWeeks is the span of a trend asked for without dates: this week and the eleven before it.
const trendWeeks = 12

// TrendRange is a checked trend request: what to group by, the buckets, and the instants they cover
// ([Start, End): whole buckets, from the one containing From to the one containing To).
type TrendRange struct {
	Interval   string
	By         KPIBy // byDistrict, BySubdistrict or ByCommunity
	From, To   time.Time
	Start, End time.Time
	Buckets    []time.Time
}

// ParseTrend reads a trend request from outside: interval day|week|month (default week), from and to
// Beijing dates, both inclusive (default: the last 12 weeks up to today), by district|subdistrict|
// community (default district).
func ParseTrend(interval, from, to, by string, now time.Time) (TrendRange, error) {
	if interval == "" {
		interval = TrendWeek
	}
	if interval != TrendDay && interval != TrendWeek && interval != TrendMonth {
		return TrendRange{}, apperr.New(apperr.Invalid, "interval %q is not one of day, week, month", interval).With("field", "interval")
	}
	r := TrendRange{Interval: interval, By: KPIBy(by)}
	switch r.By {
	case "":
		r.By = byDistrict
	case byDistrict, BySubdistrict, ByCommunity:
	default:
		return TrendRange{}, apperr.New(apperr.Invalid, "by %q is not one of district, subdistrict, community", by).With("field", "by")
	}
	y, m, d := now.In(Beijing).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, Beijing)
	r.To, r.From = today, bucketStart(TrendWeek, today).AddDate(0, 0, -7*(trendWeeks-1))
	for _, v := range []struct {
		name, raw string
		dst       *time.Time
	}{{"from", from, &r.From}, {"to", to, &r.To}} {
		if v.raw == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, v.raw, Beijing)
		if err != nil {
			return TrendRange{}, apperr.New(apperr.Malformed, "%s %q is not a date YYYY-MM-DD", v.name, v.raw).With("field", v.name)
		}
		*v.dst = t
	}
	if r.To.Before(r.From) {
		return TrendRange{}, apperr.New(apperr.Invalid, "from %s is after to %s", r.From.Format(time.DateOnly), r.To.Format(time.DateOnly)).With("field", "from")
	}
	r.Start = bucketStart(interval, r.From)
	for b := r.Start; !b.After(r.To); b = nextBucket(interval, b) {
		if len(r.Buckets) == MaxTrendBuckets {
			return TrendRange{}, apperr.New(apperr.Invalid, "more than %d %ss from %s to %s; ask for a longer interval or a shorter span",
				MaxTrendBuckets, interval, r.From.Format(time.DateOnly), r.To.Format(time.DateOnly)).With("field", "to")
		}
		r.Buckets = append(r.Buckets, b)
		r.End = nextBucket(interval, b)
	}
	return r, nil
}

func bucketStart(interval string, t time.Time) time.Time {
	y, m, d := t.In(Beijing).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, Beijing)
	switch interval {
	case TrendWeek:
		return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	case TrendMonth:
		return time.Date(y, m, 1, 0, 0, 0, 0, Beijing)
	}
	return day
}

func nextBucket(interval string, b time.Time) time.Time {
	switch interval {
	case TrendWeek:
		return b.AddDate(0, 0, 7)
	case TrendMonth:
		return b.AddDate(0, 1, 0)
	}
	return b.AddDate(0, 0, 1)
}

// KPITrend is the answer of a trend: one series per group, each with every bucket.
type KPITrend struct {
	Interval string        `json:"interval"`
	From     string        `json:"from"`
	To       string        `json:"to"`
	By       string        `json:"by"`
	Series   []TrendSeries `json:"series"`
}

// TrendSeries is one group's points; Key is its unit's id ("0": cases in no such unit; "district"
// for the whole district).
type TrendSeries struct {
	Key    string       `json:"key"`
	Name   string       `json:"name"`
	Points []TrendPoint `json:"points"`
}

// TrendPoint counts one bucket: cases reported in it, cases closed in it (their last closure, and not
// reopened since), and cases that went overdue in it (their first 'overdue' or 'escalated' event: a
// due time passed while they were open).
type TrendPoint struct {
	Start   string `json:"start"`
	Opened  int64  `json:"opened"`
	Closed  int64  `json:"closed"`
	Overdue int64  `json:"overdue"`
}

// trendSQL reads the day counts of incident_kpi_day (migration 0018), which its triggers keep from
// the case summaries, so that a year costs its days, not its cases; the buckets are summed here.
const trendSQL = `SELECT %s AS k, d.day, sum(d.opened), sum(d.closed), sum(d.overdue)
	FROM incident_kpi_day d WHERE d.day >= $1::date AND d.day < $2::date AND %s
	GROUP BY 1, 2`

// Trend counts the trend series of r in the caller's KPI scope narrowed by f.
func (s *Service) Trend(ctx context.Context, who access.Principal, r TrendRange, f KPIFilter) (KPITrend, error) {
	out := KPITrend{Interval: r.Interval, From: r.From.Format(time.DateOnly), To: r.To.Format(time.DateOnly), By: string(r.By), Series: []TrendSeries{}}
	where, args, err := f.where(who, "d", []any{r.Start.Format(time.DateOnly), r.End.Format(time.DateOnly)})
	if err != nil {
		return out, err
	}
	key := map[KPIBy]string{byDistrict: "0::bigint", BySubdistrict: "d.subdistrict_id", ByCommunity: "d.community_id"}[r.By]
	if key == "" {
		return out, apperr.New(apperr.Invalid, "by %q is not one of district, subdistrict, community", r.By).With("field", "by")
	}
	err = s.kpiTx(ctx, func(db database.Querier) error {
		if err := f.check(ctx, db, who); err != nil {
			return err
		}
		series := map[int64][]TrendPoint{}
		if r.By == byDistrict {
			series[0] = nil // the district has a series even with no cases
		}
		rows, err := db.Query(ctx, fmt.Sprintf(trendSQL, key, where), args...)
		if err != nil {
			return translate(err, "count the trend")
		}
		var k int64
		var day time.Time
		var opened, closed, overdue int64
		_, err = pgx.ForEachRow(rows, []any{&k, &day, &opened, &closed, &overdue}, func() error {
			i := r.bucketOf(day)
			if i < 0 {
				return fmt.Errorf("trend day %s is outside the range", day.Format(time.DateOnly))
			}
			pts := series[k]
			if pts == nil {
				pts = r.points()
				series[k] = pts
			}
			pts[i].Opened += opened
			pts[i].Closed += closed
			pts[i].Overdue += overdue
			return nil
		})
		if err != nil {
			return translate(err, "count the trend")
		}
		return s.nameSeries(ctx, db, r, series, &out)
	})
	return out, err
}

// bucketOf is the index of the bucket holding day (a date as the database returns it: midnight UTC),
// or -1.
func (r TrendRange) bucketOf(day time.Time) int {
	b := bucketStart(r.Interval, time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, Beijing))
	i, ok := slices.BinarySearchFunc(r.Buckets, b, func(x, t time.Time) int { return x.Compare(t) })
	if !ok {
		return -1
	}
	return i
}

func (r TrendRange) points() []TrendPoint {
	pts := make([]TrendPoint, len(r.Buckets))
	for i, b := range r.Buckets {
		pts[i].Start = b.Format(time.DateOnly)
	}
	return pts
}

// nameSeries names the series from the registry's unit directory, in one query, and sorts them by name.
func (s *Service) nameSeries(ctx context.Context, db database.Querier, r TrendRange, series map[int64][]TrendPoint, out *KPITrend) error {
	names := map[int64]string{}
	if r.By == byDistrict {
		names[0] = "全区"
	} else {
		ids := make([]int64, 0, len(series))
		for k := range series {
			ids = append(ids, k)
		}
		var err error
		if names, err = idNames(ctx, db, nameSQL[BySubdistrict], ids); err != nil {
			return err
		}
	}
	for k, pts := range series {
		if pts == nil {
			pts = r.points()
		}
		key := strconv.FormatInt(k, 10)
		if r.By == byDistrict {
			key = string(byDistrict)
		}
		out.Series = append(out.Series, TrendSeries{Key: key, Name: names[k], Points: pts})
	}
	slices.SortFunc(out.Series, func(a, b TrendSeries) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(len(a.Key), len(b.Key)), cmp.Compare(a.Key, b.Key))
	})
	return nil
}
