package demo

import (
	"math"
	"reflect"
	"testing"

	"github.com/paulmach/orb/planar"
)

// MustGenerate generates the city for opt or fails the test.
func MustGenerate(tb testing.TB, opt Options) *City {
	tb.Helper()
	c, err := Generate(opt)
	if err != nil {
		tb.Fatalf("Generate(%+v): %v", opt, err)
	}
	return c
}

func TestGenerateIsDeterministicPerSeed(t *testing.T) {
	a := MustGenerate(t, Options{Seed: 7, Scale: 1})
	b := MustGenerate(t, Options{Seed: 7, Scale: 1})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same options gave different cities")
	}
	c := MustGenerate(t, Options{Seed: 8, Scale: 1})
	if reflect.DeepEqual(a.Areas, c.Areas) || reflect.DeepEqual(a.People, c.People) {
		t.Fatal("different seeds gave the same city")
	}
}

func TestGenerateRejectsScaleBelowOne(t *testing.T) {
	for _, s := range []int{0, -1} {
		if _, err := Generate(Options{Seed: 1, Scale: s}); err == nil {
			t.Errorf("scale %d accepted", s)
		}
	}
}

func TestScaleOneHasAPlausibleSize(t *testing.T) {
	for seed := range int64(5) {
		c := MustGenerate(t, Options{Seed: seed, Scale: 1})
		n := c.Counts()
		t.Logf("seed %d: %v", seed, n)
		if n.Areas < 2000 || n.Areas > 4000 {
			t.Errorf("seed %d: %d areas, want 2,000–4,000", seed, n.Areas)
		}
		if got := n.AdminUnitsByLevel[LevelSubdistrict]; got != 7 {
			t.Errorf("seed %d: %d subdistricts", seed, got)
		}
		if got := n.AdminUnitsByLevel[LevelCommunity]; got < 7*8 || got > 7*12 {
			t.Errorf("seed %d: %d communities", seed, got)
		}
		if got := n.AreasByKind[KindNightMarket]; got < 2 || got > 4 {
			t.Errorf("seed %d: %d night markets, want 2–4", seed, got)
		}
		for _, k := range []string{KindMainRoad, KindSecondaryRoad, KindBackLane, KindResidentialCompound,
			KindFarmersMarket, KindCommercialStreet, KindPark, KindSquare} {
			if n.AreasByKind[k] == 0 {
				t.Errorf("seed %d: no %s", seed, k)
			}
		}
		if got := n.AreasByKind[KindRiver]; got != 3 {
			t.Errorf("seed %d: the river is in %d pieces, want one per subdistrict it crosses (3)", seed, got)
		}
	}
}

// The areas' planar areas (in square degrees, where every shape is still an axis-aligned union of
// rectangles) add up to the district minus the strip plus the overlap: nothing else is missing or
// counted twice.
func TestAreasTileTheDistrictApartFromTheDeliberateFlaws(t *testing.T) {
	c := MustGenerate(t, Options{Seed: 3, Scale: 1})
	var district, sum float64
	for _, u := range c.AdminUnits {
		if u.Level == LevelDistrict {
			district = planar.Area(u.Boundary)
		}
	}
	for _, a := range c.Areas {
		sum += planar.Area(a.Geom)
	}
	east, north := metresPerDegree()
	perM2 := 1 / (east * north)
	want := district - c.UncoveredStripArea*perM2 + c.OverlapArea*perM2
	if math.Abs(sum-want) > 1e-9*district {
		t.Fatalf("areas sum to %.6g m² more than the district less the strip plus the overlap", (sum-want)/perM2)
	}
}

// Area names are unique, so people (and these tests) can tell areas apart by name.
func TestAreaNamesAreUnique(t *testing.T) {
	c := MustGenerate(t, Options{Seed: 5, Scale: 2})
	seen := map[string]bool{}
	for _, a := range c.Areas {
		if seen[a.Name] {
			t.Errorf("two areas named %q", a.Name)
		}
		seen[a.Name] = true
	}
}

func TestCityNamesItsDeliberateFlaws(t *testing.T) {
	c := MustGenerate(t, Options{Seed: 3, Scale: 1})
	names := map[string]int{}
	for _, a := range c.Areas {
		names[a.Name]++
	}
	for _, n := range []string{c.UnassignedAreaName, c.OverlapNames[0], c.OverlapNames[1]} {
		if names[n] != 1 {
			t.Errorf("flaw area %q appears %d times", n, names[n])
		}
	}
	if c.UncoveredStripArea < 0.5*stripWidth*stripLength || c.UncoveredStripArea > 1.5*stripWidth*stripLength {
		t.Errorf("strip of %.0f m²", c.UncoveredStripArea)
	}
	for _, a := range c.Assignments {
		if a.Area > 0 && c.Areas[a.Area-1].Name == c.UnassignedAreaName {
			t.Errorf("unassigned lane has an assignment: %+v", a)
		}
	}
}

func BenchmarkGenerateBenchScale(b *testing.B) {
	for b.Loop() {
		c := MustGenerate(b, Options{Seed: 1, Scale: BenchScale})
		b.ReportMetric(float64(len(c.Areas)), "areas")
	}
}
