package fieldproof_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"streetchief/internal/fieldproof"
)

// The synthetic tracks run in Xinluo's centre: a walk of a street block's loop, about 1.1 km.
var (
	start = time.Date(2026, 3, 3, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	block = [][2]float64{{117.0170, 25.0750}, {117.0205, 25.0750}, {117.0205, 25.0775}, {117.0170, 25.0775}, {117.0170, 25.0750}}
)

// along moves at speedMS metres a second around the loop, a fix every stepS seconds, for minutes,
// each fix jittered by up to jitterM metres and claiming accuracyM.
func along(seed uint64, speedMS, stepS, minutes, jitterM, accuracyM float64) []fieldproof.Fix {
	rng := rand.New(rand.NewPCG(seed, seed))
	const mPerDegLat = 111_320.0
	mPerDegLon := mPerDegLat * math.Cos(25.075*math.Pi/180)
	var legs []float64
	total := 0.0
	for i := 1; i < len(block); i++ {
		dx := (block[i][0] - block[i-1][0]) * mPerDegLon
		dy := (block[i][1] - block[i-1][1]) * mPerDegLat
		legs = append(legs, math.Hypot(dx, dy))
		total += legs[len(legs)-1]
	}
	var out []fieldproof.Fix
	for t := 0.0; t <= minutes*60; t += stepS {
		d := math.Mod(speedMS*t, total)
		i := 0
		for d > legs[i] {
			d -= legs[i]
			i++
		}
		f := d / legs[i]
		lon := block[i][0] + f*(block[i+1][0]-block[i][0])
		lat := block[i][1] + f*(block[i+1][1]-block[i][1])
		lon += (rng.Float64()*2 - 1) * jitterM / mPerDegLon
		lat += (rng.Float64()*2 - 1) * jitterM / mPerDegLat
		out = append(out, fieldproof.Fix{Lon: lon, Lat: lat, AccuracyM: accuracyM * (0.7 + 0.6*rng.Float64()),
			At: start.Add(time.Duration(t * float64(time.Second)))})
	}
	return out
}

func judge(fixes []fieldproof.Fix, pauses []fieldproof.Pause, coverage, replay float64) fieldproof.Verdict {
	r := fieldproof.DefaultRules().Patrol
	return r.Judge(fieldproof.PatrolFacts{Stats: fieldproof.Measure(fixes, pauses), Coverage: coverage, ReplayShare: replay})
}

func codes(v fieldproof.Verdict) []string {
	var out []string
	for _, r := range v.Reasons {
		out = append(out, r.Code)
	}
	return out
}

func TestAnHonestWalkIsCredible(t *testing.T) {
	walk := along(1, 1.2, 10, 45, 5, 12) // 45 minutes at 4.3 km/h, a fix every 10 s
	v := judge(walk, nil, 0.8, 0)
	if v.Suspect {
		t.Fatalf("an honest walk judged suspect: %+v (stats %+v)", v.Reasons, fieldproof.Measure(walk, nil))
	}
	s := fieldproof.Measure(walk, nil)
	if s.DistanceM < 2800 || s.DistanceM > 4500 {
		t.Errorf("45 minutes at 1.2 m/s measured %.0f m, want about 3.2 km plus jitter", s.DistanceM)
	}
}

func TestEachFakeIsCaughtByItsRule(t *testing.T) {
	walk := along(2, 1.2, 10, 45, 5, 12)
	cases := []struct {
		name     string
		fixes    []fieldproof.Fix
		pauses   []fieldproof.Pause
		coverage float64
		replay   float64
		want     string
	}{
		// Driving the loop at 36 km/h: the median step is a car's.
		{"drive", along(3, 10, 10, 20, 5, 10), nil, 0.8, 0, fieldproof.TooFast},
		// A phone on the office desk for an hour: 8 m of jitter adds up to kilometres, but never leaves.
		{"desk check-in", along(4, 0, 10, 60, 8, 15), nil, -1, 0, fieldproof.Stationary},
		// Yesterday's walk sent again, shifted a day.
		{"replayed track", shifted(walk, 24*time.Hour), nil, 0.8, fieldproof.ReplayShare(shifted(walk, 24*time.Hour), keys(walk)), fieldproof.Replayed},
		// Half-way round, the position jumps 5 km in 10 seconds.
		{"teleport", jumped(walk, len(walk)/2, 0.05), nil, 0.8, 0, fieldproof.Teleport},
		// A mocked position that sits still, reported identically.
		{"frozen position", frozen(walk), nil, -1, 0, fieldproof.RepeatedPositions},
		// Five minutes round the corner.
		{"perfunctory", walk[:30], nil, 0.8, 0, fieldproof.TooShort},
		// Walking a street that is not the assigned area.
		{"elsewhere", walk, nil, 0.1, 0, fieldproof.AreaNotCovered},
		// Fixes as vague as a cell tower's.
		{"poor accuracy", along(5, 1.2, 10, 45, 5, 120), nil, 0.8, 0, fieldproof.PoorAccuracy},
		{"three fixes", walk[:3], nil, 0.8, 0, fieldproof.TooFewFixes},
	}
	for _, c := range cases {
		v := judge(c.fixes, c.pauses, c.coverage, c.replay)
		if !v.Suspect || !slices.Contains(codes(v), c.want) {
			t.Errorf("%s: reasons %v, want %s among them", c.name, codes(v), c.want)
		}
	}
	// The honest walk broke none of these rules (the fakes derive from it).
	if v := judge(walk, nil, 0.8, fieldproof.ReplayShare(walk, keys(along(9, 1.2, 10, 45, 5, 12)))); v.Suspect {
		t.Errorf("the honest walk judged suspect: %v", codes(v))
	}
}

func TestAPauseIsNeitherDistanceNorTeleport(t *testing.T) {
	walk := along(6, 1.2, 10, 40, 4, 10)
	// The person pauses for 20 minutes and resumes 2 km away (took a bus to the next street).
	mid := len(walk) / 2
	resumed := jumped(walk, mid, 0.02)
	for i := mid; i < len(resumed); i++ {
		resumed[i].At = resumed[i].At.Add(20 * time.Minute)
	}
	pause := fieldproof.Pause{From: resumed[mid-1].At.Add(time.Second), Until: resumed[mid].At.Add(-time.Second)}
	if v := judge(resumed, []fieldproof.Pause{pause}, 0.8, 0); v.Suspect {
		t.Errorf("a paused patrol judged suspect: %v", codes(v))
	}
	// Undeclared, the same 2 km in 20 minutes is a walk's speed, but it is no street patrolled.
	paused, unpaused := fieldproof.Measure(resumed, []fieldproof.Pause{pause}), fieldproof.Measure(resumed, nil)
	if d := unpaused.DistanceM - paused.DistanceM; d < 1900 || d > 2100 {
		t.Errorf("the step across the pause counted %.0f m; want it left out of the distance walked (about 2 km)", d)
	}
	s := fieldproof.Measure(resumed, []fieldproof.Pause{pause})
	if s.Moving > s.Duration-19*time.Minute {
		t.Errorf("moving time %v of %v: the 20-minute pause was not taken off", s.Moving, s.Duration)
	}
}

func shifted(fixes []fieldproof.Fix, by time.Duration) []fieldproof.Fix {
	out := slices.Clone(fixes)
	for i := range out {
		out[i].At = out[i].At.Add(by)
	}
	return out
}

func jumped(fixes []fieldproof.Fix, from int, degrees float64) []fieldproof.Fix {
	out := slices.Clone(fixes)
	for i := from; i < len(out); i++ {
		out[i].Lon += degrees
	}
	return out
}

func frozen(fixes []fieldproof.Fix) []fieldproof.Fix {
	out := slices.Clone(fixes)
	for i := range out {
		if i%10 != 0 {
			out[i].Lon, out[i].Lat = out[i-i%10].Lon, out[i-i%10].Lat
		}
	}
	return out
}

func keys(fixes []fieldproof.Fix) map[int64]bool {
	m := map[int64]bool{}
	for _, f := range fixes {
		m[fieldproof.FixKey(f.Lon, f.Lat)] = true
	}
	return m
}

func TestCheckInRules(t *testing.T) {
	r := fieldproof.DefaultRules().CheckIn
	at := fieldproof.Fix{Lon: 117.0170, Lat: 25.0750, AccuracyM: 10, At: start}
	honest := fieldproof.CheckIn{Fix: at, PlaceID: 1, DistanceM: 8, LimitM: 50}
	next := fieldproof.CheckIn{Fix: fieldproof.Fix{Lon: 117.0178, Lat: 25.0750, AccuracyM: 12, At: start.Add(3 * time.Minute)},
		PlaceID: 2, DistanceM: 6, LimitM: 50, Previous: &honest}
	if v := r.Judge(next); v.Suspect {
		t.Errorf("a shop 80 m on, 3 minutes later, judged suspect: %v", codes(v))
	}
	cases := []struct {
		name string
		c    fieldproof.CheckIn
		want string
	}{
		{"off site", fieldproof.CheckIn{Fix: at, PlaceID: 1, DistanceM: 400, LimitM: 50}, fieldproof.OffSite},
		{"vague fix", fieldproof.CheckIn{Fix: fieldproof.Fix{Lon: at.Lon, Lat: at.Lat, AccuracyM: 300, At: start}, PlaceID: 1, DistanceM: 5, LimitM: 50}, fieldproof.PoorAccuracy},
		{"teleport", fieldproof.CheckIn{Fix: fieldproof.Fix{Lon: 117.0470, Lat: 25.0750, AccuracyM: 10, At: start.Add(time.Minute)}, PlaceID: 2, DistanceM: 5, LimitM: 50, Previous: &honest}, fieldproof.Teleport},
		{"desk", fieldproof.CheckIn{Fix: fieldproof.Fix{Lon: at.Lon, Lat: at.Lat, AccuracyM: 10, At: start.Add(time.Minute)}, PlaceID: 2, DistanceM: 5, LimitM: 50, Previous: &honest}, fieldproof.RepeatedPosition},
		{"same instant elsewhere", fieldproof.CheckIn{Fix: fieldproof.Fix{Lon: 117.0270, Lat: 25.0750, AccuracyM: 10, At: start}, PlaceID: 2, DistanceM: 5, LimitM: 50, Previous: &honest}, fieldproof.Teleport},
	}
	for _, c := range cases {
		if v := r.Judge(c.c); !slices.Contains(codes(v), c.want) {
			t.Errorf("%s: reasons %v, want %s", c.name, codes(v), c.want)
		}
	}
	// The same shop checked twice from the same spot is a second look, not a desk.
	again := fieldproof.CheckIn{Fix: fieldproof.Fix{Lon: at.Lon, Lat: at.Lat, AccuracyM: 10, At: start.Add(time.Hour)}, PlaceID: 1, DistanceM: 8, LimitM: 50, Previous: &honest}
	if v := r.Judge(again); v.Suspect {
		t.Errorf("the same shop again from the same spot judged suspect: %v", codes(v))
	}
}

func TestRulesDocumentsAreChecked(t *testing.T) {
	r, err := fieldproof.DecodeRules([]byte(`{"patrol": {"min_coverage": 0.7}}`))
	if err != nil || r.Patrol.MinCoverage != 0.7 || r.Patrol.BufferM() != 30 || r.CheckIn.MaxAccuracyM != 50 {
		t.Fatalf("override one member: %+v, %v", r, err)
	}
	for _, doc := range []string{
		`{"patrol": {"min_coverag": 0.7}}`,
		`{"patrol": {"min_coverage": 1.5}}`,
		`{"patrol": {"max_median_speed_kmh": 200}}`,
		`{"check_in": {"max_accuracy_m": "50"}}`,
		`{"check_in": {"max_accuracy_m": 0}}`,
		`{} {}`,
		`[`,
	} {
		if _, err := fieldproof.DecodeRules([]byte(doc)); err == nil {
			t.Errorf("%s accepted", doc)
		}
	}
}
