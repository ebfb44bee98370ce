package fieldproof

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"streetchief/internal/apperr"
)

// Rules are the thresholds of both kinds of field record.
type Rules struct {
	CheckIn CheckInRules `json:"check_in"`
	Patrol  PatrolRules  `json:"patrol"`
}

// CheckInRules judge one check-in at a place: a shop inspected, a vendor sighted, a task's progress.
type CheckInRules struct {
	// MaxAccuracyM: a fix less precise than this cannot show the person was at the place.
	MaxAccuracyM float64 `json:"max_accuracy_m"`
	// TeleportKmh: faster than this from the same person's previous check-in, counting only the
	// distance the two fixes' accuracies cannot explain, is not a journey anyone made.
	TeleportKmh float64 `json:"teleport_kmh"`
}

// PatrolRules judge a patrol's track.
type PatrolRules struct {
	MinFixes           int     `json:"min_fixes"`
	MinDurationMin     float64 `json:"min_duration_min"`
	MinDistanceM       float64 `json:"min_distance_m"`
	MaxMedianAccuracyM float64 `json:"max_median_accuracy_m"`
	// MaxMedianSpeedKmh: a patrol is walked or ridden slowly; a median step faster than this is a
	// drive past the street, which sees nothing of its back lanes.
	MaxMedianSpeedKmh float64 `json:"max_median_speed_kmh"`
	TeleportKmh       float64 `json:"teleport_kmh"`
	// StillRadiusM: every fix within this of the track's centre is a phone left on a desk,
	// however much its GPS jitter adds up to in distance.
	StillRadiusM float64 `json:"still_radius_m"`
	// MaxRepeatShare: real receivers never report the same coordinates twice in a row for long;
	// a larger share of identical consecutive fixes is a mocked or frozen position.
	MaxRepeatShare float64 `json:"max_repeat_share"`
	// MaxReplayShare: a larger share of fixes identical to an earlier patrol's is that patrol
	// sent again.
	MaxReplayShare float64 `json:"max_replay_share"`
	// CoverageBufferM and MinCoverage: the share of the assigned areas within CoverageBufferM of
	// the track must reach MinCoverage.
	CoverageBufferM float64 `json:"coverage_buffer_m"`
	MinCoverage     float64 `json:"min_coverage"`
}

// DefaultRules are thresholds for patrols on foot or by slow e-bike in a Chinese city centre and for
// phones' GPS in its streets (10–30 m typical, worse between tall buildings).
func DefaultRules() Rules {
	return Rules{
		CheckIn: CheckInRules{MaxAccuracyM: 50, TeleportKmh: 120},
		Patrol: PatrolRules{
			MinFixes: 10, MinDurationMin: 10, MinDistanceM: 200,
			MaxMedianAccuracyM: 30, MaxMedianSpeedKmh: 15, TeleportKmh: 150,
			StillRadiusM: 30, MaxRepeatShare: 0.5, MaxReplayShare: 0.5,
			CoverageBufferM: 30, MinCoverage: 0.5,
		},
	}
}

// BufferM is how near the track a part of an area must lie to count as covered.
func (r PatrolRules) BufferM() float64 { return r.CoverageBufferM }

// DecodeRules reads a rules document: the defaults, with the members given over them. Unknown
// members are refused (a misspelt threshold would otherwise be silently ignored), and the result
// is checked.
func DecodeRules(doc []byte) (Rules, error) {
	r := DefaultRules()
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return DefaultRules(), apperr.New(apperr.Malformed, "%s must be a number", typeErr.Field).With("field", typeErr.Field)
		}
		msg := err.Error()
		if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
			return DefaultRules(), apperr.New(apperr.Malformed, "unknown member %s", name)
		}
		return DefaultRules(), apperr.New(apperr.Malformed, "malformed rules: %s", msg)
	}
	if dec.More() {
		return DefaultRules(), apperr.New(apperr.Malformed, "malformed rules: trailing data after the object")
	}
	return r, r.Check()
}

// Check refuses thresholds that would flag everything or nothing by mistake, naming the field.
func (r Rules) Check() error {
	type bound struct {
		field     string
		v, lo, hi float64
	}
	c, p := r.CheckIn, r.Patrol
	for _, b := range []bound{
		{"check_in.max_accuracy_m", c.MaxAccuracyM, 1, 10_000},
		{"check_in.teleport_kmh", c.TeleportKmh, 10, 2_000},
		{"patrol.min_fixes", float64(p.MinFixes), 2, 100_000},
		{"patrol.min_duration_min", p.MinDurationMin, 0, 24 * 60},
		{"patrol.min_distance_m", p.MinDistanceM, 0, 100_000},
		{"patrol.max_median_accuracy_m", p.MaxMedianAccuracyM, 1, 10_000},
		{"patrol.max_median_speed_kmh", p.MaxMedianSpeedKmh, 1, 500},
		{"patrol.teleport_kmh", p.TeleportKmh, 10, 2_000},
		{"patrol.still_radius_m", p.StillRadiusM, 0, 10_000},
		{"patrol.max_repeat_share", p.MaxRepeatShare, 0, 1},
		{"patrol.max_replay_share", p.MaxReplayShare, 0, 1},
		{"patrol.coverage_buffer_m", p.CoverageBufferM, 1, 1_000},
		{"patrol.min_coverage", p.MinCoverage, 0, 1},
	} {
		if math.IsNaN(b.v) || b.v < b.lo || b.v > b.hi {
			return apperr.New(apperr.Invalid, "%s %s must be between %g and %g", b.field, fmt.Sprint(b.v), b.lo, b.hi).With("field", b.field)
		}
	}
	if p.MaxMedianSpeedKmh >= p.TeleportKmh {
		return apperr.New(apperr.Invalid, "patrol.max_median_speed_kmh must be below patrol.teleport_kmh").With("field", "patrol.max_median_speed_kmh")
	}
	return nil
}
