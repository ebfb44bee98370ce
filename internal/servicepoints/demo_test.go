package servicepoints_test

import (
	"context"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/demotest"
	"streetchief/internal/servicepoints"
)

// TestDemoPointsHaveTheirHolesAndHistory loads the demo city and its service points: a few dozen of
// every kind, none of them outside the district, no mothers' room in one subdistrict, rest stops in
// four of the seven, one closed after-school room with its revision (its time is logged, not judged).
func TestDemoPointsHaveTheirHolesAndHistory(t *testing.T) {
	demotest.City(t, 7)
	ctx := context.Background()
	start := time.Now()
	sum, err := servicepoints.SeedDemo(ctx, dbtest.Pool(t), 7)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("%s in %v", sum, took)
	if sum.Points < 40 || sum.Points > 70 || sum.Closed != 1 {
		t.Errorf("%s: want 40–70 points, one closed", sum)
	}
	svc := servicepoints.NewService(dbtest.Pool(t))
	all, err := svc.List(ctx, access.System("test"), servicepoints.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	subs := map[int64]map[string]int{}
	closed := 0
	for _, p := range all {
		if p.SubdistrictID == 0 {
			t.Errorf("point %d %s lies outside the district", p.ID, p.Name)
		}
		if subs[p.SubdistrictID] == nil {
			subs[p.SubdistrictID] = map[string]int{}
		}
		subs[p.SubdistrictID][p.Type]++
		if p.Status == servicepoints.Closed {
			closed++
			full, err := svc.Get(ctx, access.System("test"), p.ID)
			if err != nil || len(full.Revisions) != 2 || len(full.Statuses) != 2 {
				t.Errorf("the closed point's history: %d revisions, %d statuses, %v", len(full.Revisions), len(full.Statuses), err)
			}
		}
	}
	noRoom, rest := 0, 0
	for _, kinds := range subs {
		if kinds[servicepoints.MothersRoom] == 0 {
			noRoom++
		}
		if kinds[servicepoints.SanitationRest] > 0 {
			rest++
		}
	}
	if len(subs) != 7 || noRoom != 1 || rest != 4 || closed != 1 {
		t.Errorf("%d subdistricts, %d without a mothers' room, %d with a rest stop, %d closed; want 7, 1, 4, 1", len(subs), noRoom, rest, closed)
	}
}
