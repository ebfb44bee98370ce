package incidents_test

import (
	"context"
	"encoding/json"
	"testing"

	"streetchief/internal/audit"
	"streetchief/internal/dbtest"
)

// A note is a change to the incident's record like any other, so the audit trail must show who wrote
// it and when, written in the transaction that adds it.
func TestAddingANoteIsAudited(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	id := w.report("sanitation", w.inA()).ID
	if _, err := w.svc.AddNote(ctx, w.asLane, id, "  rubbish still there on Tuesday  ", nil); err != nil {
		t.Fatal(err)
	}
	entries, err := audit.List(ctx, dbtest.Pool(t), audit.Filter{TargetType: "incident", TargetID: id})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		var after struct {
			Note string `json:"note"`
		}
		if e.After != nil {
			if err := json.Unmarshal(e.After, &after); err != nil {
				t.Fatal(err)
			}
		}
		if e.Actor == "lane" && after.Note == "rubbish still there on Tuesday" {
			return
		}
	}
	t.Fatalf("no audit row by lane with the note among %d rows for incident %d", len(entries), id)
}
