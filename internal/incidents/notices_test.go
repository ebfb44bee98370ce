package incidents_test

import (
	"context"
	"testing"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
	"streetchief/internal/notify"
)

// inbox is what person hears of, newest first, as "kind #incident".
func (w *world) inbox(person int64) []notify.Item {
	w.t.Helper()
	in, err := notify.NewStore(dbtest.Pool(w.t)).Inbox(context.Background(), access.Principal{PersonID: person}, 0, 0, false, "zh")
	if err != nil {
		w.t.Fatal(err)
	}
	return in.Items
}

// TestEachMoveOfACaseTellsWhoItReaches: the lane chief hears of a case routed to them, the street
// chief of its escalation, the holder of a case whose check failed that it came back — and nobody of
// what they did themselves.
func TestEachMoveOfACaseTellsWhoItReaches(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rc := w.report("sanitation", w.inA())
	lane := w.inbox(w.lane.ID)
	if len(lane) != 1 || lane[0].Kind != "case_assigned" || lane[0].Subject.ID != rc.ID ||
		lane[0].Params["category"] == "" || lane[0].Params["place"] == "" {
		t.Fatalf("the lane chief's inbox after the report: %+v", lane)
	}
	if _, err := w.svc.Transition(ctx, w.asLane, rc.ID, incidents.TransitionInput{To: incidents.Escalated, Note: "不听劝导"}); err != nil {
		t.Fatal(err)
	}
	street := w.inbox(w.street.ID)
	if len(street) != 1 || street[0].Kind != "case_escalated" || street[0].Subject.ID != rc.ID {
		t.Fatalf("the street chief's inbox after the escalation: %+v", street)
	}
	if got := len(w.inbox(w.lane.ID)); got != 1 {
		t.Fatalf("the lane chief was told of their own escalation: %d notices", got)
	}
	for _, to := range []incidents.Status{incidents.InProgress, incidents.Resolved} {
		if _, err := w.svc.Transition(ctx, w.asStreet, rc.ID, incidents.TransitionInput{To: to, Note: "已清理"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.svc.Verify(ctx, w.asLeader, rc.ID, incidents.VerificationInput{Outcome: incidents.Failed, Note: "仍有垃圾"}); err != nil {
		t.Fatal(err)
	}
	street = w.inbox(w.street.ID)
	if len(street) != 2 || street[0].Kind != "verification_result" || street[0].Subject.ID != rc.ID {
		t.Fatalf("the street chief's inbox after the failed check: %+v", street)
	}
	// Worked again and confirmed: the holder hears it is closed.
	for _, to := range []incidents.Status{incidents.InProgress, incidents.Resolved} {
		if _, err := w.svc.Transition(ctx, w.asStreet, rc.ID, incidents.TransitionInput{To: to, Note: "再次清理"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.svc.Verify(ctx, w.asLeader, rc.ID, incidents.VerificationInput{Outcome: incidents.Confirmed}); err != nil {
		t.Fatal(err)
	}
	if street = w.inbox(w.street.ID); len(street) != 3 || street[0].Kind != "verification_result" || street[0].Params["result"] != "通过，已结案" {
		t.Fatalf("the street chief's inbox after the confirmed check: %+v", street)
	}
	// The case shows who was told and whether they have seen it.
	if _, err := notify.NewStore(dbtest.Pool(t)).MarkRead(ctx, access.Principal{PersonID: w.lane.ID}, lane[0].ID); err != nil {
		t.Fatal(err)
	}
	in := w.get(rc.ID)
	if len(in.Told) != 4 || in.Told[0].PersonID != w.lane.ID || in.Told[0].ReadAt == nil || in.Told[0].PersonName != w.lane.Name ||
		in.Told[1].Kind != "case_escalated" || in.Told[1].ReadAt != nil || in.Told[2].Kind != "verification_result" {
		t.Fatalf("told %+v", in.Told)
	}
}

// TestAJointCaseTellsEachDepartmentsResponsiblePerson: a case sent to joint enforcement asks the
// urban-management department, whose liaison in the subdistrict hears it must acknowledge.
func TestAJointCaseTellsEachDepartmentsResponsiblePerson(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rc := w.report("sanitation", w.inA())
	for _, to := range []incidents.Status{incidents.InProgress, incidents.JointEnforcement} {
		if _, err := w.svc.Transition(ctx, w.asStreet, rc.ID, incidents.TransitionInput{To: to, Note: "联合执法",
			Departments: []string{"urban_management"}}); err != nil {
			t.Fatal(err)
		}
	}
	got := w.inbox(w.liais.ID)
	if len(got) != 1 || got[0].Kind != "joint_requested" || got[0].Subject.ID != rc.ID || got[0].Params["department"] == "" {
		t.Fatalf("the liaison's inbox: %+v", got)
	}
}
