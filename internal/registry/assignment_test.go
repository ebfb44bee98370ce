package registry_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/dbtest"
	"streetchief/internal/registry"
)

func TestEndingAnAssignmentAtOrBeforeItsStartIsRefusedAndKeepsIt(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "endearly")
	march := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	a, err := f.store.CreateAssignment(ctx, admin, registry.AssignmentInput{
		AdminUnitID: f.comA.ID, PersonID: f.chiefA.ID, Role: "lane_chief", Primary: true, From: &march})
	if err != nil {
		t.Fatal(err)
	}
	future := time.Now().AddDate(0, 1, 0)
	later, err := f.store.CreateAssignment(ctx, admin, registry.AssignmentInput{
		AreaID: f.areaA.ID, PersonID: f.worker.ID, Role: "area_manager", Primary: true, From: &future})
	if err != nil {
		t.Fatal(err)
	}
	before := march.AddDate(0, 0, -1)
	for _, tc := range []struct {
		name string
		id   int64
		at   *time.Time
	}{
		{"at its start", a.ID, &march},
		{"before its start", a.ID, &before},
		{"now, before a future start", later.ID, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.store.EndAssignment(ctx, admin, tc.id, tc.at)
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("got %v, want invalid", err)
			}
			if !strings.Contains(apperr.Message(err), "void") {
				t.Errorf("message %q does not point at voiding", apperr.Message(err))
			}
			got, err := f.store.Assignment(ctx, admin, tc.id)
			if err != nil {
				t.Fatalf("the assignment is gone after a refused end: %v", err)
			}
			if got.Until != nil {
				t.Fatalf("the assignment ended at %s after a refused end", got.Until)
			}
		})
	}
}

func TestHandoverAtTheHoldersStartKeepsTheHoldersRecord(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "hosame")
	march := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	first, err := f.store.CreateAssignment(ctx, admin, registry.AssignmentInput{
		AdminUnitID: f.comA.ID, PersonID: f.chiefA.ID, Role: "lane_chief", Primary: true, From: &march})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.store.CreateAssignment(ctx, admin, registry.AssignmentInput{
		AdminUnitID: f.comA.ID, PersonID: f.chiefB.ID, Role: "lane_chief", Primary: true, From: &march, Handover: true})
	if !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("handover at the holder's own start: %v, want conflict", err)
	}
	if _, err := f.store.Assignment(ctx, admin, first.ID); err != nil {
		t.Fatalf("the holder's record is gone: %v", err)
	}
}

