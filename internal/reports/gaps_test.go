package reports_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/demo"
	"streetchief/internal/demotest"
	"streetchief/internal/registry"
	"streetchief/internal/reports"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var admin = access.System("test")

func rect(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
}

// squareCommunity makes a city, district, subdistrict and community that all cover the square of
// 0.01° at x, y, with codes starting with prefix.
func squareCommunity(t *testing.T, store *registry.Store, x, y float64, prefix, subName, comName string) (sub, com registry.AdminUnit) {
	t.Helper()
	ctx := context.Background()
	unit := func(level string, parent int64, code, name string) registry.AdminUnit {
		t.Helper()
		u, err := store.CreateAdminUnit(ctx, admin, registry.AdminUnitInput{Level: level, ParentID: parent, Code: prefix + "-" + code,
			Name: name, Boundary: rect(x, y, x+0.01, y+0.01)})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	city := unit("city", 0, "c", "城")
	dist := unit("district", city.ID, "d", "区")
	sub = unit("subdistrict", dist.ID, "s", subName)
	return sub, unit("community", sub.ID, "m", comName)
}

func within(t *testing.T, what string, got, want, tolerance float64) {
	t.Helper()
	if math.Abs(got-want) > want*tolerance {
		t.Errorf("%s: got %.2f, want %.2f (±%.1f%%)", what, got, want, tolerance*100)
	}
}

// TestHandBuiltGapsAreFoundWithTheirMeasures builds a square community at 118°E where every answer
// is known: two assigned areas leave a 0.001°-wide strip, two areas of different people overlap by a
// known rectangle, and one lane has nobody. The expected measures come from PostGIS geography, an
// independent way of measuring from the report's Gauss-Kruger projection.
func TestHandBuiltGapsAreFoundWithTheirMeasures(t *testing.T) {
	demoCity(t) // the demo loads only into an empty database; the fixture lies well east of it
	ctx := context.Background()
	pool := dbtest.Pool(t)
	store := registry.NewStore(pool)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	x, y := 117.5, 26.0
	sub, com := squareCommunity(t, store, x, y, "g", "方街道", "方社区")
	west, err := store.CreateArea(ctx, admin, registry.AreaInput{Kind: "residential_compound", Name: "西区", Geom: rect(x, y, x+0.004, y+0.01)})
	must(err)
	east, err := store.CreateArea(ctx, admin, registry.AreaInput{Kind: "residential_compound", Name: "东区", Geom: rect(x+0.005, y, x+0.01, y+0.01)})
	must(err)
	// A market straddling the east compound's corner: overlaps it by 0.001° × 0.002°.
	market, err := store.CreateArea(ctx, admin, registry.AreaInput{Kind: "night_market", Name: "夜市", Geom: rect(x+0.009, y+0.008, x+0.011, y+0.01)})
	must(err)
	lane, err := store.CreateArea(ctx, admin, registry.AreaInput{Kind: "back_lane", Name: "无人巷", Geom: rect(x+0.004, y, x+0.005, y+0.002),
		Centreline: orb.MultiLineString{{{x + 0.0045, y}, {x + 0.0045, y + 0.002}}}})
	must(err)
	alice, err := store.CreatePerson(ctx, admin, registry.PersonInput{Name: "甲", Active: true})
	must(err)
	bob, err := store.CreatePerson(ctx, admin, registry.PersonInput{Name: "乙", Active: true})
	must(err)
	for area, person := range map[int64]int64{west.ID: alice.ID, east.ID: alice.ID, market.ID: bob.ID} {
		_, err := store.CreateAssignment(ctx, admin, registry.AssignmentInput{AreaID: area, PersonID: person, Role: "area_manager", Primary: true})
		must(err)
	}
	_, err = store.CreateAssignment(ctx, admin, registry.AssignmentInput{AdminUnitID: com.ID, PersonID: alice.ID, Role: "lane_chief", Primary: true})
	must(err)

	measure := func(wkt string) float64 {
		var m2 float64
		must(pool.QueryRow(ctx, `SELECT ST_Area(ST_GeomFromText($1, 4326)::geography)`, wkt).Scan(&m2))
		return m2
	}
	// The strip between the compounds, minus the lane (which is an area, but nobody's): the whole
	// 0.001° strip is territory no *assigned* area covers.
	wantStrip := measure("POLYGON((117.504 26, 117.505 26, 117.505 26.01, 117.504 26.01, 117.504 26))")
	// The market reaches 0.001° outside the community; inside it overlaps the east compound.
	wantOverlap := measure("POLYGON((117.509 26.008, 117.51 26.008, 117.51 26.01, 117.509 26.01, 117.509 26.008))")
	var wantLaneLength float64
	must(pool.QueryRow(ctx, `SELECT ST_Length(ST_GeomFromText('LINESTRING(117.5045 26, 117.5045 26.002)', 4326)::geography)`).Scan(&wantLaneLength))

	r, err := reports.NewService(pool).Gaps(ctx, admin, reports.Query{Scope: reports.Scope{Level: "community", ID: com.ID}})
	must(err)
	if len(r.Unassigned) != 1 || r.Unassigned[0].AreaID != lane.ID {
		t.Fatalf("unassigned areas: %+v, want the lane", r.Unassigned)
	}
	within(t, "unassigned lane length", r.Unassigned[0].LengthM, wantLaneLength, 0.005)
	if len(r.Territory) != 1 {
		t.Fatalf("territory gaps: %d pieces, want the one strip: %+v", len(r.Territory), r.Territory)
	}
	within(t, "territory gap", r.Territory[0].AreaM2, wantStrip, 0.005)
	if len(r.Overlaps) != 1 || r.Overlaps[0].AreaA != east.ID || r.Overlaps[0].AreaB != market.ID {
		t.Fatalf("overlaps: %+v, want the east compound and the market", r.Overlaps)
	}
	within(t, "overlap", r.Overlaps[0].AreaM2, wantOverlap, 0.005)
	// The community has its lane chief; the subdistrict lacks a street chief and every liaison, but
	// those posts are outside a community-scoped report.
	if len(r.Vacant) != 0 {
		t.Fatalf("vacant posts in a community with its lane chief: %+v", r.Vacant)
	}
	whole, err := reports.NewService(pool).Gaps(ctx, admin, reports.Query{Scope: reports.Scope{Level: "subdistrict", ID: sub.ID}, Kinds: []string{reports.KindVacant}})
	must(err)
	if len(whole.Vacant) != 19 { // one street chief, and nine departments' leaders and responsible people
		t.Fatalf("vacant posts in the subdistrict: %d, want 19: %+v", len(whole.Vacant), whole.Vacant)
	}
	// A lane chief elsewhere sees nothing of this community.
	outsider := access.Principal{Role: access.LaneChief, Username: "x", Scope: access.Scope{Communities: []int64{-1}}}
	none, err := reports.NewService(pool).Gaps(ctx, outsider, reports.Query{Scope: reports.Scope{Level: "district"}})
	must(err)
	if len(none.Unassigned)+len(none.Territory)+len(none.Overlaps) != 0 {
		t.Fatalf("outsider saw gaps: %+v", none)
	}
}

// TestDemoCityDeliberateGapsAreFound checks the three gaps the demo city is built with.
func TestDemoCityDeliberateGapsAreFound(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	city := demoCity(t)
	r, err := reports.NewService(pool).Gaps(ctx, admin, reports.Query{Scope: reports.Scope{Level: "district"}})
	if err != nil {
		t.Fatal(err)
	}
	r = withoutFixture(r)
	t.Logf("demo city report in %s", r.Elapsed)
	if len(r.Unassigned) != 1 || r.Unassigned[0].Name != city.UnassignedAreaName {
		t.Fatalf("unassigned: %+v, want %s", r.Unassigned, city.UnassignedAreaName)
	}
	lane := r.Unassigned[0]
	var strip *reports.TerritoryGap
	for i, g := range r.Territory {
		if math.Abs(g.AreaM2-city.UncoveredStripArea) <= city.UncoveredStripArea*0.005 {
			strip = &r.Territory[i]
		} else if math.Abs(g.AreaM2-lane.AreaM2) > lane.AreaM2*0.01 {
			t.Errorf("unexpected territory gap of %.1f m² in %s", g.AreaM2, g.CommunityName)
		}
	}
	if strip == nil {
		t.Fatalf("the %.0f m² strip was not found among %+v", city.UncoveredStripArea, r.Territory)
	}
	if len(r.Overlaps) != 1 {
		t.Fatalf("overlaps: %+v, want only the deliberate one", r.Overlaps)
	}
	o := r.Overlaps[0]
	if (o.NameA != city.OverlapNames[0] || o.NameB != city.OverlapNames[1]) && (o.NameA != city.OverlapNames[1] || o.NameB != city.OverlapNames[0]) {
		t.Fatalf("overlap between %s and %s, want %v", o.NameA, o.NameB, city.OverlapNames)
	}
	within(t, "demo overlap", o.AreaM2, city.OverlapArea, 0.005)
	if len(r.Workload) == 0 {
		t.Fatal("no workload rows")
	}
}

// demoCity loads the demo city into the package's database once, before any fixture.
func demoCity(t *testing.T) *demo.City { return demotest.City(t, 3) }

// withoutFixture drops the hand-built fixtures' subdistricts from a district report.
func withoutFixture(r reports.Report) reports.Report {
	keep := func(p reports.Place) bool {
		return p.SubdistrictName != "方街道" && p.SubdistrictName != "岗街道"
	}
	r.Unassigned = slices.DeleteFunc(r.Unassigned, func(u reports.Unassigned) bool { return !keep(u.Place) })
	r.Territory = slices.DeleteFunc(r.Territory, func(g reports.TerritoryGap) bool { return !keep(g.Place) })
	r.Overlaps = slices.DeleteFunc(r.Overlaps, func(o reports.Overlap) bool { return !keep(o.Place) })
	return r
}
