package registry_test

import (
	"context"
	"errors"
	"testing"

	"streetchief/internal/apperr"
	"streetchief/internal/registry"
)

// TestDepartmentPostOfAnUnknownDepartmentOrOffTargetIsRefusedNamingTheField: a post naming a
// department that does not exist, or held over something that is not a subdistrict, is bad input
// (422 naming the field), not a clash with the state (409); nothing is written.
func TestDepartmentPostOfAnUnknownDepartmentOrOffTargetIsRefusedNamingTheField(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "deptref")
	depts, err := f.store.Departments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dept := depts[0].ID
	for _, tc := range []struct {
		name  string
		in    registry.AssignmentInput
		field string
	}{
		{"unknown department", registry.AssignmentInput{AdminUnitID: f.sub.ID, PersonID: f.chiefA.ID,
			Role: registry.DepartmentLeader, DepartmentID: 999_999, Primary: true}, "department_id"},
		{"unknown department of a linked leader", registry.AssignmentInput{AdminUnitID: f.sub.ID, PersonID: f.chiefA.ID,
			Role: registry.LinkedLeader, DepartmentID: 999_999, Level: registry.CityLevel, Primary: true}, "department_id"},
		{"a community, not a subdistrict", registry.AssignmentInput{AdminUnitID: f.comA.ID, PersonID: f.chiefA.ID,
			Role: registry.DepartmentLiaison, DepartmentID: dept, Primary: true}, "admin_unit_id"},
		{"an area, not a subdistrict", registry.AssignmentInput{AreaID: f.areaA.ID, PersonID: f.chiefA.ID,
			Role: registry.DepartmentLeader, DepartmentID: dept, Primary: true}, "area_id"},
		{"no such unit", registry.AssignmentInput{AdminUnitID: 999_999, PersonID: f.chiefA.ID,
			Role: registry.CrossAppointee, Primary: true}, "admin_unit_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.store.CreateAssignment(ctx, admin, tc.in)
			var e *apperr.Error
			if !errors.As(err, &e) || e.Code != apperr.Invalid {
				t.Fatalf("got %v, want invalid input", err)
			}
			if e.Fields["field"] != tc.field {
				t.Errorf("error %q names field %v, want %s", e.Message, e.Fields["field"], tc.field)
			}
		})
	}
	list, _, err := f.store.ListAssignments(ctx, admin, registry.AssignmentFilter{AdminUnitID: f.sub.ID, History: true})
	if err != nil || len(list) != 0 {
		t.Fatalf("refused posts left %d assignments (%v)", len(list), err)
	}
}
