package registry_test

import (
	"context"
	"regexp"
	"slices"
	"testing"

	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/registry"
)

// TestPostRolesMatchTheSchema holds the Go list of posts and assignment.role's CHECK together.
func TestPostRolesMatchTheSchema(t *testing.T) {
	var def string
	err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = 'assignment'::regclass AND conname = 'assignment_role_check'`).Scan(&def)
	if err != nil {
		t.Fatal(err)
	}
	var allowed []string
	for _, m := range regexp.MustCompile(`'([a-z_]+)'`).FindAllStringSubmatch(def, -1) {
		allowed = append(allowed, m[1])
	}
	var known []string
	for _, r := range registry.PostRoles {
		known = append(known, string(r))
	}
	slices.Sort(allowed)
	slices.Sort(known)
	if !slices.Equal(allowed, known) {
		t.Fatalf("assignment.role allows %v, registry.PostRoles has %v", allowed, known)
	}
}

func TestParsePostRole(t *testing.T) {
	for _, r := range registry.PostRoles {
		if got, err := registry.ParsePostRole(string(r)); err != nil || got != r {
			t.Errorf("ParsePostRole(%q) = %q, %v", r, got, err)
		}
	}
	// Account roles that are not posts, and near misses, are refused as invalid input.
	for _, bad := range []string{"", "admin", "district_leader", "Street_Chief", "street chief"} {
		if _, err := registry.ParsePostRole(bad); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("ParsePostRole(%q) = %v, want an invalid-input error", bad, err)
		}
	}
}

func TestPostsAreHeldOverTheirLevel(t *testing.T) {
	want := map[registry.PostRole]string{registry.StreetChief: "subdistrict", registry.DepartmentLiaison: "subdistrict",
		registry.DepartmentLeader: "subdistrict", registry.LinkedLeader: "subdistrict", registry.CrossAppointee: "subdistrict",
		registry.LaneChief: "community", registry.AreaManager: "area"}
	for _, r := range registry.PostRoles {
		if got := r.HeldOver(); got != want[r] {
			t.Errorf("%s is held over %q, want %q", r, got, want[r])
		}
	}
	if string(registry.PostRole("deputy").Canonical()) != "deputy" {
		t.Error("Canonical changed the value")
	}
}

// TestDepartmentPostsNeedTheirDepartmentAndLevel: a department's post names the department and is
// held at city or district level (district unless said); other posts name neither.
func TestDepartmentPostsNeedTheirDepartmentAndLevel(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "deptpost")
	store := f.store
	depts, err := store.Departments(ctx)
	if err != nil || len(depts) == 0 {
		t.Fatalf("departments: %v, %v", depts, err)
	}
	dept := depts[0].ID
	sub, person := f.sub.ID, f.chiefA.ID
	bad := []registry.AssignmentInput{
		{AdminUnitID: sub, PersonID: person, Role: registry.DepartmentLeader, Primary: true},
		{AdminUnitID: sub, PersonID: person, Role: registry.StreetChief, DepartmentID: dept, Primary: true},
		{AdminUnitID: sub, PersonID: person, Role: registry.StreetChief, Level: registry.CityLevel, Primary: true},
		{AdminUnitID: sub, PersonID: person, Role: registry.DepartmentLiaison, DepartmentID: dept, Level: "province", Primary: true},
	}
	for _, in := range bad {
		if _, err := store.CreateAssignment(ctx, admin, in); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("CreateAssignment(%+v) = %v, want invalid input", in, err)
		}
	}
	district, err := store.CreateAssignment(ctx, admin, registry.AssignmentInput{AdminUnitID: sub,
		PersonID: person, Role: registry.DepartmentLeader, DepartmentID: dept, Primary: true})
	if err != nil || district.Level != registry.DistrictLevel {
		t.Fatalf("district leader: %+v, %v; want level district", district, err)
	}
	// The city's team holds its own post beside the district's: no clash.
	city, err := store.CreateAssignment(ctx, admin, registry.AssignmentInput{AdminUnitID: sub,
		PersonID: person, Role: registry.DepartmentLeader, DepartmentID: dept, Level: registry.CityLevel, Primary: true})
	if err != nil || city.Level != registry.CityLevel {
		t.Fatalf("city leader: %+v, %v", city, err)
	}
	_, err = store.CreateAssignment(ctx, admin, registry.AssignmentInput{AdminUnitID: sub,
		PersonID: person, Role: registry.DepartmentLeader, DepartmentID: dept, Level: registry.CityLevel, Primary: true})
	if !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a second city leader of the same post = %v, want a conflict", err)
	}
}
