package fieldproof

import (
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"streetchief/geo"
)

// Fix is one position a device reported, in WGS-84, with the accuracy it claimed.
type Fix struct {
	Lon, Lat  float64
	AccuracyM float64
	At        time.Time
}

func (f Fix) point() orb.Point { return orb.Point{f.Lon, f.Lat} }

// Pause is a stretch of a patrol the person paused: a meal, a talk with a shopkeeper indoors. Steps
// across it are neither distance walked nor a speed to judge.
type Pause struct{ From, Until time.Time }

// TrackStats are what the rules judge a track by.
type TrackStats struct {
	Fixes     int           `json:"fixes"`
	DistanceM float64       `json:"distance_m"`
	Duration  time.Duration `json:"-"`
	Moving    time.Duration `json:"-"` // Duration less the pauses
	// MedianSpeedKmh is the median of the steps' speeds: robust to a few GPS jumps and to stops.
	MedianSpeedKmh float64 `json:"median_speed_kmh"`
	// MaxStepKmh is the fastest step, counting only the distance its two fixes' accuracies cannot
	// explain.
	MaxStepKmh      float64 `json:"max_step_kmh"`
	MedianAccuracyM float64 `json:"median_accuracy_m"`
	// RepeatShare is the share of steps whose two fixes have exactly the same coordinates.
	RepeatShare float64 `json:"repeat_share"`
	// SpreadM is how far the farthest fix lies from the fixes' centre.
	SpreadM float64 `json:"spread_m"`
}

// Measure computes a track's stats. Fixes must be in time order; pauses may be in any order.
func Measure(fixes []Fix, pauses []Pause) TrackStats {
	s := TrackStats{Fixes: len(fixes)}
	if len(fixes) == 0 {
		return s
	}
	first, last := fixes[0].At, fixes[len(fixes)-1].At
	s.Duration = last.Sub(first)
	s.Moving = s.Duration - pausedWithin(pauses, first, last)

	accuracies := make([]float64, 0, len(fixes))
	var sumLon, sumLat float64
	for _, f := range fixes {
		accuracies = append(accuracies, f.AccuracyM)
		sumLon += f.Lon
		sumLat += f.Lat
	}
	s.MedianAccuracyM = median(accuracies)
	centre := orb.Point{sumLon / float64(len(fixes)), sumLat / float64(len(fixes))}
	for _, f := range fixes {
		s.SpreadM = math.Max(s.SpreadM, geo.DistanceMetres(centre, f.point()))
	}

	speeds := make([]float64, 0, len(fixes))
	repeats, steps := 0, 0
	for i := 1; i < len(fixes); i++ {
		a, b := fixes[i-1], fixes[i]
		steps++
		if FixKey(a.Lon, a.Lat) == FixKey(b.Lon, b.Lat) {
			repeats++
		}
		if acrossPause(pauses, a.At, b.At) {
			continue
		}
		d := geo.DistanceMetres(a.point(), b.point())
		s.DistanceM += d
		dt := b.At.Sub(a.At).Hours()
		certain := math.Max(0, d-a.AccuracyM-b.AccuracyM) / 1000
		switch {
		case dt > 0:
			speeds = append(speeds, d/1000/dt)
			s.MaxStepKmh = math.Max(s.MaxStepKmh, certain/dt)
		case certain > 0: // two places at one instant
			s.MaxStepKmh = MaxFigure
		}
	}
	s.MedianSpeedKmh = median(speeds)
	if steps > 0 {
		s.RepeatShare = float64(repeats) / float64(steps)
	}
	return s
}

// FixKey quantises a position to a millionth of a degree (about 0.1 m): two fixes with equal keys
// have the same coordinates, which a real receiver repeats only when standing still, and never
// across two walks on different days.
func FixKey(lon, lat float64) int64 {
	x := int64(math.Round((lon + 180) * 1e6)) // < 2^29
	y := int64(math.Round((lat + 90) * 1e6))  // < 2^28
	return x<<28 | y
}

func acrossPause(pauses []Pause, from, until time.Time) bool {
	for _, p := range pauses {
		if p.From.Before(until) && p.Until.After(from) {
			return true
		}
	}
	return false
}

func pausedWithin(pauses []Pause, from, until time.Time) time.Duration {
	var total time.Duration
	for _, p := range pauses {
		lo, hi := maxTime(p.From, from), minTime(p.Until, until)
		if hi.After(lo) {
			total += hi.Sub(lo)
		}
	}
	return total
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	ys := slices.Clone(xs)
	slices.Sort(ys)
	n := len(ys)
	if n%2 == 1 {
		return ys[n/2]
	}
	return (ys[n/2-1] + ys[n/2]) / 2
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
