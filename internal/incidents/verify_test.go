package incidents_test

import (
	"context"
	"testing"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
)

// resolved files an incident in community A and has the street chief work it to resolved.
func (w *world) resolved(cat string) incidents.Receipt {
	w.t.Helper()
	ctx := context.Background()
	rc := w.report(cat, w.inA())
	for _, to := range []incidents.Status{incidents.InProgress, incidents.Resolved} {
		if _, err := w.svc.Transition(ctx, w.asStreet, rc.ID, incidents.TransitionInput{To: to, Note: "done"}); err != nil {
			w.t.Fatal(err)
		}
	}
	return rc
}

func (w *world) inspector() access.Principal {
	return access.Principal{Role: access.Inspector, Username: "inspector", UserID: 0,
		Scope: access.Scope{Subdistricts: []int64{w.sub.ID}, Communities: []int64{w.comA.ID, w.comB.ID}}}
}

func TestTheResolverCannotCloseTheirOwnWork(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	id := w.resolved("sanitation").ID
	before := w.get(id)
	_, err := w.svc.Transition(ctx, w.asStreet, id, incidents.TransitionInput{To: incidents.Closed})
	if !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("the resolver closed their own case: %v", err)
	}
	_, err = w.svc.Verify(ctx, w.asStreet, id, incidents.VerificationInput{Outcome: incidents.Confirmed})
	if !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("the resolver verified their own case: %v", err)
	}
	if after := w.get(id); after.Status != incidents.Resolved || len(after.Events) != len(before.Events) {
		t.Fatalf("refused but changed: %+v", after)
	}
}

func TestAnotherVerifierCloses(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	id := w.resolved("sanitation").ID
	if _, err := w.svc.Verify(ctx, w.asLane, id, incidents.VerificationInput{Outcome: incidents.Confirmed}); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("a lane chief is no verifier: %v", err)
	}
	in, err := w.svc.Verify(ctx, w.inspector(), id, incidents.VerificationInput{Outcome: incidents.Confirmed, Note: "checked on the spot"})
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != incidents.Closed {
		t.Fatalf("status %s", in.Status)
	}
	ev := in.Events[len(in.Events)-2:]
	if ev[0].Kind != "verification" || ev[0].Params["outcome"] != "confirmed" || ev[0].Note != "checked on the spot" ||
		ev[1].Kind != "transition" || ev[1].From != incidents.Resolved || ev[1].To != incidents.Closed {
		t.Fatalf("events %+v", ev)
	}
	if _, err := w.svc.Verify(ctx, w.inspector(), id, incidents.VerificationInput{Outcome: incidents.Confirmed}); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("verified a closed case: %v", err)
	}
}

func TestAFailedVerificationReopensAsRework(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	id := w.resolved("sanitation").ID
	if _, err := w.svc.Verify(ctx, w.asLeader, id, incidents.VerificationInput{Outcome: incidents.Failed}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a failed check without a reason: %v", err)
	}
	in, err := w.svc.Verify(ctx, w.asLeader, id, incidents.VerificationInput{Outcome: incidents.Failed, Note: "still dirty"})
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != incidents.Reopened {
		t.Fatalf("status %s", in.Status)
	}
	var rework int
	if err := dbtest.Pool(t).QueryRow(ctx, `SELECT count(*) FROM incident_event WHERE incident_id = $1
		AND to_status = 'reopened' AND from_status IN ('resolved', 'closed')`, id).Scan(&rework); err != nil {
		t.Fatal(err)
	}
	var failed int
	if err := dbtest.Pool(t).QueryRow(ctx, `SELECT count(*) FROM incident_event WHERE incident_id = $1
		AND kind = 'verification' AND params->>'outcome' = 'failed'`, id).Scan(&failed); err != nil {
		t.Fatal(err)
	}
	if rework != 1 || failed != 1 {
		t.Fatalf("rework %d, failed verifications %d", rework, failed)
	}
}

func TestAnAfterPhotoIsRequiredWhereTheCategorySaysSo(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	_, child := newCategories(t, w) // asks for an after photo
	id := w.report(child.Code, w.inA()).ID
	if _, err := w.svc.Transition(ctx, w.asStreet, id, incidents.TransitionInput{To: incidents.InProgress}); err != nil {
		t.Fatal(err)
	}
	_, err := w.svc.Transition(ctx, w.asStreet, id, incidents.TransitionInput{To: incidents.Resolved, Note: "cleaned"})
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("resolved without the after photo: %v", err)
	}
	photo, err := incidents.CheckPhoto(1, tinyPNG(t, 7))
	if err != nil {
		t.Fatal(err)
	}
	in, err := w.svc.Transition(ctx, w.asStreet, id, incidents.TransitionInput{To: incidents.Resolved, Note: "cleaned", Photos: []incidents.Photo{photo}})
	if err != nil || in.Status != incidents.Resolved {
		t.Fatalf("%v %+v", err, in)
	}
}

func TestTheReporterConfirmsOrDisputesWithTheirToken(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	citizen := access.Anonymous("t")
	a, b := w.resolved("sanitation"), w.resolved("sanitation")
	if a.VerificationToken == "" || a.VerificationToken == b.VerificationToken {
		t.Fatalf("tokens %q %q", a.VerificationToken, b.VerificationToken)
	}
	before := w.get(a.ID)
	for _, tok := range []string{"", b.VerificationToken, a.VerificationToken + "x", "not-a-token"} {
		_, err := w.svc.Verify(ctx, citizen, a.ID, incidents.VerificationInput{Outcome: incidents.Confirmed, Token: tok})
		if code := apperr.CodeOf(err); code != apperr.Forbidden && code != apperr.NotFound {
			t.Fatalf("token %q: %v", tok, err)
		}
	}
	if after := w.get(a.ID); after.Status != incidents.Resolved || len(after.Events) != len(before.Events) {
		t.Fatalf("a wrong token wrote: %+v", after)
	}
	if _, err := w.svc.Verify(ctx, citizen, a.ID, incidents.VerificationInput{Outcome: incidents.Confirmed, Token: a.VerificationToken}); err != nil {
		t.Fatal(err)
	}
	if got := w.get(a.ID); got.Status != incidents.Closed || got.Events[len(got.Events)-2].Params["by"] != "reporter" {
		t.Fatalf("confirmed: %+v", got.Events[len(got.Events)-2])
	}
	if _, err := w.svc.Verify(ctx, citizen, b.ID, incidents.VerificationInput{Outcome: incidents.Failed, Note: "还在", Token: b.VerificationToken}); err != nil {
		t.Fatal(err)
	}
	if got := w.get(b.ID); got.Status != incidents.Reopened {
		t.Fatalf("disputed: %s", got.Status)
	}
}

func TestReopeningAResolvedCaseIsAFailedCheck(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	id := w.resolved("sanitation").ID
	if _, err := w.svc.Transition(ctx, w.asStreet, id, incidents.TransitionInput{To: incidents.Reopened, Note: "not done"}); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("the resolver judged their own work: %v", err)
	}
	in, err := w.svc.Transition(ctx, w.asLeader, id, incidents.TransitionInput{To: incidents.Reopened, Note: "still dirty"})
	if err != nil {
		t.Fatal(err)
	}
	if v := in.Events[len(in.Events)-2]; in.Status != incidents.Reopened || v.Kind != "verification" || v.Params["outcome"] != "failed" {
		t.Fatalf("%s %+v", in.Status, v)
	}
}
