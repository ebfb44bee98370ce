package operations

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// Beijing is the time zone operations are planned, listed and printed in.
var Beijing = time.FixedZone("CST", 8*3600)

// Filter selects operations: those that overlap [From, To), of a subdistrict, a state, a department.
type Filter struct {
	From, To      *time.Time
	SubdistrictID int64
	State         State
	DepartmentID  int64
	Limit         int // 0: 500
}

// MaxList is the most operations one list answers.
const MaxList = 500

// CheckState refuses a state that is not one of States.
func CheckState(s string) (State, error) {
	if s == "" || slices.Contains(States, State(s)) {
		return State(s), nil
	}
	return "", apperr.New(apperr.Invalid, "state %q is not one of planned, under_way, outcome_overdue, done, cancelled", s).With("field", "state")
}

// List answers the operations who may read that f selects, soonest first.
func (s *Store) List(ctx context.Context, who access.Principal, f Filter) ([]Summary, error) {
	if f.Limit <= 0 || f.Limit > MaxList {
		f.Limit = MaxList
	}
	if f.From != nil && f.To != nil && !f.To.After(*f.From) {
		return nil, apperr.New(apperr.Invalid, "to must come after from").With("field", "to")
	}
	args := []any{s.now()}
	where, args := readPredicate(who, args)
	conds := []string{where}
	if f.From != nil {
		args = append(args, *f.From)
		conds = append(conds, fmt.Sprintf("o.ends_at > $%d", len(args)))
	}
	if f.To != nil {
		args = append(args, *f.To)
		conds = append(conds, fmt.Sprintf("o.starts_at < $%d", len(args)))
	}
	if f.SubdistrictID != 0 {
		args = append(args, f.SubdistrictID)
		conds = append(conds, fmt.Sprintf("o.subdistrict_id = $%d", len(args)))
	}
	if f.DepartmentID != 0 {
		args = append(args, f.DepartmentID)
		conds = append(conds, fmt.Sprintf("EXISTS (SELECT 1 FROM operation_department d WHERE d.operation_id = o.id AND d.department_id = $%d)", len(args)))
	}
	if f.State != "" {
		args = append(args, string(f.State))
		conds = append(conds, fmt.Sprintf("(%s) = $%d", stateSQL, len(args)))
	}
	args = append(args, f.Limit)
	rows, err := s.db.Query(ctx, `SELECT `+summaryColumns+` FROM operation o LEFT JOIN unit_directory u ON u.id = o.subdistrict_id
		WHERE `+strings.Join(conds, " AND ")+fmt.Sprintf(` ORDER BY o.starts_at, o.id LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("list operations: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Summary, error) { return scanSummary(r) })
	if err != nil {
		return nil, fmt.Errorf("list operations: %w", err)
	}
	if out == nil {
		out = []Summary{}
	}
	return out, nil
}

// Day is one day of a month's calendar with the operations that run on it (Beijing time).
type Day struct {
	Date       string    `json:"date"`
	Operations []Summary `json:"operations"`
}

// Calendar is a month of operations by day.
type Calendar struct {
	Month string `json:"month"`
	Days  []Day  `json:"days"`
}

// ParseMonth reads YYYY-MM; empty is the month of now in Beijing.
func ParseMonth(m string, now time.Time) (time.Time, error) {
	if m == "" {
		n := now.In(Beijing)
		return time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, Beijing), nil
	}
	t, err := time.ParseInLocation("2006-01", m, Beijing)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, apperr.New(apperr.Invalid, "month %q is not YYYY-MM between 2000 and 2100", m).With("field", "month")
	}
	return t, nil
}

// Calendar answers the month's operations that who may read, under each day they run on; f's From
// and To are the month's.
func (s *Store) Calendar(ctx context.Context, who access.Principal, month string, f Filter) (Calendar, error) {
	first, err := ParseMonth(month, s.now())
	if err != nil {
		return Calendar{}, err
	}
	next := first.AddDate(0, 1, 0)
	f.From, f.To = &first, &next
	ops, err := s.List(ctx, who, f)
	if err != nil {
		return Calendar{}, err
	}
	cal := Calendar{Month: first.Format("2006-01")}
	for d := first; d.Before(next); d = d.AddDate(0, 0, 1) {
		day := Day{Date: d.Format("2006-01-02"), Operations: []Summary{}}
		end := d.AddDate(0, 0, 1)
		for _, op := range ops {
			if op.StartsAt.Before(end) && op.EndsAt.After(d) {
				day.Operations = append(day.Operations, op)
			}
		}
		cal.Days = append(cal.Days, day)
	}
	return cal, nil
}

// ParseBound reads a list's from or to: a Beijing date (YYYY-MM-DD; as to, the end of that day) or
// an RFC 3339 time. Empty is no bound.
func ParseBound(name, raw string) (*time.Time, error) {
	if raw == "" {
		return nil, nil
	}
	t, err := time.ParseInLocation("2006-01-02", raw, Beijing)
	if err == nil && name == "to" {
		t = t.AddDate(0, 0, 1)
	}
	if err != nil {
		t, err = time.Parse(time.RFC3339, raw)
	}
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return nil, apperr.New(apperr.Malformed, "query parameter %s: %q is not a date (YYYY-MM-DD) or an RFC 3339 time between 2000 and 2100", name, raw).With("field", name)
	}
	return &t, nil
}
