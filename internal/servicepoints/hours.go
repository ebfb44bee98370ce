package servicepoints

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"streetchief/internal/apperr"
)

// Window is one opening window, in the shape of the vendor zones' hours: on each of Weekdays (ISO: 1
// Monday … 7 Sunday) the point opens at Opens and closes at Closes, Beijing time ("HH:MM"). Closes
// before Opens runs past midnight (a rest stop open 22:00–06:00).
type Window struct {
	Weekdays []int  `json:"weekdays"`
	Opens    string `json:"opens"`
	Closes   string `json:"closes"`
}

// maxWindows is a week of split days: a morning and an afternoon window on each.
const maxWindows = 14

// ParseHours reads a point's hours from JSON: an array of windows; null or absent is no hours given.
func ParseHours(raw json.RawMessage) ([]Window, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return []Window{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var ws []Window
	if err := dec.Decode(&ws); err != nil {
		return nil, apperr.New(apperr.Invalid, `hours must be a list of {"weekdays": [1…7], "opens": "HH:MM", "closes": "HH:MM"}: %s`, clip(err.Error())).With("field", "hours")
	}
	return ws, CheckHours(ws)
}

// CheckHours refuses windows that cannot be opening hours.
func CheckHours(ws []Window) error {
	bad := func(i int, format string, args ...any) error {
		return apperr.New(apperr.Invalid, fmt.Sprintf("hours[%d]: ", i)+format, args...).With("field", "hours")
	}
	if len(ws) > maxWindows {
		return apperr.New(apperr.Invalid, "hours has %d windows, at most %d", len(ws), maxWindows).With("field", "hours")
	}
	for i, w := range ws {
		if len(w.Weekdays) == 0 || len(w.Weekdays) > 7 {
			return bad(i, "weekdays must list 1 to 7 days (1 Monday … 7 Sunday)")
		}
		for _, d := range w.Weekdays {
			if d < 1 || d > 7 {
				return bad(i, "weekday %d is not 1 (Monday) … 7 (Sunday)", d)
			}
		}
		o, err := clock(w.Opens)
		if err != nil {
			return bad(i, "opens %q is not a time of day HH:MM", clip(w.Opens))
		}
		c, err := clock(w.Closes)
		if err != nil {
			return bad(i, "closes %q is not a time of day HH:MM", clip(w.Closes))
		}
		if o == c {
			return bad(i, "opens and closes at %s: give two different times", w.Opens)
		}
	}
	return nil
}

// clock reads "HH:MM" into minutes after midnight.
func clock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, fmt.Errorf("not HH:MM")
	}
	return t.Hour()*60 + t.Minute(), nil
}

// OpenAt says whether any window covers t (Beijing time); the small hours of a window past midnight
// belong to the day it opened.
func OpenAt(ws []Window, t time.Time) bool {
	b := t.In(beijing)
	wd := int(b.Weekday())
	if wd == 0 {
		wd = 7
	}
	prev := wd - 1
	if prev == 0 {
		prev = 7
	}
	now := b.Hour()*60 + b.Minute()
	for _, w := range ws {
		o, _ := clock(w.Opens)
		c, _ := clock(w.Closes)
		switch {
		case o < c && now >= o && now < c && slices.Contains(w.Weekdays, wd):
			return true
		case o > c && now >= o && slices.Contains(w.Weekdays, wd):
			return true
		case o > c && now < c && slices.Contains(w.Weekdays, prev):
			return true
		}
	}
	return false
}

// HoursText writes the windows as people do: "1-5 16:30–18:30; 6,7 09:00–12:00".
func HoursText(ws []Window) string {
	parts := make([]string, 0, len(ws))
	for _, w := range ws {
		days := make([]string, len(w.Weekdays))
		for i, d := range w.Weekdays {
			days[i] = fmt.Sprint(d)
		}
		parts = append(parts, strings.Join(days, ",")+" "+w.Opens+"–"+w.Closes)
	}
	return strings.Join(parts, "; ")
}
