package merchants

import (
	"reflect"
	"testing"
	"time"
)

// The plan is deterministic: the same shops, seed and day give the same inspections.
func TestDemoInspectionPlanIsDeterministic(t *testing.T) {
	var shops []demoCheckedShop
	for i := range 40 {
		shops = append(shops, demoCheckedShop{id: int64(i + 1), community: int64(1 + i%3), inspector: int64(100 + i%5), lon: 117, lat: 25})
	}
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	a := demoInspectionPlan(shops, demoStoppedCommunity(shops), 7, now)
	b := demoInspectionPlan(shops, demoStoppedCommunity(shops), 7, now)
	if len(a) == 0 || !reflect.DeepEqual(a, b) {
		t.Fatalf("two plans of the same seed differ (%d, %d visits)", len(a), len(b))
	}
	if c := demoInspectionPlan(shops, demoStoppedCommunity(shops), 8, now); reflect.DeepEqual(a, c) {
		t.Fatal("another seed gave the same plan")
	}
}

// The community that stops is a community, even when more shops lie in none.
func TestDemoStoppedCommunityIsACommunity(t *testing.T) {
	shops := []demoCheckedShop{{id: 1, community: 0}, {id: 2, community: 0}, {id: 3, community: 0}, {id: 4, community: 7}, {id: 5, community: 9},
		{id: 6, community: 9}}
	if got := demoStoppedCommunity(shops); got != 9 {
		t.Fatalf("stopped community %d, want 9 (the most shops of any community)", got)
	}
}
