package registry_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/registry"
)

func at(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

// postsBatch is a good batch on fixture f: two new people, a street chief of the subdistrict (named
// by code) held by the first until the second takes over, and a manager of area A (by id) who
// is a person stored already.
func postsBatch(f fixture) ([]registry.ImportPerson, []registry.ImportAssignment) {
	people := []registry.ImportPerson{
		{Index: 1, Source: "p1", PersonInput: registry.PersonInput{Name: "丁" + f.sub.Code, Phone: "13900000011", Active: true,
			Attributes: map[string]any{"title": "街长"}}},
		{Index: 2, Source: "p2", PersonInput: registry.PersonInput{Name: "戊" + f.sub.Code, Active: true}},
	}
	posts := []registry.ImportAssignment{
		{Index: 1, Source: "a1", AdminUnitCode: f.sub.Code, Person: 1, AssignmentInput: registry.AssignmentInput{
			Role: "street_chief", Primary: true, From: at(2019, 1, 1), Until: at(2020, 1, 1), Note: "已交接"}},
		{Index: 2, Source: "a2", AdminUnitCode: f.sub.Code, Person: 2, AssignmentInput: registry.AssignmentInput{
			Role: "street_chief", Primary: true, From: at(2020, 1, 1)}},
		{Index: 3, Source: "a3", AssignmentInput: registry.AssignmentInput{AreaID: f.areaA.ID, PersonID: f.worker.ID,
			Role: "area_manager", Primary: true, From: at(2019, 6, 1)}},
	}
	return people, posts
}

// census counts what an import of posts writes.
func census(t *testing.T) string {
	t.Helper()
	var p, a, l int
	err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT (SELECT count(*) FROM person), (SELECT count(*) FROM assignment),
		(SELECT count(*) FROM audit_log)`).Scan(&p, &a, &l)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("people=%d assignments=%d audit=%d", p, a, l)
}

func TestImportPostsWritesPeopleAndAssignmentsInInputOrder(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "posts-ok")
	people, posts := postsBatch(f)
	res, err := f.store.ImportPosts(ctx, admin, people, posts)
	if err != nil {
		t.Fatal(err)
	}
	if res.People != 2 || res.Assignments != 3 || len(res.PersonIDs) != 2 || res.PersonIDs[1] != res.PersonIDs[0]+1 ||
		res.LastAssignmentID != res.FirstAssignmentID+2 {
		t.Fatalf("result %+v", res)
	}
	first, err := f.store.Person(ctx, admin, res.PersonIDs[0])
	if err != nil || first.Name != people[0].Name || first.Phone != "13900000011" || first.Attributes["title"] != "街长" {
		t.Fatalf("first person %+v, %v", first, err)
	}
	for i, want := range []struct {
		person    int64
		unit      int64
		area      int64
		until     bool
		role      string
		fromMonth time.Month
	}{
		{res.PersonIDs[0], f.sub.ID, 0, true, "street_chief", 1},
		{res.PersonIDs[1], f.sub.ID, 0, false, "street_chief", 1},
		{f.worker.ID, 0, f.areaA.ID, false, "area_manager", 6},
	} {
		got, err := f.store.Assignment(ctx, admin, res.FirstAssignmentID+int64(i))
		if err != nil {
			t.Fatal(err)
		}
		if got.PersonID != want.person || got.AdminUnitID != want.unit || got.AreaID != want.area || (got.Until != nil) != want.until ||
			string(got.Role) != want.role || got.From.Month() != want.fromMonth || !got.Primary {
			t.Errorf("assignment %d: %+v, want %+v", i+1, got, want)
		}
	}
	var audits int
	if err := dbtest.Pool(t).QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'import' AND target_type = 'assignment'
		AND (after->>'assignments')::int = 3 AND (after->>'first_assignment_id')::bigint = $1`, res.FirstAssignmentID).Scan(&audits); err != nil {
		t.Fatal(err)
	}
	if audits != 1 {
		t.Errorf("%d audit rows for the import, want 1", audits)
	}
}

