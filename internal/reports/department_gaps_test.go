package reports_test

import (
	"context"
	"slices"
	"testing"

	"streetchief/internal/dbtest"
	"streetchief/internal/registry"
	"streetchief/internal/reports"
)

// TestVacantDepartmentPostsNameTheDepartmentAndThePost places vacancies by hand in a subdistrict of
// its own: the first department is filled, the second lacks its leader, the third has only a deputy
// leader and a city-level responsible person, the rest have nobody. A deputy fills no post; either
// level does.
func TestVacantDepartmentPostsNameTheDepartmentAndThePost(t *testing.T) {
	demoCity(t)
	ctx := context.Background()
	pool := dbtest.Pool(t)
	store := registry.NewStore(pool)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	sub, _ := squareCommunity(t, store, 117.7, 26.0, "dv", "岗街道", "岗社区")
	depts, err := store.Departments(ctx)
	must(err)
	p, err := store.CreatePerson(ctx, admin, registry.PersonInput{Name: "定岗人", Active: true})
	must(err)
	post := func(role registry.PostRole, dept int, level registry.Level, primary bool) {
		t.Helper()
		in := registry.AssignmentInput{AdminUnitID: sub.ID, PersonID: p.ID, Role: role, Level: level, Primary: primary}
		if dept >= 0 {
			in.DepartmentID = depts[dept].ID
		}
		_, err := store.CreateAssignment(ctx, admin, in)
		must(err)
	}
	post(registry.StreetChief, -1, "", true)
	post(registry.DepartmentLeader, 0, registry.DistrictLevel, true)
	post(registry.DepartmentLiaison, 0, registry.DistrictLevel, true)
	post(registry.DepartmentLiaison, 1, registry.DistrictLevel, true)
	post(registry.DepartmentLeader, 2, registry.DistrictLevel, false)
	post(registry.DepartmentLiaison, 2, registry.CityLevel, true)

	r, err := reports.NewService(pool).Gaps(ctx, admin, reports.Query{Scope: reports.Scope{Level: "subdistrict", ID: sub.ID}, Kinds: []string{reports.KindVacant}})
	must(err)
	got := map[string][]string{}
	for _, v := range r.Vacant {
		got[v.Role] = append(got[v.Role], v.Department)
	}
	var wantLeaders, wantPeople []string
	for i, d := range depts {
		if i != 0 {
			wantLeaders = append(wantLeaders, d.Name)
		}
		if i > 2 {
			wantPeople = append(wantPeople, d.Name)
		}
	}
	slices.Sort(wantLeaders)
	slices.Sort(wantPeople)
	for role, want := range map[string][]string{string(registry.DepartmentLeader): wantLeaders, string(registry.DepartmentLiaison): wantPeople} {
		have := slices.Clone(got[role])
		slices.Sort(have)
		if !slices.Equal(have, want) {
			t.Errorf("vacant %s posts of departments %v, want %v", role, have, want)
		}
	}
	// The community's lane chief is vacant too; the street chief is not.
	if len(got[string(registry.StreetChief)]) != 0 || len(r.Vacant) != 1+len(wantLeaders)+len(wantPeople) {
		t.Errorf("vacant posts: %+v", r.Vacant)
	}
	if len(r.Summary) == 0 || r.Summary[0].VacantPosts != len(r.Vacant) {
		t.Errorf("summary %+v does not count the %d vacant posts", r.Summary, len(r.Vacant))
	}
}
