package fieldproof

import (
	"math"

	"streetchief/geo"
)

// Reason is one rule a record broke: its code (the user interfaces' key proof.<code>), the figure
// measured and the limit it broke.
type Reason struct {
	Code   string  `json:"code"`
	Figure float64 `json:"figure"`
	Limit  float64 `json:"limit"`
}

// Verdict is the judgement of one record: suspect when any rule is broken.
type Verdict struct {
	Suspect bool     `json:"suspect"`
	Reasons []Reason `json:"reasons"`
}

// The reasons' codes.
const (
	OffSite           = "off_site"
	PoorAccuracy      = "poor_accuracy"
	Teleport          = "teleport"
	RepeatedPosition  = "repeated_position"
	TooFewFixes       = "too_few_fixes"
	TooShort          = "too_short"
	TooLittleDistance = "too_little_distance"
	TooFast           = "too_fast"
	Stationary        = "stationary"
	RepeatedPositions = "repeated_positions"
	Replayed          = "replayed"
	AreaNotCovered    = "area_not_covered"
)

type verdict struct{ v Verdict }

// MaxFigure stands for an infinite speed — two places at one instant — in stats and reasons: JSON
// has no infinity, and any figure this far above every bound reads the same.
const MaxFigure = 1e9

func (b *verdict) flag(code string, figure, limit float64) {
	figure = math.Min(figure, MaxFigure)
	b.v.Suspect = true
	b.v.Reasons = append(b.v.Reasons, Reason{Code: code, Figure: round2(figure), Limit: limit})
}

func newVerdict() verdict { return verdict{Verdict{Reasons: []Reason{}}} }

// CheckIn is a check-in at a place, with what the caller measured of it.
type CheckIn struct {
	Fix     Fix
	PlaceID int64
	// DistanceM from the place (its point or frontage, whichever is nearer), and the off-site limit.
	DistanceM, LimitM float64
	// Previous is the same person's check-in before this one by its own time, at any place.
	Previous *CheckIn
}

// Judge applies the check-in rules.
func (r CheckInRules) Judge(c CheckIn) Verdict {
	b := newVerdict()
	if c.DistanceM > c.LimitM {
		b.flag(OffSite, c.DistanceM, c.LimitM)
	}
	if c.Fix.AccuracyM > r.MaxAccuracyM {
		b.flag(PoorAccuracy, c.Fix.AccuracyM, r.MaxAccuracyM)
	}
	if p := c.Previous; p != nil {
		if kmh := certainSpeedKmh(p.Fix, c.Fix); kmh > r.TeleportKmh {
			b.flag(Teleport, kmh, r.TeleportKmh)
		}
		if p.PlaceID != c.PlaceID && FixKey(p.Fix.Lon, p.Fix.Lat) == FixKey(c.Fix.Lon, c.Fix.Lat) {
			b.flag(RepeatedPosition, geo.DistanceMetres(p.Fix.point(), c.Fix.point()), 0)
		}
	}
	return b.v
}

// certainSpeedKmh is the speed between two fixes over the distance their accuracies cannot explain.
func certainSpeedKmh(a, b Fix) float64 {
	d := geo.DistanceMetres(a.point(), b.point()) - a.AccuracyM - b.AccuracyM
	if d <= 0 {
		return 0
	}
	dt := b.At.Sub(a.At)
	if dt < 0 {
		dt = -dt
	}
	if dt == 0 {
		return MaxFigure
	}
	return d / 1000 / dt.Hours()
}

// PatrolFacts are a patrol's stats and what the caller measured against the database.
type PatrolFacts struct {
	Stats TrackStats
	// Coverage is the share (0..1) of the assigned areas within BufferM of the track; below zero
	// when the patrol has no assigned area, which no rule then judges.
	Coverage float64
	// ReplayShare is the share of fixes identical (FixKey) to an earlier patrol's.
	ReplayShare float64
}

// Judge applies the patrol rules. A track of fewer than two fixes is judged by its count alone:
// there is nothing else to measure.
func (r PatrolRules) Judge(f PatrolFacts) Verdict {
	b := newVerdict()
	s := f.Stats
	if s.Fixes < r.MinFixes {
		b.flag(TooFewFixes, float64(s.Fixes), float64(r.MinFixes))
		if s.Fixes < 2 {
			return b.v
		}
	}
	if minutes := s.Moving.Minutes(); minutes < r.MinDurationMin {
		b.flag(TooShort, minutes, r.MinDurationMin)
	}
	if s.DistanceM < r.MinDistanceM {
		b.flag(TooLittleDistance, s.DistanceM, r.MinDistanceM)
	}
	if s.MedianAccuracyM > r.MaxMedianAccuracyM {
		b.flag(PoorAccuracy, s.MedianAccuracyM, r.MaxMedianAccuracyM)
	}
	if s.MedianSpeedKmh > r.MaxMedianSpeedKmh {
		b.flag(TooFast, s.MedianSpeedKmh, r.MaxMedianSpeedKmh)
	}
	if s.MaxStepKmh > r.TeleportKmh {
		b.flag(Teleport, s.MaxStepKmh, r.TeleportKmh)
	}
	if s.SpreadM < r.StillRadiusM {
		b.flag(Stationary, s.SpreadM, r.StillRadiusM)
	}
	if s.RepeatShare > r.MaxRepeatShare {
		b.flag(RepeatedPositions, s.RepeatShare, r.MaxRepeatShare)
	}
	if f.ReplayShare > r.MaxReplayShare {
		b.flag(Replayed, f.ReplayShare, r.MaxReplayShare)
	}
	if f.Coverage >= 0 && f.Coverage < r.MinCoverage {
		b.flag(AreaNotCovered, f.Coverage, r.MinCoverage)
	}
	return b.v
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// ReplayShare is the share of a track's fixes whose keys (FixKey) are among an earlier track's.
func ReplayShare(fixes []Fix, earlier map[int64]bool) float64 {
	if len(fixes) == 0 {
		return 0
	}
	n := 0
	for _, f := range fixes {
		if earlier[FixKey(f.Lon, f.Lat)] {
			n++
		}
	}
	return float64(n) / float64(len(fixes))
}
