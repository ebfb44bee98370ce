package duties

import (
	"testing"
	"time"

	"streetchief/internal/apperr"
)

// FuzzRecordInput feeds the record decoder and its checks anything: they answer a checked record or
// an application error naming what is wrong, never a panic, and what passes keeps every rule.
func FuzzRecordInput(f *testing.F) {
	for _, seed := range []string{
		`{"member_id":1,"day":"2026-06-14","kind":"home_visit","lon":117.02,"lat":25.08,"description":"走访","hours":2}`,
		`{"member_id":1,"day":"2026-06-16","kind":"x","area_id":3,"description":"a","hours":24.01}`,
		`{"member_id":-1,"day":"","hours":1e309}`, `{"photos":["a","b"]}`, `[]`, `{"lon":null,"lat":1}`,
	} {
		f.Add([]byte(seed))
	}
	now := time.Date(2026, 6, 15, 1, 0, 0, 0, time.UTC)
	s := &Service{now: func() time.Time { return now }}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := DecodeRecord(body)
		if err == nil {
			var c checkedRecord
			c, err = s.checkRecord(in)
			if err == nil {
				if c.Hours <= 0 || c.Hours > 24 || c.day.After(beijingDay(now)) || c.Description == "" || (c.point == nil) == (c.AreaID == 0) {
					t.Fatalf("a record breaking the rules passed: %+v", c)
				}
			}
		}
		if err != nil && apperr.CodeOf(err) == apperr.Internal {
			t.Fatalf("an internal error for outside input: %v", err)
		}
	})
}
