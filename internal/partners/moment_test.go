package partners_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/partners"
)

// FuzzMomentFromOutside: whatever a client sends as a date, the decoder answers a time or a
// malformed-input error, never a panic or another kind of error; a date it reads is the start of
// that day in Beijing.
func FuzzMomentFromOutside(f *testing.F) {
	for _, s := range []string{`"2026-03-03"`, `"2026-03-03T09:00:00+08:00"`, `"0202-01-01"`, `"31/01/2031"`, `3`, `null`, `"\u0000"`, `""`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		var m partners.Moment
		err := json.Unmarshal([]byte(raw), &m)
		if err != nil {
			var syntax *json.SyntaxError
			if !apperr.Is(err, apperr.Malformed) && !errors.As(err, &syntax) {
				t.Fatalf("%q: %v", raw, err)
			}
			return
		}
		var s string
		if json.Unmarshal([]byte(raw), &s) == nil && len(s) == len(time.DateOnly) {
			if h, mi, sec := m.In(partners.Beijing).Clock(); h != 0 || mi != 0 || sec != 0 {
				t.Fatalf("%q is read as %s, not the start of a Beijing day", raw, m.Time)
			}
		}
	})
}
