package incidents_test

import (
	"context"
	"testing"
	"time"

	"streetchief/internal/registry"
)

// A handover committed while the engine was not hearing the registry's notifications (the feed was
// lost) is caught up when the feed resumes: the reload finds the area's posts changed, and the open
// incident goes to the new manager without a further change.
func TestRerouterCatchesUpWithChangesMadeWhileTheFeedWasLost(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	open := w.report("random_piling", w.inMarket())
	w.clock.Add(time.Minute) // the service's "now" must see the handover below
	successor, err := w.store.CreatePerson(ctx, system, registry.PersonInput{Name: "后任经理", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.CreateAssignment(ctx, system, registry.AssignmentInput{AreaID: w.park.ID, PersonID: successor.ID,
		Role: "area_manager", Primary: true, Handover: true}); err != nil {
		t.Fatal(err)
	}

	w.follow(ctx) // the engine holds the snapshot from before the handover; listening begins with a gap
	deadline := time.Now().Add(5 * time.Second)
	for w.get(open.ID).AssigneePersonID != successor.ID {
		if time.Now().After(deadline) {
			t.Fatalf("not caught up: %+v", w.get(open.ID))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if ev := w.get(open.ID).Events; ev[len(ev)-1].Kind != "rerouted" {
		t.Fatalf("last event %+v", ev[len(ev)-1])
	}
}
