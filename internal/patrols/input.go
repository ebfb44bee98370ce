package patrols

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/fieldproof"
	"streetchief/internal/jsonlist"
	"streetchief/internal/registry"
)

// Limits of what a device may send.
const (
	MaxFixesPerCall   = 2000
	MaxFixesPerPatrol = 20_000 // a 10-hour shift at a fix every 2 s, far more than a thinned track
	MaxAreas          = 50
	MaxPauses         = 200
	MaxDuration       = 24 * time.Hour
	// ClockSkew is how far in the future a device's clock may be; MaxAge how long a phone may stay
	// offline with a patrol queued.
	ClockSkew = 5 * time.Minute
	MaxAge    = 7 * 24 * time.Hour
	maxNote   = 2000
	// maxAccuracy refuses nonsense, not poor fixes: those are the proof rules' to judge.
	maxAccuracy = 100_000
)

// StartInput is a checked start of a patrol.
type StartInput struct {
	ID        string
	StartedAt time.Time
	AreaIDs   []int64 // empty: the areas the person is responsible for where the track starts
	Note      string
	digest    [32]byte
}

// Fix is one position of the track as the device sent it.
type Fix struct {
	Seq       int       `json:"seq"`
	Lon       float64   `json:"lon"`
	Lat       float64   `json:"lat"`
	AccuracyM float64   `json:"accuracy_m"`
	At        time.Time `json:"at"`
}

// EndInput is a checked end of a patrol.
type EndInput struct {
	EndedAt time.Time
	Pauses  []fieldproof.Pause
	digest  [32]byte
}

// ParseID checks a patrol id: a UUID in its canonical text form, answered in lower case.
func ParseID(s string) (string, error) {
	bad := apperr.New(apperr.Malformed, "patrol id %q is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", clip(s)).With("field", "id")
	if len(s) != 36 {
		return "", bad
	}
	for i, c := range []byte(s) {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return "", bad
			}
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		default:
			return "", bad
		}
	}
	return strings.ToLower(s), nil
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// parseTime reads an RFC 3339 time of a field, to the microsecond the database keeps.
func parseTime(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, apperr.New(apperr.Malformed, "%s %q is not an RFC 3339 time", field, clip(s)).With("field", field)
	}
	return t.UTC().Round(time.Microsecond), nil
}

// DecodeStart reads and checks the body of PUT /api/v1/patrols/{id}.
func DecodeStart(id string, body []byte, now time.Time) (StartInput, error) {
	var f struct {
		StartedAt *string                `json:"started_at"`
		AreaIDs   jsonlist.Capped[int64] `json:"area_ids"`
		Note      string                 `json:"note"`
	}
	f.AreaIDs = jsonlist.Capped[int64]{Max: MaxAreas, Field: "area_ids"}
	var in StartInput
	var err error
	if in.ID, err = ParseID(id); err != nil {
		return in, err
	}
	if err := jsonlist.DecodeStrict(body, &f); err != nil {
		return in, err
	}
	if f.StartedAt == nil {
		return in, apperr.New(apperr.Invalid, "started_at is required").With("field", "started_at")
	}
	if in.StartedAt, err = parseTime("started_at", *f.StartedAt); err != nil {
		return in, err
	}
	if err := checkRecent("started_at", in.StartedAt, now); err != nil {
		return in, err
	}
	for i, a := range f.AreaIDs.Items {
		if a <= 0 {
			return in, apperr.New(apperr.Invalid, "area_ids[%d]: %d is not an id", i, a).With("field", "area_ids")
		}
		if slices.Contains(in.AreaIDs, a) {
			return in, apperr.New(apperr.Invalid, "area_ids names area %d twice", a).With("field", "area_ids")
		}
		in.AreaIDs = append(in.AreaIDs, a)
	}
	in.Note = strings.TrimSpace(f.Note)
	if err := registry.CheckText("note", in.Note, maxNote); err != nil {
		return in, err
	}
	h := sha256.New()
	h.Write([]byte(in.StartedAt.Format(time.RFC3339Nano) + "\x00" + in.Note + "\x00"))
	for _, a := range in.AreaIDs {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(a)))
	}
	copy(in.digest[:], h.Sum(nil))
	return in, nil
}

// checkRecent refuses a time in the future beyond the clock skew, or older than a phone may queue.
func checkRecent(field string, t, now time.Time) error {
	switch {
	case t.After(now.Add(ClockSkew)):
		return apperr.New(apperr.Invalid, "%s %s is in the future", field, t.Format(time.RFC3339)).With("field", field)
	case t.Before(now.Add(-MaxAge)):
		return apperr.New(apperr.Invalid, "%s %s is more than %d days ago", field, t.Format(time.RFC3339), int(MaxAge.Hours()/24)).With("field", field)
	}
	return nil
}

