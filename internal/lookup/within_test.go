package lookup_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

// An engine limited to the demo's one district answers every point in it as the whole engine does,
// and refuses a point outside it as misdirected, where the whole engine answers (nobody).
func TestEngineWithinDistrictsAnswersInsideAndRefusesOutside(t *testing.T) {
	c := demoCity(t)
	whole := loadedEngine(t)
	store := registry.NewStore(dbtest.Pool(t))
	ctx := context.Background()
	var district registry.SpatialUnit
	units, err := store.SpatialUnits(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		if u.Level == "district" {
			district = u
		}
	}
	ids, err := store.DistrictIDs(ctx, []string{"350802"})
	if err != nil || len(ids) != 1 || ids[0] != district.ID {
		t.Fatalf("DistrictIDs(350802) = %v, %v; want [%d]", ids, err, district.ID)
	}
	if _, err := store.DistrictIDs(ctx, []string{"350802001"}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a subdistrict's code as a district: %v, want invalid", err)
	}
	within := lookup.NewWithin(store, ids)
	if err := within.Load(ctx); err != nil {
		t.Fatal(err)
	}
	inside := 0
	for _, pt := range probePoints(c, 500) {
		if !planar.MultiPolygonContains(district.Boundary, pt) {
			continue
		}
		inside++
		want, err1 := whole.Answer(lookup.Query{Point: pt, ToleranceM: -1})
		got, err2 := within.Answer(lookup.Query{Point: pt, ToleranceM: -1})
		if err1 != nil || err2 != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("at %v within the district: %+v %v, whole engine %+v %v", pt, got, err2, want, err1)
		}
	}
	if inside == 0 {
		t.Fatal("no probe point fell in the district")
	}
	outside := orb.Point{district.Boundary.Bound().Max[0] + 0.5, district.Boundary.Bound().Max[1] + 0.5}
	if _, err := whole.Answer(lookup.Query{Point: outside}); err != nil {
		t.Fatalf("whole engine outside the district: %v", err)
	}
	if _, err := within.Answer(lookup.Query{Point: outside}); !apperr.Is(err, apperr.Misdirected) {
		t.Fatalf("engine within the district at %v: %v, want misdirected", outside, err)
	}
}
