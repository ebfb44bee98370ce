package incidents_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/internal/registry"
)

func TestReportGoesToTheMostSpecificResponsiblePerson(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		name     string
		at       orb.Point
		person   int64
		level    int
		status   incidents.Status
		queue    string
		outside  bool
		hasArea  bool
		wantComm int64
	}{
		{"in the market: its manager", w.inMarket(), w.manager.ID, 0, incidents.Assigned, "assignee", false, true, w.comA.ID},
		{"in community A: its lane chief", w.inA(), w.lane.ID, 1, incidents.Assigned, "assignee", false, false, w.comA.ID},
		{"in community B without a lane chief: the street chief", w.inB(), w.street.ID, 2, incidents.Assigned, "assignee", false, false, w.comB.ID},
		{"outside every subdistrict: the district desk", w.outside(), 0, 2, incidents.Reported, "district_desk", true, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := w.report("random_piling", tc.at)
			got := w.get(rc.ID)
			if got.AssigneePersonID != tc.person || got.EscalationLevel != tc.level || got.Status != tc.status ||
				got.Queue != tc.queue || got.OutsideJurisdiction != tc.outside || (got.AreaID != 0) != tc.hasArea || got.CommunityID != tc.wantComm {
				t.Fatalf("got %+v", got)
			}
			if rc.DueAt == nil || got.DueAt == nil || !rc.DueAt.Equal(*got.DueAt) {
				t.Fatalf("due: receipt %v, stored %v", rc.DueAt, got.DueAt)
			}
			if len(got.Events) != 1 || got.Events[0].Kind != "reported" {
				t.Fatalf("events %+v", got.Events)
			}
		})
	}
}

func TestTransitionsFollowTheWorkflowAndTheCallersPost(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	type step struct {
		who  access.Principal
		to   incidents.Status
		want apperr.Code // "" for success
		deps []string
	}
	for _, tc := range []struct {
		name  string
		at    orb.Point
		steps []step
	}{
		{"lane chief persuades and resolves, street chief closes", w.inA(), []step{
			{w.asLane, incidents.InProgress, "", nil},
			{w.asLane, incidents.Resolved, "", nil},
			{w.asLane, incidents.Closed, apperr.Forbidden, nil},
			{w.asStreet, incidents.Closed, "", nil},
			{w.asStreet, incidents.InProgress, apperr.Conflict, nil},
		}},
		{"stubborn case: escalated, joint enforcement, waiting for the departments", w.inA(), []step{
			{w.asLane, incidents.InProgress, "", nil},
			{w.asLiaison, incidents.Resolved, apperr.NotFound, nil}, // not yet a joint case: invisible to the liaison
			{w.asLane, incidents.Escalated, "", nil},
			{w.asLane, incidents.JointEnforcement, apperr.Forbidden, nil},
			{w.asStreet, incidents.JointEnforcement, "", []string{"urban_management", "market_regulation"}},
			{w.asLeader, incidents.Resolved, apperr.Forbidden, nil},
			// Until every department acknowledges and the lead acts (joint_test.go).
			{w.asLiaison, incidents.Resolved, apperr.Conflict, nil},
		}},
		{"area manager signs in with another role and still works their own case", w.inMarket(), []step{
			{w.asManager, incidents.InProgress, "", nil},
			{w.asManager, incidents.Rejected, apperr.Forbidden, nil},
			{w.asStreet, incidents.Rejected, "", nil},
			{w.asManager, incidents.Reopened, apperr.Forbidden, nil},
		}},
		{"lane chief of A cannot touch B", w.inB(), []step{
			{w.asLane, incidents.InProgress, apperr.NotFound, nil},
			{w.asStreet, incidents.Closed, apperr.Conflict, nil},
			{w.asStreet, incidents.InProgress, "", nil},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := w.report("illegal_construction", tc.at).ID
			for i, st := range tc.steps {
				before := w.get(id)
				_, err := w.svc.Transition(ctx, st.who, id, incidents.TransitionInput{To: st.to, Note: "step", Departments: st.deps})
				if got := apperr.Code(""); err != nil {
					got = apperr.CodeOf(err)
					if got != st.want {
						t.Fatalf("step %d (%s → %s by %s): %v, want %q", i, before.Status, st.to, st.who.Username, err, st.want)
					}
					if after := w.get(id); after.Status != before.Status || len(after.Events) != len(before.Events) {
						t.Fatalf("step %d refused but the incident changed: %+v", i, after)
					}
					continue
				}
				if st.want != "" {
					t.Fatalf("step %d (%s → %s by %s) succeeded, want %q", i, before.Status, st.to, st.who.Username, st.want)
				}
				after := w.get(id)
				last := after.Events[len(after.Events)-1]
				if after.Status != st.to || last.From != before.Status || last.To != st.to || last.Actor != st.who.Username || last.Note == "" {
					t.Fatalf("step %d: %+v, last event %+v", i, after, last)
				}
			}
		})
	}
}

