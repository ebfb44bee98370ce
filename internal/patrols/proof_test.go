package patrols_test

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"streetchief/internal/fieldproof"
	"streetchief/internal/patrols"
)

// Each synthetic track is recorded through the store as a phone would send it and judged by the
// server end to end: the walk is credible, each fake is flagged with its own reason.
func TestTheServerJudgesSyntheticTracks(t *testing.T) {
	w := newWorld(t)
	day := time.Now().Add(-72 * time.Hour).Truncate(time.Minute)
	walk := w.along(1, day, 1.2, 10, 30*time.Minute, 4, 10)

	honest := w.walk(t, w.laneA, newID(), walk, "")
	if honest.Suspect || len(honest.Reasons) != 0 {
		t.Fatalf("the real walk was judged suspect: %v (stats %+v)", codes(honest), honest.Stats)
	}
	if honest.Coverage == nil || *honest.Coverage < 0.9 || len(honest.Areas) != 1 || honest.Areas[0].ID != w.street.ID {
		t.Fatalf("the walk up and down the street covers it: coverage %v, areas %+v", honest.Coverage, honest.Areas)
	}
	if honest.DistanceM < 1800 || honest.DistanceM > 2600 || honest.DurationS < 1790 || len(honest.Track) != len(walk) {
		t.Errorf("30 minutes at 1.2 m/s: distance %.0f m, duration %d s, %d track points of %d fixes", honest.DistanceM, honest.DurationS,
			len(honest.Track), len(walk))
	}
	if honest.CommunityID != w.comA.ID || honest.SubdistrictID != w.sub.ID {
		t.Errorf("the walk is placed in community %d of %d, want %d of %d", honest.CommunityID, honest.SubdistrictID, w.comA.ID, w.sub.ID)
	}

	replayed := make([]patrols.Fix, len(walk))
	for i, f := range walk {
		f.At = f.At.Add(24 * time.Hour)
		replayed[i] = f
	}
	teleport := w.along(2, day.Add(2*time.Hour), 1.2, 10, 30*time.Minute, 4, 10)
	teleport[90].Lon += 0.2 // 20 km east for one fix, ten seconds after being here
	desk := w.along(3, day.Add(4*time.Hour), 0, 30, 40*time.Minute, 3, 8)
	drive := w.along(4, day.Add(6*time.Hour), 12, 5, 15*time.Minute, 3, 8)

	for _, c := range []struct {
		name  string
		fixes []patrols.Fix
		want  string
	}{
		{"a drive", drive, "too_fast"},
		{"a desk check-in", desk, "stationary"},
		{"a replayed track", replayed, "replayed"},
		{"a teleport", teleport, "teleport"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := w.walk(t, w.inspector, newID(), c.fixes, "")
			if !p.Suspect || !slices.Contains(codes(p), c.want) {
				t.Fatalf("%s judged %v (suspect %v), want %s (stats %+v, replay %.2f)", c.name, codes(p), p.Suspect, c.want, p.Stats, p.ReplayShare)
			}
			t.Logf("%s: %v, stats %+v, coverage %v, replay %.2f", c.name, codes(p), *p.Stats, *p.Coverage, p.ReplayShare)
			if p.Verdict == nil || !p.Verdict.Suspect || len(p.Verdict.Reasons) != len(p.Reasons) {
				t.Errorf("the verdict %+v does not match the reasons %v", p.Verdict, codes(p))
			}
		})
	}
}

// A pause stops the steps across it from being judged: the walk resumed after lunch elsewhere on
// the street is no teleport, while the same gap unpaused is.
func TestAPauseIsNotATeleport(t *testing.T) {
	w := newWorld(t)
	day := time.Now().Add(-50 * time.Hour).Truncate(time.Minute)
	morning := w.along(5, day, 1.2, 10, 20*time.Minute, 3, 8)
	afternoon := w.along(6, day.Add(20*time.Minute+10*time.Second), 1.2, 10, 20*time.Minute, 3, 8)
	// After the pause the walk goes on 20 km away, at once: only a pause explains it.
	fixes := slices.Clone(morning)
	for i, f := range afternoon {
		f.Seq = len(morning) + i
		f.Lon += 0.2
		fixes = append(fixes, f)
	}
	gapFrom, gapUntil := morning[len(morning)-1].At, afternoon[0].At
	paused := w.walk(t, w.laneA, newID(), fixes, `{"from": "`+gapFrom.Format(time.RFC3339Nano)+`", "until": "`+gapUntil.Format(time.RFC3339Nano)+`"}`)
	if slices.Contains(codes(paused), "teleport") {
		t.Fatalf("a step across a pause was judged: %v", codes(paused))
	}
	doc, err := json.Marshal(paused)
	if err != nil || len(paused.Pauses) != 1 || !paused.Pauses[0].From.Equal(gapFrom) ||
		!strings.Contains(string(doc), `"pauses":[{"from":"`+gapFrom.UTC().Format(time.RFC3339)) {
		t.Fatalf("the pause is kept as %+v: %s", paused.Pauses, doc)
	}
	for i := range fixes {
		fixes[i].Lat += 0.0001 // not a replay of the first
	}
	unpaused := w.walk(t, w.laneA, newID(), fixes, "")
	if !slices.Contains(codes(unpaused), "teleport") {
		t.Fatalf("the same gap without a pause is not judged a teleport: %v", codes(unpaused))
	}
}

// Two places at one instant is an infinite speed, which JSON cannot carry: the patrol is still
// judged and stored, a teleport with the largest figure.
func TestTwoPlacesAtOneInstantIsATeleport(t *testing.T) {
	w := newWorld(t)
	day := time.Now().Add(-80 * time.Hour).Truncate(time.Minute)
	fixes := w.along(41, day, 1.2, 10, 20*time.Minute, 3, 8)
	fixes[60].At = fixes[59].At
	fixes[60].Lon += 0.01 // a kilometre away, at the same second
	p := w.walk(t, w.laneA, newID(), fixes, "")
	i := slices.IndexFunc(p.Reasons, func(r fieldproof.Reason) bool { return r.Code == "teleport" })
	if i < 0 || p.Reasons[i].Figure < 1e6 || math.IsInf(p.Reasons[i].Figure, 0) || math.IsInf(p.Stats.MaxStepKmh, 0) {
		t.Fatalf("two places at one instant judged %v (stats %+v)", p.Reasons, p.Stats)
	}
}