func TestImportPostsRefusesTheWholeBatchNamingTheBadRow(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "posts-bad")
	// A standing primary manager of area B, for the batch to clash with.
	if _, err := f.store.CreateAssignment(ctx, admin, registry.AssignmentInput{AreaID: f.areaB.ID, PersonID: f.chiefB.ID,
		Role: "area_manager", Primary: true, From: at(2021, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		change func(p []registry.ImportPerson, a []registry.ImportAssignment) ([]registry.ImportPerson, []registry.ImportAssignment)
		code   apperr.Code
		row    string // what the message must name
		reason string
	}{
		{"unknown role", func(p []registry.ImportPerson, a []registry.ImportAssignment) ([]registry.ImportPerson, []registry.ImportAssignment) {
			a[2].Role = "mayor"
			return p, a
		}, apperr.Invalid, "assignment 3 (a3)", `role "mayor"`},
		{"lane chief of a subdistrict", func(p []registry.ImportPerson, a []registry.ImportAssignment) ([]registry.ImportPerson, []registry.ImportAssignment) {
			a[1].Role = "lane_chief"
			return p, a
		}, apperr.Invalid, "assignment 2 (a2)", "a lane_chief is assigned to a community, not to a subdistrict"},
		{"street chief of an area", func(p []registry.ImportPerson, a []registry.ImportAssignment) ([]registry.ImportPerson, []registry.ImportAssignment) {
			a[2].Role = "street_chief"
			return p, a
		}, apperr.Invalid, "assignment 3 (a3)", "subdistrict, not to an area"},
		{"area manager of a unit", func(p []registry.ImportPerson, a []registry.ImportAssignment) ([]registry.ImportPerson, []registry.ImportAssignment) {
			a[0].Role = "area_manager"
			return p, a
		}, apperr.Invalid, "assignment 1 (a1)", "an area_manager is assigned to an area, not to a subdistrict"},
		{"unknown person", func(p []registry.ImportPerson, a []registry.ImportAssignment) ([]registry.ImportPerson, []registry.ImportAssignment) {
			a[2].PersonID = 1 << 40
			return p, a
		}, apperr.Invalid, "assignment 3 (a3)", fmt.Sprintf("person %d does not exist", 1<<40)},
		{"person of the import out of range", func(p []registry.ImportPerson, a []registry.ImportAssignment) ([]registry.ImportPerson, []registry.ImportAssignment) {
			a[1].Person = 3
			return p, a
		}, apperr.Invalid, "assignment 2 (a2)", "person 3 of this import does not exist"},
		{"unknown unit code", func(p []registry.ImportPerson, a []registry.ImportAssignment) ([]registry.ImportPerson, []registry.ImportAssignment) {
			a[1].AdminUnitCode = "nowhere"
			return p, a
		}, apperr.Invalid, "assignment 2 (a2)", "admin unit with code nowhere does not exist"},
		{"unknown area key", func(p []registry.ImportPerson, a []registry.ImportAssignment) ([]registry.ImportPerson, []registry.ImportAssignment) {
			a[2].AreaID, a[2].AreaKey = 0, "nowhere:1"
			return p, a
		}, apperr.Invalid, "assignment 3 (a3)", "area with key nowhere:1 does not exist"},
		{"unknown department", func(p []registry.ImportPerson, a []registry.ImportAssignment) ([]registry.ImportPerson, []registry.ImportAssignment) {
			a[1].Role, a[1].DepartmentID = "department_liaison", 1<<40
			return p, a
		}, apperr.Invalid, "assignment 2 (a2)", fmt.Sprintf("department %d does not exist", 1<<40)},
		{"start before the register", func(p []registry.ImportPerson, a []registry.ImportAssignment) ([]registry.ImportPerson, []registry.ImportAssignment) {
			a[2].From = at(202, 1, 1)
			return p, a
		}, apperr.Invalid, "assignment 3 (a3)", "before 1949-10-01"},
		{"end before start", func(p []registry.ImportPerson, a []registry.ImportAssignment) ([]registry.ImportPerson, []registry.ImportAssignment) {
			a[0].Until = at(2018, 1, 1)
			return p, a
		}, apperr.Invalid, "assignment 1 (a1)", "until must be after from"},
		{"person without a name", func(p []registry.ImportPerson, a []registry.ImportAssignment) ([]registry.ImportPerson, []registry.ImportAssignment) {
			p[1].Name = "  "
			return p, a
		}, apperr.Invalid, "person 2 (p2)", "name is required"},
		{"overlapping primaries in the batch", func(p []registry.ImportPerson, a []registry.ImportAssignment) ([]registry.ImportPerson, []registry.ImportAssignment) {
			a[1].From = at(2019, 12, 1) // a day before a1 ends would do
			return p, a
		}, apperr.Conflict, "assignment 2 (a2)", "overlaps in time that of assignment 1 (a1) of this import"},
		{"overlapping a standing primary", func(p []registry.ImportPerson, a []registry.ImportAssignment) ([]registry.ImportPerson, []registry.ImportAssignment) {
			a[2].AreaID = f.areaB.ID
			return p, a
		}, apperr.Conflict, "assignment 3 (a3)", "overlaps in time that of assignment"},
		{"handover", func(p []registry.ImportPerson, a []registry.ImportAssignment) ([]registry.ImportPerson, []registry.ImportAssignment) {
			a[2].Handover = true
			return p, a
		}, apperr.Invalid, "assignment 3 (a3)", "does not hand posts over"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := census(t)
			people, posts := tc.change(postsBatch(f))
			_, err := f.store.ImportPosts(ctx, admin, people, posts)
			if !apperr.Is(err, tc.code) {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
			if msg := apperr.Message(err); !strings.Contains(msg, tc.row+": ") || !strings.Contains(msg, tc.reason) {
				t.Errorf("message %q does not name %q with %q", msg, tc.row, tc.reason)
			}
			if after := census(t); after != before {
				t.Errorf("a refused import wrote: %s → %s", before, after)
			}
		})
	}
}

func TestInTxRollsBackEveryImportWhenALaterStepFails(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "posts-tx")
	before := census(t)
	people, posts := postsBatch(f)
	later := errors.New("a later step failed")
	err := f.store.InTx(ctx, func(r *registry.Store, _ pgx.Tx) error {
		res, err := r.ImportPosts(ctx, admin, people, posts)
		if err != nil {
			return err
		}
		// The bound Store reads what the transaction wrote.
		if p, err := r.Person(ctx, admin, res.PersonIDs[0]); err != nil || p.Name != people[0].Name {
			return fmt.Errorf("reading back in the transaction: %+v, %v", p, err)
		}
		return later
	})
	if !errors.Is(err, later) {
		t.Fatalf("InTx: %v", err)
	}
	if after := census(t); after != before {
		t.Errorf("a rolled-back transaction wrote: %s → %s", before, after)
	}
	if _, err := f.store.LockEmptyTerritory(ctx); err == nil {
		t.Error("LockEmptyTerritory outside InTx did not refuse")
	}
}

