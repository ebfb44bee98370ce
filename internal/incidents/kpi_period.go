package incidents

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"streetchief/internal/apperr"
)

// Beijing is the time zone the assessment counts in. China has kept UTC+8 without daylight saving
// since 1991, so a fixed zone is exact for every period the platform holds and needs no tz database.
var Beijing = time.FixedZone("Asia/Shanghai", 8*3600)

// Period kinds a KPI request may pick; "custom" is a from/to pair of dates.
const (
	PeriodDay     = "day"
	PeriodWeek    = "week" // ISO 8601: Monday to Sunday
	PeriodMonth   = "month"
	PeriodQuarter = "quarter"
	PeriodYear    = "year"
	PeriodCustom  = "custom"
)

// MaxPeriodDays bounds one request: a leap year fits, three years do not.
const MaxPeriodDays = 366

// Period is the half-open interval [From, To) of Beijing time a KPI is counted over.
type Period struct {
	Kind     string    `json:"kind"`
	Label    string    `json:"label"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	TimeZone string    `json:"time_zone"`
}

var (
	weekLabel    = regexp.MustCompile(`^(\d{4})-W(\d{2})$`)
	quarterLabel = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)
)

// ParsePeriod reads a period from outside: kind with at (2026-11-05, 2026-W45, 2026-11, 2026-Q4,
// 2026; empty: the one containing now), or kind custom (or empty) with from and to, dates whose to is
// inclusive (from=2026-11-01&to=2026-11-30 is November).
func ParsePeriod(kind, at, from, to string, now time.Time) (Period, error) {
	if kind == "" {
		kind = PeriodMonth
		if from != "" || to != "" {
			kind = PeriodCustom
		}
	}
	if kind == PeriodCustom {
		if at != "" {
			return Period{}, apperr.New(apperr.Invalid, "a custom period takes from and to, not at").With("field", "at")
		}
		return customPeriod(from, to)
	}
	if from != "" || to != "" {
		return Period{}, apperr.New(apperr.Invalid, "from/to make a custom period; do not combine them with period=%s", kind).With("field", "period")
	}
	start, err := periodStart(kind, at, now.In(Beijing))
	if err != nil {
		return Period{}, err
	}
	return calendarPeriod(kind, start), nil
}

func customPeriod(from, to string) (Period, error) {
	if from == "" || to == "" {
		return Period{}, apperr.New(apperr.Invalid, "a custom period needs both from and to (YYYY-MM-DD)").With("field", "from")
	}
	f, err := time.ParseInLocation(time.DateOnly, from, Beijing)
	if err != nil {
		return Period{}, apperr.New(apperr.Malformed, "from %q is not a date YYYY-MM-DD", from).With("field", "from")
	}
	t, err := time.ParseInLocation(time.DateOnly, to, Beijing)
	if err != nil {
		return Period{}, apperr.New(apperr.Malformed, "to %q is not a date YYYY-MM-DD", to).With("field", "to")
	}
	if t.Before(f) {
		return Period{}, apperr.New(apperr.Invalid, "from %s is after to %s", from, to).With("field", "from")
	}
	end := t.AddDate(0, 0, 1)
	if days(f, end) > MaxPeriodDays {
		return Period{}, apperr.New(apperr.Invalid, "a period may span at most %d days; ask for shorter ones", MaxPeriodDays).With("field", "to")
	}
	return Period{Kind: PeriodCustom, Label: from + "/" + to, From: f, To: end, TimeZone: Beijing.String()}, nil
}

func days(from, to time.Time) int { return int(to.Sub(from).Hours()+0.5) / 24 }

// periodStart is the first instant of the calendar period of kind named by at.
func periodStart(kind, at string, now time.Time) (time.Time, error) {
	bad := func(form string) (time.Time, error) {
		return time.Time{}, apperr.New(apperr.Malformed, "at %q is not a %s (%s)", at, kind, form).With("field", "at")
	}
	y, m, d := now.Date()
	switch kind {
	case PeriodDay:
		if at == "" {
			return time.Date(y, m, d, 0, 0, 0, 0, Beijing), nil
		}
		t, err := time.ParseInLocation(time.DateOnly, at, Beijing)
		if err != nil {
			return bad("YYYY-MM-DD")
		}
		return t, nil
	case PeriodWeek:
		if at == "" {
			day := time.Date(y, m, d, 0, 0, 0, 0, Beijing)
			return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7)), nil
		}
		g := weekLabel.FindStringSubmatch(at)
		if g == nil {
			return bad("YYYY-Www")
		}
		year, _ := strconv.Atoi(g[1])
		week, _ := strconv.Atoi(g[2])
		// ISO week 1 is the one with the year's first Thursday, i.e. the one containing 4 January.
		jan4 := time.Date(year, 1, 4, 0, 0, 0, 0, Beijing)
		start := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+7*(week-1))
		if y2, w2 := start.ISOWeek(); week < 1 || y2 != year || w2 != week {
			return bad("YYYY-Www with a week the year has")
		}
		return start, nil
	case PeriodMonth:
		if at == "" {
			return time.Date(y, m, 1, 0, 0, 0, 0, Beijing), nil
		}
		t, err := time.ParseInLocation("2006-01", at, Beijing)
		if err != nil {
			return bad("YYYY-MM")
		}
		return t, nil
	case PeriodQuarter:
		if at == "" {
			return time.Date(y, (m-1)/3*3+1, 1, 0, 0, 0, 0, Beijing), nil
		}
		g := quarterLabel.FindStringSubmatch(at)
		if g == nil {
			return bad("YYYY-Qn")
		}
		year, _ := strconv.Atoi(g[1])
		q, _ := strconv.Atoi(g[2])
		return time.Date(year, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, Beijing), nil
	case PeriodYear:
		if at == "" {
			return time.Date(y, 1, 1, 0, 0, 0, 0, Beijing), nil
		}
		t, err := time.ParseInLocation("2006", at, Beijing)
		if err != nil {
			return bad("YYYY")
		}
		return t, nil
	}
	return time.Time{}, apperr.New(apperr.Invalid, "period %q is not one of day, week, month, quarter, year, custom", kind).With("field", "period")
}

// calendarPeriod is the period of kind that starts at start.
func calendarPeriod(kind string, start time.Time) Period {
	p := Period{Kind: kind, From: start, TimeZone: Beijing.String()}
	switch kind {
	case PeriodDay:
		p.To, p.Label = start.AddDate(0, 0, 1), start.Format(time.DateOnly)
	case PeriodWeek:
		y, w := start.ISOWeek()
		p.To, p.Label = start.AddDate(0, 0, 7), fmt.Sprintf("%04d-W%02d", y, w)
	case PeriodMonth:
		p.To, p.Label = start.AddDate(0, 1, 0), start.Format("2006-01")
	case PeriodQuarter:
		p.To, p.Label = start.AddDate(0, 3, 0), fmt.Sprintf("%04d-Q%d", start.Year(), (int(start.Month())-1)/3+1)
	case PeriodYear:
		p.To, p.Label = start.AddDate(1, 0, 0), start.Format("2006")
	}
	return p
}

// Previous is the period a trend is measured against: the calendar period before (October for
// November, even though it has 31 days), or for a custom period the same number of days just before.
func (p Period) Previous() Period {
	switch p.Kind {
	case PeriodCustom:
		n := days(p.From, p.To)
		f := p.From.AddDate(0, 0, -n)
		return Period{Kind: PeriodCustom, From: f, To: p.From, TimeZone: p.TimeZone,
			Label: f.Format(time.DateOnly) + "/" + p.From.AddDate(0, 0, -1).Format(time.DateOnly)}
	case PeriodDay:
		return calendarPeriod(p.Kind, p.From.AddDate(0, 0, -1))
	case PeriodWeek:
		return calendarPeriod(p.Kind, p.From.AddDate(0, 0, -7))
	case PeriodMonth:
		return calendarPeriod(p.Kind, p.From.AddDate(0, -1, 0))
	case PeriodQuarter:
		return calendarPeriod(p.Kind, p.From.AddDate(0, -3, 0))
	}
	return calendarPeriod(p.Kind, p.From.AddDate(-1, 0, 0))
}
