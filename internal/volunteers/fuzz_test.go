package volunteers_test

import (
	"testing"

	"streetchief/internal/apperr"
	"streetchief/internal/volunteers"
)

// FuzzDecodeActivity: any body is refused with a 4xx error or decodes to an activity within the
// rules — hours more than 0 and at most 24 and the activity's length, someone taking part, an end
// after the start.
func FuzzDecodeActivity(f *testing.F) {
	f.Add([]byte(`{"org_id":1,"starts_at":"2026-06-01T09:00:00+08:00","ends_at":"2026-06-01T11:00:00+08:00","place":{"type":"Point","coordinates":[117,25]},"kind":"environment","description":"x","head_count":3,"hours_each":2}`))
	f.Add([]byte(`{"hours_each":-1}`))
	f.Add([]byte(`{"place":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"hours_each":1.25}`))
	f.Add([]byte(`{"hours_each":"24.00","volunteer_ids":[1,1,2]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := volunteers.DecodeActivity(body)
		if err != nil {
			switch apperr.CodeOf(err) {
			case apperr.Invalid, apperr.Malformed, apperr.TooLarge:
				return
			}
			t.Fatalf("%q: %v is not a 4xx error", body, err)
		}
		if in.CentiHours <= 0 || in.CentiHours > 2400 || !in.EndsAt.After(in.StartsAt) || len(in.VolunteerIDs)+in.HeadCount == 0 || in.Place == nil {
			t.Fatalf("%q decoded to %+v", body, in)
		}
	})
}
