package incidents_test

import (
	"context"
	"testing"

	"streetchief/internal/incidents"
)

// A rule hands a case to the street chief even when the person who triggered it could not have moved
// it (a lane chief of another community), once: a second handover of the same case changes nothing.
func TestHandToStreetChiefEscalatesOnceOnTheRulesAuthority(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	id := w.report("street_occupying", w.inB()).ID
	if got := w.get(id); got.Status == incidents.Escalated {
		t.Fatalf("fixture: %+v is already with the street chief", got)
	}
	h := incidents.Handover{Cause: "repeat_offender", Count: 3, Days: 30, Note: "屡教不改"}
	moved, err := w.svc.EscalateOnRule(ctx, w.asLane, id, h)
	if err != nil || !moved {
		t.Fatalf("handover: %v %v", moved, err)
	}
	got := w.get(id)
	if got.Status != incidents.Escalated || got.AssigneePersonID != w.street.ID || got.EscalationLevel != incidents.LevelStreetChief {
		t.Fatalf("after the handover: %+v, want escalated to the street chief", got)
	}
	last := got.Events[len(got.Events)-1]
	if last.Kind != "escalated" || last.Params["cause"] != "repeat_offender" || last.Note != "屡教不改" {
		t.Fatalf("handover event %+v", last)
	}
	if moved, err := w.svc.EscalateOnRule(ctx, w.asLane, id, h); err != nil || moved {
		t.Fatalf("second handover: %v %v, want nothing done", moved, err)
	}
	if n := len(w.get(id).Events); n != len(got.Events) {
		t.Fatalf("second handover wrote %d events", n-len(got.Events))
	}
}

// Evidence joins an open case and is refused (false, nothing written) on a closed one.
func TestAddEvidenceJoinsOnlyAnOpenCase(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	id := w.report("street_occupying", w.inB()).ID
	before := len(w.get(id).Events)
	if ok, err := w.svc.AddEvidence(ctx, w.asLane, id, "又见到了", nil); err != nil || !ok {
		t.Fatalf("evidence: %v %v", ok, err)
	}
	if n := len(w.get(id).Events); n != before+1 {
		t.Fatalf("events %d, want %d", n, before+1)
	}
	if _, err := w.svc.Transition(ctx, w.asStreet, id, incidents.TransitionInput{To: incidents.Rejected, Note: "不是"}); err != nil {
		t.Fatal(err)
	}
	n := len(w.get(id).Events)
	if ok, err := w.svc.AddEvidence(ctx, w.asLane, id, "再见到", nil); err != nil || ok {
		t.Fatalf("evidence on a rejected case: %v %v, want false", ok, err)
	}
	if m := len(w.get(id).Events); m != n {
		t.Fatalf("evidence on a rejected case wrote %d events", m-n)
	}
}