func TestImportPostsRefusesATargetOutsideTheCallersScope(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "posts-scope")
	elsewhere := access.Principal{Role: access.StreetChief, Username: "chief", Scope: access.Scope{Subdistricts: []int64{f.sub.ID + 1000}}}
	_, posts := postsBatch(f)
	before := census(t)
	_, err := f.store.ImportPosts(ctx, elsewhere, nil, posts[2:])
	if !apperr.Is(err, apperr.Forbidden) || !strings.Contains(apperr.Message(err), "assignment 3 (a3): the target is outside your scope") {
		t.Fatalf("got %v, want the target outside the scope refused", err)
	}
	if after := census(t); after != before {
		t.Errorf("a refused import wrote: %s → %s", before, after)
	}
	posts[0].Person, posts[0].PersonID = 0, f.worker.ID
	if _, err := f.store.ImportPosts(ctx, elsewhere, nil, posts[:1]); !apperr.Is(err, apperr.Forbidden) ||
		!strings.Contains(apperr.Message(err), "assignment 1 (a1): your role may not appoint or relieve a street_chief") {
		t.Errorf("a street chief appointing a street chief: %v", err)
	}
	home := elsewhere
	home.Scope.Subdistricts = []int64{f.sub.ID}
	if _, err := f.store.ImportPosts(ctx, home, nil, posts[2:]); err != nil {
		t.Errorf("in scope: %v", err)
	}
}
