package partners

import (
	"encoding/json"
	"time"

	"streetchief/internal/apperr"
)

// Beijing is the wall clock of contracts: a date without a time is the start of that day there.
var Beijing = time.FixedZone("CST", 8*3600)

// earliest and the years ahead bound the dates a record may carry: property management began in
// China's cities in the 1980s, and a date past the bounds is a typing slip (0202, 9999).
var earliest = time.Date(1980, 1, 1, 0, 0, 0, 0, Beijing)

const yearsAhead = 30

// Moment is a time from outside: an RFC 3339 time, or a date (YYYY-MM-DD) meaning its first moment
// in Beijing. A contract "from 2024-01-01 until 2027-01-01" runs three whole years.
type Moment struct{ time.Time }

// ParseMoment reads a Moment; field names it in the error.
func ParseMoment(field, s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, Beijing); err == nil {
		return t, nil
	}
	return time.Time{}, apperr.New(apperr.Malformed, "%s %q is not a date (2026-03-03) or an RFC 3339 time (2026-03-03T09:00:00+08:00)", field, clip(s, 40)).With("field", field)
}

func (m *Moment) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return apperr.New(apperr.Malformed, "a date or time is a string such as \"2026-03-03\"")
	}
	t, err := ParseMoment("date", s)
	m.Time = t
	return err
}

// Day is a calendar date (a contract's signing), written YYYY-MM-DD.
type Day struct{ time.Time }

func (d *Day) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return apperr.New(apperr.Malformed, "a date is a string such as \"2026-03-03\"")
	}
	t, err := time.ParseInLocation(time.DateOnly, s, Beijing)
	if err != nil {
		return apperr.New(apperr.Malformed, "%q is not a date such as 2026-03-03", clip(s, 40)).With("field", "signed_on")
	}
	d.Time = t
	return nil
}

func (d Day) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.In(Beijing).Format(time.DateOnly))
}

// checkWhen bounds a record's moment to the register's years.
func checkWhen(field string, t, now time.Time) error {
	if t.Before(earliest) {
		return apperr.New(apperr.Invalid, "%s %s is before %s, the earliest the register accepts", field, t.Format(time.DateOnly), earliest.Format(time.DateOnly)).With("field", field)
	}
	if t.After(now.AddDate(yearsAhead, 0, 0)) {
		return apperr.New(apperr.Invalid, "%s %s is more than %d years ahead", field, t.Format(time.DateOnly), yearsAhead).With("field", field)
	}
	return nil
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
