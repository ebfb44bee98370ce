package assessment

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"streetchief/internal/incidents"
)

// Kind is what a period is: a month (小考) or a quarter (大考).
type Kind string

const (
	Month   Kind = "month"
	Quarter Kind = "quarter"
)

// Period is one assessed month or quarter: [Starts, Ends) in Beijing days.
type Period struct {
	Kind   Kind      `json:"kind"`
	Label  string    `json:"label"` // 2026-03, 2026-Q1
	Starts time.Time `json:"starts"`
	Ends   time.Time `json:"ends"` // exclusive
}

var (
	monthLabel   = regexp.MustCompile(`^(\d{4})-(0[1-9]|1[0-2])$`)
	quarterLabel = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)
)

// ParsePeriod reads a period's kind and label from outside.
func ParsePeriod(kind, label string) (Period, error) {
	var m []string
	switch Kind(kind) {
	case Month:
		m = monthLabel.FindStringSubmatch(label)
	case Quarter:
		m = quarterLabel.FindStringSubmatch(label)
	default:
		return Period{}, invalid("kind", "period kind %q is not month or quarter", kind)
	}
	if m == nil {
		return Period{}, invalid("period", "%q is not a %s (write 2026-03 for a month, 2026-Q1 for a quarter)", label, kind)
	}
	year, _ := strconv.Atoi(m[1])
	n, _ := strconv.Atoi(m[2])
	if year < 2000 || year > 2100 {
		return Period{}, invalid("period", "year %d is outside 2000–2100", year)
	}
	if Kind(kind) == Month {
		return monthPeriod(year, time.Month(n)), nil
	}
	return quarterPeriod(year, n), nil
}

func monthPeriod(year int, month time.Month) Period {
	start := time.Date(year, month, 1, 0, 0, 0, 0, incidents.Beijing)
	return Period{Kind: Month, Label: start.Format("2006-01"), Starts: start, Ends: start.AddDate(0, 1, 0)}
}

func quarterPeriod(year, q int) Period {
	start := time.Date(year, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, incidents.Beijing)
	return Period{Kind: Quarter, Label: fmt.Sprintf("%04d-Q%d", year, q), Starts: start, Ends: start.AddDate(0, 3, 0)}
}

// Months are the three months of a quarter.
func (p Period) Months() []Period {
	if p.Kind != Quarter {
		return nil
	}
	out := make([]Period, 3)
	for i := range out {
		out[i] = monthPeriod(p.Starts.Year(), p.Starts.Month()+time.Month(i))
	}
	return out
}

// QuarterOf is the quarter a month belongs to.
func (p Period) QuarterOf() Period {
	return quarterPeriod(p.Starts.Year(), (int(p.Starts.Month())-1)/3+1)
}

// Previous is the period of the same kind just before p.
func (p Period) Previous() Period {
	if p.Kind == Month {
		prev := p.Starts.AddDate(0, -1, 0)
		return monthPeriod(prev.Year(), prev.Month())
	}
	prev := p.Starts.AddDate(0, -3, 0)
	return quarterPeriod(prev.Year(), (int(prev.Month())-1)/3+1)
}

// Next is the period of the same kind just after p.
func (p Period) Next() Period {
	if p.Kind == Month {
		return monthPeriod(p.Ends.Year(), p.Ends.Month())
	}
	return quarterPeriod(p.Ends.Year(), (int(p.Ends.Month())-1)/3+1)
}

// over reports whether the period has ended at now: results are published only then.
func (p Period) over(now time.Time) bool { return !now.Before(p.Ends) }

// lastDay is the period's last day, the day "as at the end" figures are taken on.
func (p Period) lastDay() time.Time { return p.Ends.AddDate(0, 0, -1) }