func TestVoidedAssignmentStaysOnRecordButAnswersForNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "void")
	a, err := f.store.CreateAssignment(ctx, admin, registry.AssignmentInput{
		AdminUnitID: f.comA.ID, PersonID: f.chiefA.ID, Role: "lane_chief", Primary: true})
	if err != nil {
		t.Fatal(err)
	}
	streetChief := access.Principal{Role: access.StreetChief, Username: "s", Scope: access.Scope{Subdistricts: []int64{f.sub.ID}, Communities: []int64{f.comA.ID, f.comB.ID}}}
	for _, tc := range []struct {
		name   string
		who    access.Principal
		reason string
		want   apperr.Code
	}{
		{"no reason", admin, "", apperr.Invalid},
		{"blank reason", admin, " \t\n", apperr.Invalid},
		{"reason too long", admin, strings.Repeat("错", 501), apperr.Invalid},
		{"reason not UTF-8", admin, "bad \xff", apperr.Invalid},
		{"not an admin", streetChief, "entered by mistake", apperr.Forbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.store.VoidAssignment(ctx, tc.who, a.ID, tc.reason); !apperr.Is(err, tc.want) {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
	if got, _ := f.store.Assignment(ctx, admin, a.ID); got.Voided != nil {
		t.Fatalf("a refused void voided it: %+v", got.Voided)
	}

	voided, err := f.store.VoidAssignment(ctx, admin, a.ID, "  wrong person entered  ")
	if err != nil {
		t.Fatal(err)
	}
	if voided.Voided == nil || voided.Voided.Reason != "wrong person entered" || voided.Voided.By != "test" {
		t.Fatalf("voided: %+v", voided.Voided)
	}
	if _, err := f.store.VoidAssignment(ctx, admin, a.ID, "again"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("voiding twice: %v, want conflict", err)
	}
	if _, err := f.store.EndAssignment(ctx, admin, a.ID, nil); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("ending a voided assignment: %v, want conflict", err)
	}

	// Gone from "who holds it now" and "who held it then"...
	now := time.Now()
	for _, filter := range []registry.AssignmentFilter{{AdminUnitID: f.comA.ID}, {AdminUnitID: f.comA.ID, At: &now}} {
		list, _, err := f.store.ListAssignments(ctx, admin, filter)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 0 {
			t.Fatalf("current assignments after the void: %+v", list)
		}
	}
	// ...but kept in the history, marked, for those in scope.
	hist, _, err := f.store.ListAssignments(ctx, streetChief, registry.AssignmentFilter{AdminUnitID: f.comA.ID, History: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 || hist[0].Voided == nil || hist[0].Voided.Reason != "wrong person entered" {
		t.Fatalf("history after the void: %+v", hist)
	}
	entries, err := audit.List(ctx, dbtest.Pool(t), audit.Filter{TargetType: "assignment", TargetID: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 || entries[0].Action != string(audit.Void) || !strings.Contains(string(entries[0].After), "wrong person entered") {
		t.Fatalf("audit after the void: %+v", entries)
	}
	// The post is free again: a voided holder does not block the real one.
	if _, err := f.store.CreateAssignment(ctx, admin, registry.AssignmentInput{
		AdminUnitID: f.comA.ID, PersonID: f.chiefB.ID, Role: "lane_chief", Primary: true}); err != nil {
		t.Fatalf("appointing after a void: %v", err)
	}
	// A handover does not relieve a voided holder.
	area, err := f.store.CreateAssignment(ctx, admin, registry.AssignmentInput{AreaID: f.areaA.ID, PersonID: f.worker.ID, Role: "area_manager", Primary: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.VoidAssignment(ctx, admin, area.ID, "mistake"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.CreateAssignment(ctx, admin, registry.AssignmentInput{
		AreaID: f.areaA.ID, PersonID: f.chiefA.ID, Role: "area_manager", Primary: true, Handover: true}); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.store.Assignment(ctx, admin, area.ID); got.Until != nil {
		t.Fatalf("a handover ended a voided assignment at %s", got.Until)
	}
}

func TestAssignmentDatesOutsideTheRegisterAreRefused(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "daterange")
	at := func(y int) *time.Time { v := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC); return &v }
	inYears := func(n int) *time.Time { v := time.Now().AddDate(n, 0, 0); return &v }
	for _, tc := range []struct {
		name        string
		from, until *time.Time
	}{
		{"from in year 0", at(0), nil},
		{"from in 1900", at(1900), nil},
		{"from in 9999", at(9999), nil},
		{"from decades ahead", inYears(30), nil},
		{"until in 9999", nil, at(9999)},
		{"until a century ahead", nil, inYears(100)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.store.CreateAssignment(ctx, admin, registry.AssignmentInput{
				AreaID: f.areaA.ID, PersonID: f.worker.ID, Role: "area_manager", Primary: true, From: tc.from, Until: tc.until})
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("got %v, want invalid", err)
			}
		})
	}
	a, err := f.store.CreateAssignment(ctx, admin, registry.AssignmentInput{
		AreaID: f.areaA.ID, PersonID: f.worker.ID, Role: "area_manager", Primary: true, From: at(1995), Until: inYears(5)})
	if err != nil {
		t.Fatalf("a sane range: %v", err)
	}
	if _, err := f.store.EndAssignment(ctx, admin, a.ID, at(9999)); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("ending in 9999: %v, want invalid", err)
	}
}

// TestConcurrentHandoversLeaveOneHolderAndAnUnbrokenHistory fires handovers of one post at once: each
// must either take the post from whoever held it a moment before or be refused as a conflict, never
// fail inside, and the post's history must read as one chain of holders without gaps or overlaps.
func TestConcurrentHandoversLeaveOneHolderAndAnUnbrokenHistory(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "race")
	const n = 20
	people := make([]int64, n)
	for i := range people {
		p, err := f.store.CreatePerson(ctx, admin, registry.PersonInput{Name: fmt.Sprintf("竞%d", i), Active: true})
		if err != nil {
			t.Fatal(err)
		}
		people[i] = p.ID
	}
	start := time.Now().Add(-time.Hour)
	if _, err := f.store.CreateAssignment(ctx, admin, registry.AssignmentInput{
		AreaID: f.areaA.ID, PersonID: f.worker.ID, Role: "area_manager", Primary: true, From: &start}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	gate := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			_, errs[i] = f.store.CreateAssignment(ctx, admin, registry.AssignmentInput{
				AreaID: f.areaA.ID, PersonID: people[i], Role: "area_manager", Primary: true, Handover: true})
		}()
	}
	close(gate)
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case apperr.Is(err, apperr.Conflict):
		default:
			t.Errorf("handover %d: %v (code %s)", i, err, apperr.CodeOf(err))
		}
	}
	t.Logf("%d of %d handovers took the post", won, n)
	if won == 0 {
		t.Fatal("no handover took the post")
	}
	current, _, err := f.store.ListAssignments(ctx, admin, registry.AssignmentFilter{AreaID: f.areaA.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(current) != 1 {
		t.Fatalf("%d current holders, want 1: %+v", len(current), current)
	}
	hist, _, err := f.store.ListAssignments(ctx, admin, registry.AssignmentFilter{AreaID: f.areaA.ID, History: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != won+1 {
		t.Fatalf("%d assignments in the history, want the first holder and %d successors", len(hist), won)
	}
	// In order of start, each holder was relieved exactly when the next one began.
	byStart := map[int64]registry.Assignment{}
	for _, a := range hist {
		byStart[a.From.UnixMicro()] = a
	}
	at, steps := start.UnixMicro(), 0
	for {
		a, ok := byStart[at]
		if !ok {
			t.Fatalf("nobody took over at %s (after %d handovers)", time.UnixMicro(at), steps)
		}
		if a.Until == nil {
			break
		}
		at = a.Until.UnixMicro()
		steps++
	}
	if steps != won {
		t.Fatalf("the chain of holders has %d handovers, want %d", steps, won)
	}
}

func TestVoidedManagerIsNotExportedAndShowsNoPhone(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "voidexp")
	a, err := f.store.CreateAssignment(ctx, admin, registry.AssignmentInput{AreaID: f.areaB.ID, PersonID: f.worker.ID, Role: "area_manager", Primary: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.VoidAssignment(ctx, admin, a.ID, "entered by mistake"); err != nil {
		t.Fatal(err)
	}
	err = f.store.EachArea(ctx, admin, func(x registry.ExportArea) error {
		if x.ID == f.areaB.ID && len(x.Responsible) != 0 {
			t.Errorf("export names %+v for an area whose manager was voided", x.Responsible)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	laneChiefB := access.Principal{Role: access.LaneChief, Username: "b", Scope: access.Scope{Communities: []int64{f.comB.ID}}}
	p, err := f.store.Person(ctx, laneChiefB, f.worker.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Phone != "" {
		t.Fatalf("a lane chief of B sees the phone of a person whose only post in B was voided")
	}
}
