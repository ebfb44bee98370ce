package registry_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/registry"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var admin = access.System("test")

// square returns a lon/lat square of side d degrees with its south-west corner at (x, y).
func square(x, y, d float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}}
}

// fixture is a tiny district: one subdistrict with two communities side by side, and one area in each.
type fixture struct {
	store                  *registry.Store
	sub, comA, comB        registry.AdminUnit
	areaA, areaB           registry.Area
	chiefA, chiefB, worker registry.Person
}

func newFixture(t *testing.T, code string) fixture {
	t.Helper()
	ctx := context.Background()
	s := registry.NewStore(dbtest.Pool(t))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Each fixture sits in its own patch of the map so fixtures of different tests never overlap.
	var x0 float64
	for _, c := range code {
		x0 = x0*7 + float64(c%17)
	}
	x0 = 100 + float64(int(x0)%400)/10
	var f fixture
	f.store = s
	var err error
	city, err := s.CreateAdminUnit(ctx, admin, registry.AdminUnitInput{Level: "city", Code: code + "-c", Name: "城" + code, Boundary: square(x0, 20, 0.1)})
	must(err)
	dist, err := s.CreateAdminUnit(ctx, admin, registry.AdminUnitInput{Level: "district", ParentID: city.ID, Code: code + "-d", Name: "区" + code, Boundary: square(x0, 20, 0.1)})
	must(err)
	f.sub, err = s.CreateAdminUnit(ctx, admin, registry.AdminUnitInput{Level: "subdistrict", ParentID: dist.ID, Code: code + "-s", Name: "街道" + code,
		Boundary: orb.MultiPolygon{{{{x0, 20}, {x0 + 0.02, 20}, {x0 + 0.02, 20.01}, {x0, 20.01}, {x0, 20}}}}})
	must(err)
	f.comA, err = s.CreateAdminUnit(ctx, admin, registry.AdminUnitInput{Level: "community", ParentID: f.sub.ID, Code: code + "-a", Name: "社区A" + code, Boundary: square(x0, 20, 0.01)})
	must(err)
	f.comB, err = s.CreateAdminUnit(ctx, admin, registry.AdminUnitInput{Level: "community", ParentID: f.sub.ID, Code: code + "-b", Name: "社区B" + code, Boundary: square(x0+0.01, 20, 0.01)})
	must(err)
	// Area A lies mostly in community A but reaches a little into B: largest overlap decides.
	f.areaA, err = s.CreateArea(ctx, admin, registry.AreaInput{Kind: "park", Name: "公园" + code,
		Geom: orb.MultiPolygon{{{{x0 + 0.002, 20.002}, {x0 + 0.0105, 20.002}, {x0 + 0.0105, 20.004}, {x0 + 0.002, 20.004}, {x0 + 0.002, 20.002}}}}})
	must(err)
	f.areaB, err = s.CreateArea(ctx, admin, registry.AreaInput{Kind: "back_lane", Name: "小巷" + code, Geom: square(x0+0.012, 20.002, 0.002)})
	must(err)
	f.chiefA, err = s.CreatePerson(ctx, admin, registry.PersonInput{Name: "甲" + code, Phone: "13900000001", Active: true})
	must(err)
	f.chiefB, err = s.CreatePerson(ctx, admin, registry.PersonInput{Name: "乙" + code, Phone: "13900000002", Active: true})
	must(err)
	f.worker, err = s.CreatePerson(ctx, admin, registry.PersonInput{Name: "丙" + code, Phone: "13900000003", Active: true})
	must(err)
	return f
}

func TestAreaIsLocatedByLargestOverlap(t *testing.T) {
	f := newFixture(t, "loc")
	if f.areaA.CommunityID != f.comA.ID || f.areaA.SubdistrictID != f.sub.ID {
		t.Fatalf("area A located in community %d subdistrict %d, want %d %d", f.areaA.CommunityID, f.areaA.SubdistrictID, f.comA.ID, f.sub.ID)
	}
	if f.areaB.CommunityID != f.comB.ID {
		t.Fatalf("area B located in community %d, want %d", f.areaB.CommunityID, f.comB.ID)
	}
	// Moving the area into B relocates it.
	moved, err := f.store.UpdateArea(context.Background(), admin, f.areaA.ID, registry.AreaInput{
		Kind: "park", Name: f.areaA.Name, Geom: square(f.comB.Boundary.Bound().Min[0]+0.001, 20.005, 0.001)})
	if err != nil {
		t.Fatal(err)
	}
	if moved.CommunityID != f.comB.ID {
		t.Fatalf("moved area located in community %d, want %d", moved.CommunityID, f.comB.ID)
	}
}

