package merchants_test

import (
	"testing"
	"time"

	"streetchief/internal/merchants"
)

func clock(t *testing.T, s string) merchants.ClockTime {
	t.Helper()
	c, err := merchants.ParseClockTime(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The window opens on its opening second and is closed from its closing one; a window that crosses
// midnight keeps its small hours on the day it opened.
func TestHoursWindowCoversExactlyItsOpeningHours(t *testing.T) {
	bj := time.FixedZone("CST", 8*3600)
	at := func(day int, hh, mm, ss int) time.Time { return time.Date(2026, 12, day, hh, mm, ss, 0, bj) } // 4 Dec 2026 is a Friday
	evening := merchants.HoursWindow{Weekdays: []int{1, 2, 3, 4, 5, 6, 7}, Opens: clock(t, "17:30"), Closes: clock(t, "23:30")}
	friNight := merchants.HoursWindow{Weekdays: []int{5}, Opens: clock(t, "20:00"), Closes: clock(t, "02:00")}
	dated := merchants.HoursWindow{Weekdays: []int{1, 2, 3, 4, 5, 6, 7}, Opens: clock(t, "17:30"), Closes: clock(t, "23:30"),
		From: time.Date(2026, 12, 4, 0, 0, 0, 0, bj), Until: time.Date(2026, 12, 6, 0, 0, 0, 0, bj)}
	for _, c := range []struct {
		name string
		w    merchants.HoursWindow
		t    time.Time
		want bool
	}{
		{"a second before opening", evening, at(4, 17, 29, 59), false},
		{"17:29", evening, at(4, 17, 29, 0), false},
		{"17:30 opens", evening, at(4, 17, 30, 0), true},
		{"a second before closing", evening, at(4, 23, 29, 59), true},
		{"23:30 closes", evening, at(4, 23, 30, 0), false},
		{"the same instant in UTC", evening, at(4, 17, 30, 0).UTC(), true},
		{"Friday 20:00 opens", friNight, at(4, 20, 0, 0), true},
		{"Friday 19:59 before it", friNight, at(4, 19, 59, 0), false},
		{"Friday before midnight", friNight, at(4, 23, 59, 59), true},
		{"Saturday midnight is Friday's night", friNight, at(5, 0, 0, 0), true},
		{"Saturday 01:59 is Friday's night", friNight, at(5, 1, 59, 59), true},
		{"Saturday 02:00 closes", friNight, at(5, 2, 0, 0), false},
		{"Saturday 20:00 is not a Friday", friNight, at(5, 20, 0, 0), false},
		{"Friday 01:00 belongs to Thursday", friNight, at(4, 1, 0, 0), false},
		{"the window's first day", dated, at(4, 18, 0, 0), true},
		{"the day before it began", dated, at(3, 18, 0, 0), false},
		{"the day it ended", dated, at(6, 18, 0, 0), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.w.Covers(c.t); got != c.want {
				t.Fatalf("Covers(%s) = %v, want %v", c.t, got, c.want)
			}
		})
	}
	if merchants.OpenAt(nil, at(4, 20, 0, 0)) {
		t.Fatal("a zone without hours is open")
	}
}

func TestParseClockTimeRefusesWhatIsNotATime(t *testing.T) {
	for _, s := range []string{"", "24:00", "17:60", "5pm", "17:30:00Z", "1730"} {
		if _, err := merchants.ParseClockTime(s); err == nil {
			t.Errorf("%q was taken as a time of day", s)
		}
	}
}