// DecodeFixes reads and checks the body of POST /api/v1/patrols/{id}/fixes: at most MaxFixesPerCall
// fixes, seq increasing, times in order, coordinates on the globe, accuracy a distance.
func DecodeFixes(body []byte, now time.Time) ([]Fix, error) {
	type wire struct {
		Seq       *int     `json:"seq"`
		Lon       *float64 `json:"lon"`
		Lat       *float64 `json:"lat"`
		AccuracyM *float64 `json:"accuracy_m"`
		At        *string  `json:"at"`
	}
	var f struct {
		Fixes jsonlist.Capped[wire] `json:"fixes"`
	}
	f.Fixes = jsonlist.Capped[wire]{Max: MaxFixesPerCall, Field: "fixes"}
	if err := jsonlist.DecodeStrict(body, &f); err != nil {
		return nil, err
	}
	if len(f.Fixes.Items) == 0 {
		return nil, apperr.New(apperr.Invalid, "fixes holds no fix").With("field", "fixes")
	}
	out := make([]Fix, 0, len(f.Fixes.Items))
	for i, w := range f.Fixes.Items {
		bad := func(format string, args ...any) error {
			return apperr.New(apperr.Invalid, "fixes[%d]: "+format, append([]any{i}, args...)...).With("field", "fixes").With("index", i)
		}
		if w.Seq == nil || w.Lon == nil || w.Lat == nil || w.AccuracyM == nil || w.At == nil {
			return nil, bad("seq, lon, lat, accuracy_m and at are required")
		}
		x := Fix{Seq: *w.Seq, Lon: *w.Lon, Lat: *w.Lat, AccuracyM: *w.AccuracyM}
		switch {
		case x.Seq < 0 || x.Seq > math.MaxInt32:
			return nil, bad("seq %d is not a sequence number from 0", x.Seq)
		case !(x.Lon >= -180 && x.Lon <= 180) || !(x.Lat >= -90 && x.Lat <= 90):
			return nil, bad("[%g, %g] is not a longitude and latitude", x.Lon, x.Lat)
		case !(x.AccuracyM >= 0 && x.AccuracyM <= maxAccuracy):
			return nil, bad("accuracy_m %g is not a distance in metres", x.AccuracyM)
		}
		var err error
		if x.At, err = parseTime("at", *w.At); err != nil {
			return nil, bad("at %q is not an RFC 3339 time", clip(*w.At))
		}
		if err := checkRecent("at", x.At, now); err != nil {
			return nil, bad("%s", apperr.Message(err))
		}
		if i > 0 {
			prev := out[i-1]
			if x.Seq <= prev.Seq {
				return nil, bad("seq %d does not follow %d", x.Seq, prev.Seq)
			}
			if x.At.Before(prev.At) {
				return nil, bad("at %s is before the previous fix's", x.At.Format(time.RFC3339))
			}
		}
		out = append(out, x)
	}
	return out, nil
}

// DecodeEnd reads and checks the body of POST /api/v1/patrols/{id}:end.
func DecodeEnd(body []byte, now time.Time) (EndInput, error) {
	type pause struct {
		From  *string `json:"from"`
		Until *string `json:"until"`
	}
	var f struct {
		EndedAt *string                `json:"ended_at"`
		Pauses  jsonlist.Capped[pause] `json:"pauses"`
	}
	f.Pauses = jsonlist.Capped[pause]{Max: MaxPauses, Field: "pauses"}
	var in EndInput
	if err := jsonlist.DecodeStrict(body, &f); err != nil {
		return in, err
	}
	if f.EndedAt == nil {
		return in, apperr.New(apperr.Invalid, "ended_at is required").With("field", "ended_at")
	}
	var err error
	if in.EndedAt, err = parseTime("ended_at", *f.EndedAt); err != nil {
		return in, err
	}
	if err := checkRecent("ended_at", in.EndedAt, now); err != nil {
		return in, err
	}
	h := sha256.New()
	h.Write([]byte(in.EndedAt.Format(time.RFC3339Nano)))
	in.Pauses = []fieldproof.Pause{}
	for i, p := range f.Pauses.Items {
		if p.From == nil || p.Until == nil {
			return in, apperr.New(apperr.Invalid, "pauses[%d]: from and until are required", i).With("field", "pauses")
		}
		var x fieldproof.Pause
		if x.From, err = parseTime("pauses", *p.From); err != nil {
			return in, err
		}
		if x.Until, err = parseTime("pauses", *p.Until); err != nil {
			return in, err
		}
		switch {
		case !x.Until.After(x.From):
			return in, apperr.New(apperr.Invalid, "pauses[%d]: until is not after from", i).With("field", "pauses")
		case x.Until.After(in.EndedAt):
			return in, apperr.New(apperr.Invalid, "pauses[%d]: until is after ended_at", i).With("field", "pauses")
		case i > 0 && x.From.Before(in.Pauses[i-1].Until):
			return in, apperr.New(apperr.Invalid, "pauses[%d] begins before the previous pause ends", i).With("field", "pauses")
		}
		in.Pauses = append(in.Pauses, x)
		h.Write([]byte("\x00" + x.From.Format(time.RFC3339Nano) + "/" + x.Until.Format(time.RFC3339Nano)))
	}
	copy(in.digest[:], h.Sum(nil))
	return in, nil
}
