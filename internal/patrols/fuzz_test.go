package patrols_test

import (
	"testing"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/patrols"
)

// Whatever a phone sends, DecodeFixes answers checked fixes or an apperr, never a panic, and what
// it accepts keeps its promises: at most MaxFixesPerCall, seq increasing, times in order, on the globe.
func FuzzDecodeFixes(f *testing.F) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	f.Add([]byte(`{"fixes": [{"seq": 0, "lon": 117.02, "lat": 25.07, "accuracy_m": 8, "at": "2026-12-01T09:00:00Z"}]}`))
	f.Add([]byte(`{"fixes": [{"seq": 1, "lon": 117, "lat": 25, "accuracy_m": 0, "at": "2026-12-01T09:00:00+08:00"},
		{"seq": 2, "lon": -180, "lat": 90, "accuracy_m": 1e5, "at": "2026-12-01T09:00:00+08:00"}]}`))
	f.Add([]byte(`{"fixes": [{"seq": 0, "lon": 1e400}]}`))
	f.Add([]byte(`{"fixes": null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		fixes, err := patrols.DecodeFixes(body, now)
		if err != nil {
			if c := apperr.CodeOf(err); c != apperr.Malformed && c != apperr.Invalid && c != apperr.TooLarge {
				t.Fatalf("error %v of code %s", err, c)
			}
			return
		}
		if len(fixes) == 0 || len(fixes) > patrols.MaxFixesPerCall {
			t.Fatalf("%d fixes accepted", len(fixes))
		}
		for i, x := range fixes {
			if x.Lon < -180 || x.Lon > 180 || x.Lat < -90 || x.Lat > 90 || x.AccuracyM < 0 || x.Seq < 0 {
				t.Fatalf("fix %d accepted: %+v", i, x)
			}
			if i > 0 && (x.Seq <= fixes[i-1].Seq || x.At.Before(fixes[i-1].At)) {
				t.Fatalf("fix %d out of order: %+v after %+v", i, x, fixes[i-1])
			}
		}
	})
}

// DecodeStart and DecodeEnd answer a checked input or an apperr, never a panic.
func FuzzDecodeStartAndEnd(f *testing.F) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	f.Add("5e0c3c7a-6a44-4b57-9d1e-3f0a2b7c9d10", []byte(`{"started_at": "2026-12-01T09:00:00Z", "area_ids": [1, 2], "note": "早班"}`))
	f.Add("x", []byte(`{"ended_at": "2026-12-01T09:30:00Z", "pauses": [{"from": "2026-12-01T09:10:00Z", "until": "2026-12-01T09:20:00Z"}]}`))
	f.Fuzz(func(t *testing.T, id string, body []byte) {
		if in, err := patrols.DecodeStart(id, body, now); err == nil {
			if in.StartedAt.After(now.Add(patrols.ClockSkew)) || len(in.AreaIDs) > patrols.MaxAreas {
				t.Fatalf("start accepted: %+v", in)
			}
		} else if c := apperr.CodeOf(err); c == apperr.Internal {
			t.Fatalf("start: %v", err)
		}
		if in, err := patrols.DecodeEnd(body, now); err == nil {
			for i, p := range in.Pauses {
				if !p.Until.After(p.From) || p.Until.After(in.EndedAt) || (i > 0 && p.From.Before(in.Pauses[i-1].Until)) {
					t.Fatalf("end accepted: %+v", in)
				}
			}
		} else if c := apperr.CodeOf(err); c == apperr.Internal {
			t.Fatalf("end: %v", err)
		}
	})
}