func TestRejectingNeedsAReason(t *testing.T) {
	w := newWorld(t)
	id := w.report("sanitation", w.inB()).ID
	_, err := w.svc.Transition(context.Background(), w.asStreet, id, incidents.TransitionInput{To: incidents.Rejected})
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("got %v", err)
	}
}

func TestLegalTransitionsTableIsClosed(t *testing.T) {
	for from, tos := range incidents.Next {
		if !slices.Contains(incidents.Statuses, from) {
			t.Errorf("unknown status %q in the table", from)
		}
		for _, to := range tos {
			if _, ok := incidents.Next[to]; !ok {
				t.Errorf("%s → %s leads to a status with no way out", from, to)
			}
		}
	}
	if incidents.Legal(incidents.Closed, incidents.InProgress) || !incidents.Legal(incidents.Resolved, incidents.Reopened) {
		t.Fatal("table")
	}
}

func TestOverdueIncidentsClimbOneLevelAtATime(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	id := w.report("street_occupying", w.inMarket()).ID // start within 2 h, manager first
	want := []struct {
		person int64
		level  int
		status incidents.Status
		due    bool
	}{
		{w.lane.ID, 1, incidents.Assigned, true},
		{w.street.ID, 2, incidents.Escalated, true},
		{w.street.ID, 2, incidents.Escalated, false}, // nobody higher: overdue, no due left
	}
	for i, step := range want {
		now := w.clock.Add(3 * time.Hour)
		// Two replicas run the job at once; SKIP LOCKED lets each incident be escalated by one of them.
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for r := range counts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := w.svc.EscalateOverdue(ctx, now)
				if err != nil {
					t.Error(err)
				}
				counts[r] = n
			}()
		}
		wg.Wait()
		got := w.get(id)
		if got.AssigneePersonID != step.person || got.EscalationLevel != step.level || got.Status != step.status ||
			!got.Overdue || (got.DueAt != nil) != step.due {
			t.Fatalf("round %d: %+v", i, got)
		}
		var jobEvents int
		for _, e := range got.Events {
			if e.Kind == "escalated" || e.Kind == "overdue" {
				jobEvents++
			}
		}
		if jobEvents != i+1 {
			t.Fatalf("round %d: %d job events, want %d (escalated twice?) %+v", i, jobEvents, i+1, got.Events)
		}
	}
	// Each round told whom the case reached: the lane chief it was handed up to, the street chief it
	// was escalated to, and that street chief again when nobody higher was left and it was overdue.
	if lane := w.inbox(w.lane.ID); len(lane) != 1 || lane[0].Kind != "case_assigned" || lane[0].Subject.ID != id {
		t.Fatalf("the lane chief's inbox: %+v", lane)
	}
	if street := w.inbox(w.street.ID); len(street) != 2 || street[0].Kind != "case_overdue" || street[1].Kind != "case_escalated" {
		t.Fatalf("the street chief's inbox: %+v", street)
	}
	before := len(w.get(id).Events)
	if _, err := w.svc.EscalateOverdue(ctx, w.clock.Add(100*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if after := len(w.get(id).Events); after != before {
		t.Fatalf("a settled incident was taken again: %d events, was %d", after, before)
	}
}

func TestReportsCloseInSpaceAndTimeAreLinkedAsLikelyDuplicates(t *testing.T) {
	w := newWorld(t)
	first := w.report("sanitation", w.inA())
	for _, tc := range []struct {
		name     string
		cat      string
		at       orb.Point
		after    time.Duration
		wantLink bool
	}{
		{"20 m away, an hour later", "sanitation", offset(w.inA(), 20), time.Hour, true},
		{"45 m away", "sanitation", offset(w.inA(), 45), 0, false},
		{"another category", "illegal_parking", w.inA(), 0, false},
		{"four days later", "sanitation", offset(w.inA(), 5), 96 * time.Hour, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.clock.Add(tc.after)
			rc := w.report(tc.cat, tc.at)
			if tc.wantLink && rc.LikelyDuplicateOf != first.ID {
				t.Fatalf("likely_duplicate_of = %d, want %d", rc.LikelyDuplicateOf, first.ID)
			}
			if !tc.wantLink && rc.LikelyDuplicateOf == first.ID {
				t.Fatalf("linked to %d", first.ID)
			}
		})
	}
}

