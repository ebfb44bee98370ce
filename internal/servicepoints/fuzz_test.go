package servicepoints_test

import (
	"encoding/json"
	"testing"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/servicepoints"
)

// FuzzParseHours feeds the hours decoder anything: it answers windows that pass CheckHours, or an
// invalid-input error, never a panic or another kind of error.
func FuzzParseHours(f *testing.F) {
	for _, seed := range []string{`[{"weekdays":[1,2,3,4,5],"opens":"16:30","closes":"18:30"}]`, `[{"weekdays":[5],"opens":"22:00","closes":"06:00"}]`,
		`null`, `[]`, `{}`, `[{"weekdays":[0],"opens":"24:00","closes":"x"}]`, `[` + "\x00" + `]`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		ws, err := servicepoints.ParseHours(json.RawMessage(raw))
		if err != nil {
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("%q: %v", raw, err)
			}
			return
		}
		if err := servicepoints.CheckHours(ws); err != nil {
			t.Fatalf("%q decoded to windows CheckHours refuses: %v", raw, err)
		}
		servicepoints.OpenAt(ws, time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC))
		_ = servicepoints.HoursText(ws)
	})
}
