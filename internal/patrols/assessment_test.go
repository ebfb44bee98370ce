package patrols_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"streetchief/internal/registry"
)

// TestFiguresCountFakedWorkApart: a drive along the street covers it as well as a walk, but only the
// walk makes it an area patrolled; the drive counts as a suspect patrol.
func TestFiguresCountFakedWorkApart(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if _, err := w.reg.CreateArea(ctx, system, registry.AreaInput{Kind: "back_lane", Name: "乙巷",
		Geom: rect(w.x+0.012, w.y+0.002, w.x+0.013, w.y+0.003)}); err != nil {
		t.Fatal(err)
	}
	day := time.Now().Add(-48 * time.Hour).Truncate(time.Minute)
	from, to := day.Add(-time.Hour), time.Now()
	figures := func() string {
		t.Helper()
		got, err := w.store.FiguresBetween(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		f := got[w.sub.ID]
		return fmtFigures(f.Patrols, f.Suspect, f.AreasPatrolled, f.Areas)
	}
	drive := w.walk(t, w.inspector, newID(), w.along(4, day, 12, 5, 15*time.Minute, 3, 8), "")
	if !drive.Suspect || drive.Coverage == nil || *drive.Coverage < 0.5 {
		t.Fatalf("the drive: suspect %v, coverage %v; want a suspect patrol that covers the street", drive.Suspect, drive.Coverage)
	}
	if got, want := figures(), fmtFigures(1, 1, 0, 2); got != want {
		t.Fatalf("after the drive: %s, want %s", got, want)
	}
	w.walk(t, w.laneA, newID(), w.along(1, day.Add(time.Hour), 1.2, 10, 30*time.Minute, 4, 10), "")
	if got, want := figures(), fmtFigures(2, 1, 1, 2); got != want {
		t.Fatalf("after the walk: %s, want %s", got, want)
	}
	// Outside the period, nothing.
	from, to = day.Add(-72*time.Hour), day.Add(-time.Hour)
	if got, want := figures(), fmtFigures(0, 0, 0, 2); got != want {
		t.Fatalf("the days before: %s, want %s", got, want)
	}
}

func fmtFigures(patrols, suspect, patrolled, areas int64) string {
	return fmt.Sprintf("%d patrols, %d suspect, %d of %d areas patrolled", patrols, suspect, patrolled, areas)
}