func TestChiefConfirmsOrRejectsASuspectedDuplicate(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	first := w.report("damaged_greenery", w.inB())
	second := w.report("damaged_greenery", offset(w.inB(), 10))
	third := w.report("damaged_greenery", offset(w.inB(), -10))
	if second.LikelyDuplicateOf != first.ID || third.LikelyDuplicateOf != first.ID {
		t.Fatalf("links %d %d", second.LikelyDuplicateOf, third.LikelyDuplicateOf)
	}
	got, err := w.svc.Transition(ctx, w.asStreet, second.ID, incidents.TransitionInput{To: incidents.Duplicate})
	if err != nil || got.Status != incidents.Duplicate || got.DuplicateOf != first.ID {
		t.Fatalf("confirm: %v %+v", err, got)
	}
	if _, err := w.svc.NotDuplicate(ctx, w.asLane, third.ID, ""); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("lane chief of A on B: %v", err)
	}
	got, err = w.svc.NotDuplicate(ctx, w.asStreet, third.ID, "different tree")
	if err != nil || got.LikelyDuplicateOf != 0 || got.Events[len(got.Events)-1].Kind != "duplicate_unlinked" {
		t.Fatalf("reject link: %v %+v", err, got)
	}
}

func TestNewAreaManagerTakesOverOpenIncidentsWhenTheRegistryChanges(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	open := w.report("random_piling", w.inMarket())
	done := w.report("random_piling", offset(w.inMarket(), 50))
	if _, err := w.svc.Transition(ctx, w.asStreet, done.ID, incidents.TransitionInput{To: incidents.Rejected, Note: "not ours"}); err != nil {
		t.Fatal(err)
	}
	listener := w.follow(ctx)
	for !listener.Live() {
		time.Sleep(10 * time.Millisecond)
	}
	w.clock.Add(time.Minute) // the service's "now" must see the handover below

	successor, err := w.store.CreatePerson(ctx, system, registry.PersonInput{Name: "新经理", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.CreateAssignment(ctx, system, registry.AssignmentInput{AreaID: w.park.ID, PersonID: successor.ID,
		Role: "area_manager", Primary: true, Handover: true}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for w.get(open.ID).AssigneePersonID != successor.ID {
		if time.Now().After(deadline) {
			t.Fatalf("not rerouted: %+v", w.get(open.ID))
		}
		time.Sleep(50 * time.Millisecond)
	}
	ev := w.get(open.ID).Events
	if last := ev[len(ev)-1]; last.Kind != "rerouted" || last.AssigneePersonID != successor.ID || (last.Params["cause"] != "assignment_changed" && last.Params["cause"] != "area_changed") ||
		last.Params["person_name"] != successor.Name {
		t.Fatalf("last event %+v", last)
	}
	if got := w.get(done.ID); got.AssigneePersonID == successor.ID {
		t.Fatal("a closed incident was rerouted")
	}

	// The market moves away from the incident: it falls back to community A's lane chief.
	moved := registry.AreaInput{Kind: "farmers_market", Name: "菜市场", Geom: sq(w.x0+0.006, 30.006, 0.001)}
	if _, err := w.store.UpdateArea(ctx, system, w.park.ID, moved); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(5 * time.Second)
	for got := w.get(open.ID); got.AreaID != 0 || got.AssigneePersonID != w.lane.ID || got.EscalationLevel != 1; got = w.get(open.ID) {
		if time.Now().After(deadline) {
			t.Fatalf("after the move: %+v", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n, err := w.svc.Reroute(ctx, incidents.RerouteTarget{AreaID: w.park.ID}, "again"); err != nil || n != 0 {
		t.Fatalf("rerouting again changed %d (%v)", n, err)
	}
}

// Deleting an area leaves its open incidents without the area they were routed by; the delete's
// notification hands them to whoever is responsible at their spot now.
func TestIncidentsOfADeletedAreaGoToWhoeverIsResponsibleThere(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	open := w.report("random_piling", w.inMarket())
	if got := w.get(open.ID); got.AssigneePersonID != w.manager.ID || got.EscalationLevel != incidents.LevelAreaManager {
		t.Fatalf("before: %+v", got)
	}
	if err := w.store.DeleteArea(ctx, system, w.park.ID); err != nil {
		t.Fatal(err)
	}
	w.reload()
	n, err := w.svc.RerouteOnChange(ctx, fmt.Sprintf("area:delete:%d", w.park.ID))
	if err != nil || n < 1 {
		t.Fatalf("rerouted %d (%v)", n, err)
	}
	got := w.get(open.ID)
	if got.AreaID != 0 || got.AssigneePersonID != w.lane.ID || got.EscalationLevel != incidents.LevelLaneChief {
		t.Fatalf("after the delete: %+v", got)
	}
	if last := got.Events[len(got.Events)-1]; last.Kind != "rerouted" || last.Params["cause"] != "area_deleted" || last.Note != "" {
		t.Fatalf("last event %+v", last)
	}
	if n, err := w.svc.RerouteOnChange(ctx, fmt.Sprintf("area:delete:%d", w.park.ID)); err != nil || n != 0 {
		t.Fatalf("the same notification again changed %d (%v)", n, err)
	}
}

// A bulk import announces its new areas once, as a range of ids; the open incidents inside any of
// them are routed to them.
func TestIncidentsInsideBulkImportedAreasAreRoutedToThem(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	open := w.report("random_piling", w.inMarket())
	if err := w.store.DeleteArea(ctx, system, w.park.ID); err != nil {
		t.Fatal(err)
	}
	w.reload()
	if _, err := w.svc.RerouteOnChange(ctx, fmt.Sprintf("area:delete:%d", w.park.ID)); err != nil {
		t.Fatal(err)
	}
	if got := w.get(open.ID); got.AreaID != 0 {
		t.Fatalf("still routed by the deleted area: %+v", got)
	}
	res, err := w.store.Import(ctx, system, nil, []registry.ImportArea{
		{Source: "test", Kind: "square", Name: "别处", Geom: sq(w.x0+0.02, 30.02, 0.001)},
		{Index: 1, Source: "test", Kind: "farmers_market", Name: "新菜市场", Geom: w.park.Geom},
	}, registry.ImportOptions{})
	if err != nil || res.Areas != 2 {
		t.Fatalf("import: %d loaded (%v)", res.Areas, err)
	}
	w.reload()
	n, err := w.svc.RerouteOnChange(ctx, fmt.Sprintf("area:insert:%d-%d", res.FirstID, res.LastID))
	if err != nil || n != 1 {
		t.Fatalf("rerouted %d (%v)", n, err)
	}
	if got := w.get(open.ID); got.AreaID != res.LastID {
		t.Fatalf("after the import: area %d, want %d", got.AreaID, res.LastID)
	}
}

// A note from a multipart form or a query has not passed the JSON text check: a NUL in it reached
// the database before.
func TestNoteWithNULIsRefused(t *testing.T) {
	w := newWorld(t)
	_, err := w.svc.NotDuplicate(context.Background(), w.asStreet, 1, "a\x00b")
	if !apperr.Is(err, apperr.Invalid) || !strings.Contains(apperr.Message(err), "note") {
		t.Fatalf("NUL in a note: %v, want Invalid naming the note", err)
	}
}
