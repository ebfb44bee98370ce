package merchants

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"streetchief/internal/apperr"
)

// vendorTZ is Beijing time, the zone every opening hour is written in. It has had no daylight saving
// since 1991, so a fixed offset needs no time-zone database on the server.
var vendorTZ = time.FixedZone("Asia/Shanghai", 8*3600)

// ClockTime is a time of day, in seconds after midnight.
type ClockTime int

// ParseClockTime reads "17:30" or "17:30:00".
func ParseClockTime(s string) (ClockTime, error) {
	for _, layout := range []string{"15:04", "15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return ClockTime(t.Hour()*3600 + t.Minute()*60 + t.Second()), nil
		}
	}
	return 0, apperr.New(apperr.Invalid, "%q is not a time of day (HH:MM)", s)
}

func (c ClockTime) String() string {
	if c%60 != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", c/3600, c/60%60, c%60)
	}
	return fmt.Sprintf("%02d:%02d", c/3600, c/60%60)
}

// HoursWindow is one opening window of a vendor zone: on each of Weekdays (ISO: 1 Monday … 7 Sunday)
// it opens at Opens and closes at Closes, vendorTZ time. Closes before Opens crosses midnight: the
// small hours belong to the day the window opened, so a Friday-night market still open at 01:00 on
// Saturday is Friday's. It applies to windows opening from From until Until (exclusive; zero: still).
type HoursWindow struct {
	Weekdays []int     `json:"weekdays"`
	Opens    ClockTime `json:"-"`
	Closes   ClockTime `json:"-"`
	From     time.Time `json:"-"`
	Until    time.Time `json:"-"`
}

// check refuses a window that cannot be kept as data.
func (w HoursWindow) check() error {
	if len(w.Weekdays) == 0 {
		return apperr.New(apperr.Invalid, "a window needs at least one weekday (1 Monday … 7 Sunday)").With("field", "weekdays")
	}
	for _, d := range w.Weekdays {
		if d < 1 || d > 7 {
			return apperr.New(apperr.Invalid, "weekday %d is not 1 (Monday) … 7 (Sunday)", d).With("field", "weekdays")
		}
	}
	if w.Opens == w.Closes {
		return apperr.New(apperr.Invalid, "a window opens and closes at %s: give two different times", w.Opens).With("field", "closes")
	}
	return nil
}

// isoWeekday is t's ISO weekday.
func isoWeekday(t time.Time) int {
	if d := int(t.Weekday()); d != 0 {
		return d
	}
	return 7
}

// vendorDay is the vendorTZ date of t at midnight, in vendorTZ.
func vendorDay(t time.Time) time.Time {
	b := t.In(vendorTZ)
	return time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, vendorTZ)
}

// opensOn says whether the window opens on the vendorTZ day d.
func (w HoursWindow) opensOn(d time.Time) bool {
	if !w.From.IsZero() && d.Before(vendorDay(w.From)) {
		return false
	}
	if !w.Until.IsZero() && !d.Before(vendorDay(w.Until)) {
		return false
	}
	return slices.Contains(w.Weekdays, isoWeekday(d))
}

// Covers says whether t falls inside the window: from its opening second, up to but not including its
// closing one.
func (w HoursWindow) Covers(t time.Time) bool {
	b := t.In(vendorTZ)
	day := vendorDay(b)
	tod := ClockTime(b.Hour()*3600 + b.Minute()*60 + b.Second())
	if w.Opens < w.Closes {
		return tod >= w.Opens && tod < w.Closes && w.opensOn(day)
	}
	if tod >= w.Opens && w.opensOn(day) {
		return true
	}
	return tod < w.Closes && w.opensOn(day.AddDate(0, 0, -1))
}

// OpenAt says whether any of a zone's windows covers t. A zone without hours is never open: trading
// there has not been allowed yet.
func OpenAt(windows []HoursWindow, t time.Time) bool {
	for _, w := range windows {
		if w.Covers(t) {
			return true
		}
	}
	return false
}

// HoursText is the windows as people write them: "1-5 17:30–23:30; 6,7 17:00–00:30".
func HoursText(windows []HoursWindow) string {
	parts := make([]string, 0, len(windows))
	for _, w := range windows {
		days := make([]string, len(w.Weekdays))
		for i, d := range w.Weekdays {
			days[i] = fmt.Sprint(d)
		}
		parts = append(parts, strings.Join(days, ",")+" "+w.Opens.String()+"–"+w.Closes.String())
	}
	return strings.Join(parts, "; ")
}