func TestAssignmentHistoryAnswersWhoWasResponsibleThen(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "hist")
	march := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	june := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	first, err := f.store.CreateAssignment(ctx, admin, registry.AssignmentInput{
		AdminUnitID: f.comA.ID, PersonID: f.chiefA.ID, Role: "lane_chief", Primary: true, From: &march})
	if err != nil {
		t.Fatal(err)
	}
	// A second lane chief for the same community overlapping in time is refused.
	_, err = f.store.CreateAssignment(ctx, admin, registry.AssignmentInput{
		AdminUnitID: f.comA.ID, PersonID: f.chiefB.ID, Role: "lane_chief", Primary: true, From: &june})
	if !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("overlapping lane chief: got %v, want conflict", err)
	}
	// A handover relieves the first at the moment the second takes over.
	second, err := f.store.CreateAssignment(ctx, admin, registry.AssignmentInput{
		AdminUnitID: f.comA.ID, PersonID: f.chiefB.ID, Role: "lane_chief", Primary: true, From: &june, Handover: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		at   time.Time
		want int64
	}{
		{"before anyone", march.Add(-time.Hour), 0},
		{"first chief in April", march.AddDate(0, 1, 0), first.PersonID},
		{"second chief from the handover moment", june, second.PersonID},
		{"second chief now", time.Now(), second.PersonID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at := tc.at
			list, _, err := f.store.ListAssignments(ctx, admin, registry.AssignmentFilter{At: &at, AdminUnitID: f.comA.ID, Role: "lane_chief"})
			if err != nil {
				t.Fatal(err)
			}
			var got int64
			if len(list) > 1 {
				t.Fatalf("%d lane chiefs at %s", len(list), at)
			}
			if len(list) == 1 {
				got = list[0].PersonID
			}
			if got != tc.want {
				t.Fatalf("lane chief at %s: person %d, want %d", at, got, tc.want)
			}
		})
	}
	all, _, err := f.store.ListAssignments(ctx, admin, registry.AssignmentFilter{History: true, AdminUnitID: f.comA.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Until == nil || !all[0].Until.Equal(june) {
		t.Fatalf("history: %+v", all)
	}
}

func TestLaneChiefSeesAndChangesOnlyTheirCommunity(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "scope")
	laneChiefA := access.Principal{Role: access.LaneChief, Username: "a", Scope: access.Scope{Communities: []int64{f.comA.ID}}}

	areas, _, err := f.store.ListAreas(ctx, laneChiefA, registry.AreaFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range areas {
		if a.CommunityID != f.comA.ID {
			t.Fatalf("lane chief of A listed area %d of community %d", a.ID, a.CommunityID)
		}
	}
	if len(areas) != 1 || areas[0].ID != f.areaA.ID {
		t.Fatalf("lane chief of A sees %d areas, want exactly area A", len(areas))
	}
	if _, err := f.store.Area(ctx, laneChiefA, f.areaB.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("reading B's area: %v, want not found", err)
	}
	if err := f.store.DeleteArea(ctx, laneChiefA, f.areaB.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("deleting B's area: %v, want not found", err)
	}
	if _, err := f.store.Area(ctx, admin, f.areaB.ID); err != nil {
		t.Fatalf("B's area is gone after a refused delete: %v", err)
	}
	// Appointing a manager in B, or a lane chief anywhere, is refused.
	_, err = f.store.CreateAssignment(ctx, laneChiefA, registry.AssignmentInput{AreaID: f.areaB.ID, PersonID: f.worker.ID, Role: "area_manager", Primary: true})
	if !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("lane chief of A assigning in B: %v, want forbidden", err)
	}
	_, err = f.store.CreateAssignment(ctx, laneChiefA, registry.AssignmentInput{AdminUnitID: f.comA.ID, PersonID: f.worker.ID, Role: "lane_chief", Primary: true})
	if !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("lane chief appointing a lane chief: %v, want forbidden", err)
	}
	// Within A it works.
	if _, err := f.store.CreateAssignment(ctx, laneChiefA, registry.AssignmentInput{AreaID: f.areaA.ID, PersonID: f.worker.ID, Role: "area_manager", Primary: true}); err != nil {
		t.Fatal(err)
	}
}

func TestAssignmentRoleMustSuitItsTarget(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "suit")
	for _, tc := range []struct {
		name string
		in   registry.AssignmentInput
	}{
		{"street chief of a community", registry.AssignmentInput{AdminUnitID: f.comA.ID, Role: "street_chief"}},
		{"lane chief of an area", registry.AssignmentInput{AreaID: f.areaA.ID, Role: "lane_chief"}},
		{"area manager of a subdistrict", registry.AssignmentInput{AdminUnitID: f.sub.ID, Role: "area_manager"}},
		{"liaison without department", registry.AssignmentInput{AdminUnitID: f.sub.ID, Role: "department_liaison"}},
		{"two targets", registry.AssignmentInput{AdminUnitID: f.sub.ID, AreaID: f.areaA.ID, Role: "deputy"}},
		{"unknown role", registry.AssignmentInput{AreaID: f.areaA.ID, Role: "mayor"}},
		{"unknown person", registry.AssignmentInput{AreaID: f.areaA.ID, Role: "area_manager", PersonID: 1 << 40}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if in.PersonID == 0 {
				in.PersonID = f.worker.ID
			}
			in.Primary = true
			if _, err := f.store.CreateAssignment(ctx, admin, in); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("got %v, want invalid", err)
			}
		})
	}
}

func TestGeometryErrorsSpeakJSONNotGo(t *testing.T) {
	_, err := registry.DecodePolygonal([]byte(`{"type":"Polygon","coordinates":[["a"]]}`))
	if err == nil || strings.Contains(apperr.Message(err), "Go ") {
		t.Fatalf("%v", err)
	}
}
