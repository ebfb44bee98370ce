package incidents_test

import (
	"context"
	"testing"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/internal/registry"
)

func TestDispatchOffersThePeopleInScopeWithTheirLoads(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	vol, err := w.store.CreatePerson(ctx, system, registry.PersonInput{Name: "社区志愿者", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.CreateAssignment(ctx, system, registry.AssignmentInput{AdminUnitID: w.comA.ID, PersonID: vol.ID, Role: "volunteer"}); err != nil {
		t.Fatal(err)
	}
	w.clock.Add(time.Minute)                      // the post has begun
	id := w.report("sanitation", w.inMarket()).ID // with the market's manager
	w.report("sanitation", w.inA())               // with the lane chief
	if _, err := w.svc.Transition(ctx, w.asLane, id, incidents.TransitionInput{To: incidents.Escalated, Note: "stubborn"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.AddNote(ctx, w.asLane, id, "the stall is back", nil); err != nil {
		t.Fatalf("the lane chief lost the case they escalated: %v", err)
	}
	if _, err := w.svc.DispatchCandidates(ctx, w.asLane, id); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("a lane chief does not dispatch: %v", err)
	}
	cands, err := w.svc.DispatchCandidates(ctx, w.asStreet, id)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]incidents.Candidate{}
	for _, c := range cands {
		got[c.PersonID] = c
	}
	if len(cands) != 3 || got[w.manager.ID].Role != registry.AreaManager || got[w.manager.ID].Unit != "菜市场" ||
		got[w.lane.ID].Role != registry.LaneChief || got[w.lane.ID].OpenLoad != 1 || got[vol.ID].Unit != "甲社区" ||
		got[vol.ID].OpenLoad != 0 || got[vol.ID].Name != "社区志愿者" {
		t.Fatalf("candidates %+v", cands)
	}
	before := w.get(id)
	_, err = w.svc.Transition(ctx, w.asStreet, id, incidents.TransitionInput{To: incidents.Assigned, AssigneePersonID: w.liais.ID})
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("dispatched to someone not offered: %v", err)
	}
	if after := w.get(id); after.Status != before.Status || len(after.Events) != len(before.Events) {
		t.Fatalf("refused but changed: %+v", after)
	}
	in, err := w.svc.Transition(ctx, w.asStreet, id, incidents.TransitionInput{To: incidents.Assigned, AssigneePersonID: vol.ID})
	if err != nil || in.AssigneePersonID != vol.ID || in.Status != incidents.Assigned {
		t.Fatalf("%v %+v", err, in)
	}
}
