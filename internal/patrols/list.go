package patrols

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
)

// Filter selects patrols; zero fields match everything in scope. Day, From and To are Beijing dates
// (From and To inclusive); without any, the last seven days.
type Filter struct {
	PersonID int64
	AreaID   int64
	Day      string
	From, To string
	Suspect  *bool
	Limit    int // default 100, at most MaxListed
}

// MaxListed caps one list; MaxDays one period.
const (
	MaxListed = 1000
	MaxDays   = 93
)

// period reads the Beijing dates of a filter into a half-open range of instants.
func period(day, from, to string, now time.Time) (time.Time, time.Time, error) {
	parse := func(field, s string) (time.Time, error) {
		t, err := time.ParseInLocation(time.DateOnly, s, incidents.Beijing)
		if err != nil {
			return t, apperr.New(apperr.Malformed, "%s %q is not a date YYYY-MM-DD", field, clip(s)).With("field", field)
		}
		return t, nil
	}
	if day != "" {
		if from != "" || to != "" {
			return time.Time{}, time.Time{}, apperr.New(apperr.Invalid, "give day, or from and to, not both").With("field", "day")
		}
		d, err := parse("day", day)
		return d, d.AddDate(0, 0, 1), err
	}
	today := now.In(incidents.Beijing)
	end := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, incidents.Beijing)
	var err error
	if to != "" {
		if end, err = parse("to", to); err != nil {
			return end, end, err
		}
	}
	start := end.AddDate(0, 0, -6)
	if from != "" {
		if start, err = parse("from", from); err != nil {
			return start, end, err
		}
	}
	switch {
	case end.Before(start):
		return start, end, apperr.New(apperr.Invalid, "from %s is after to %s", from, to).With("field", "from")
	case end.Sub(start) > MaxDays*24*time.Hour:
		return start, end, apperr.New(apperr.Invalid, "at most %d days at once", MaxDays).With("field", "from")
	}
	return start, end.AddDate(0, 0, 1), nil
}

// List lists the patrols in the caller's scope that began in the filter's days, newest first.
// Voided patrols are listed, marked, and count in no report.
func (s *Store) List(ctx context.Context, who access.Principal, f Filter) ([]Patrol, error) {
	if !who.SignedIn() {
		return nil, apperr.New(apperr.Unauthorized, "sign in first")
	}
	from, to, err := period(f.Day, f.From, f.To, s.now())
	if err != nil {
		return nil, err
	}
	switch {
	case f.PersonID < 0 || f.AreaID < 0 || f.Limit < 0:
		return nil, apperr.New(apperr.Invalid, "person, area and limit must be positive").With("field", "person")
	case f.Limit == 0:
		f.Limit = 100
	case f.Limit > MaxListed:
		f.Limit = MaxListed
	}
	args := []any{from, to, f.Limit}
	conds := []string{"p.started_at >= $1", "p.started_at < $2"}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(args))))
	}
	if f.PersonID != 0 {
		add("p.person_id = $?", f.PersonID)
	}
	if f.AreaID != 0 {
		add("p.id IN (SELECT patrol_id FROM patrol_area WHERE area_id = $?)", f.AreaID)
	}
	if f.Suspect != nil {
		add("p.state = 'ended' AND p.suspect = $?", *f.Suspect)
	}
	where, args := readScope(who, args)
	conds = append(conds, where)
	rows, err := s.db.Query(ctx, patrolSelect+patrolFrom+` WHERE `+strings.Join(conds, " AND ")+` ORDER BY p.started_at DESC, p.id LIMIT $3`, args...)
	if err != nil {
		return nil, fmt.Errorf("list patrols: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Patrol, error) { return scanPatrol(r) })
	if err != nil {
		return nil, fmt.Errorf("list patrols: %w", err)
	}
	return list, nil
}

// ReportBy is what a report's rows are.
type ReportBy string

const (
	ByPerson    ReportBy = "person"
	ByArea      ReportBy = "area"
	ByCommunity ReportBy = "community"
)

// ReportRow is one person's, area's or community's patrols of the period. Distance, time and
// coverage are of the credible patrols only: a flagged patrol counts apart, and for nothing else.
type ReportRow struct {
	ID           int64    `json:"id"`
	Name         string   `json:"name"`
	Patrols      int      `json:"patrols"`
	Credible     int      `json:"credible"`
	Suspect      int      `json:"suspect"`
	Km           float64  `json:"km"`
	Minutes      float64  `json:"minutes"`
	MeanCoverage *float64 `json:"mean_coverage"` // null: no credible patrol with an assigned area
}

// Report is the patrols of a period, by person, area or community.
type Report struct {
	By   ReportBy    `json:"by"`
	From string      `json:"from"`
	To   string      `json:"to"` // inclusive
	Rows []ReportRow `json:"rows"`
}

// Report counts the ended, not voided patrols in the caller's scope that began in the period.
func (s *Store) Report(ctx context.Context, who access.Principal, by ReportBy, day, from, to string) (Report, error) {
	if !who.SignedIn() {
		return Report{}, apperr.New(apperr.Unauthorized, "sign in first")
	}
	start, end, err := period(day, from, to, s.now())
	if err != nil {
		return Report{}, err
	}
	// key is the row's id and name; cov the coverage a row averages (an area's own share).
	var key, name, join, cov string
	switch by {
	case ByPerson, "":
		by, key, name, cov = ByPerson, "p.person_id", "(SELECT name FROM person_directory WHERE id = p.person_id)", "p.coverage"
	case ByArea:
		key, name, join, cov = "pa.area_id", "(SELECT name FROM area_directory WHERE id = pa.area_id)", " JOIN patrol_area pa ON pa.patrol_id = p.id", "pa.coverage"
	case ByCommunity:
		key, name, cov = "COALESCE(p.community_id, 0)", "COALESCE((SELECT name FROM unit_directory WHERE id = p.community_id), '')", "p.coverage"
	default:
		return Report{}, apperr.New(apperr.Invalid, "by %q is not person, area or community", clip(string(by))).With("field", "by")
	}
	where, args := readScope(who, []any{start, end})
	rows, err := s.db.Query(ctx, `SELECT k, max(n), count(*), count(*) FILTER (WHERE NOT suspect), count(*) FILTER (WHERE suspect),
			COALESCE(sum(distance_m) FILTER (WHERE NOT suspect), 0) / 1000, COALESCE(sum(moving_s) FILTER (WHERE NOT suspect), 0) / 60.0,
			avg(c) FILTER (WHERE NOT suspect)
		FROM (SELECT `+key+` AS k, `+name+` AS n, p.suspect, p.distance_m, p.moving_s, `+cov+` AS c
			FROM patrol p`+join+` WHERE p.state = 'ended' AND p.started_at >= $1 AND p.started_at < $2 AND `+where+`) x
		GROUP BY k ORDER BY k`, args...)
	if err != nil {
		return Report{}, fmt.Errorf("patrol report: %w", err)
	}
	out := Report{By: by, From: start.Format(time.DateOnly), To: end.AddDate(0, 0, -1).Format(time.DateOnly)}
	out.Rows, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ReportRow, error) {
		var x ReportRow
		var n *string
		err := r.Scan(&x.ID, &n, &x.Patrols, &x.Credible, &x.Suspect, &x.Km, &x.Minutes, &x.MeanCoverage)
		if n != nil {
			x.Name = *n
		}
		return x, err
	})
	if err != nil {
		return Report{}, fmt.Errorf("patrol report: %w", err)
	}
	return out, nil
}
