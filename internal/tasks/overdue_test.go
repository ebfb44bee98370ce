package tasks_test

import (
	"context"
	"slices"
	"testing"

	"streetchief/internal/tasks"
)

// TestOverdueEscalatesOnceToTheStreetChiefThenTheIssuer lets an item and a part not broken down
// pass their deadlines: the street chief hears of each once, however often the job runs, and the
// issuer once IssuerAfter has passed as well.
func TestOverdueEscalatesOnceToTheStreetChiefThenTheIssuer(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	task := w.issue(10)
	items := w.breakDown(task, w.chiefE, w.subE.ID, 5, w.comE1.ID, w.comE2.ID)
	if _, err := w.report(w.lane2, items[1].ID, `{"done":true}`); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Accept(ctx, w.leader, items[1].ID, ""); err != nil {
		t.Fatal(err)
	}
	mine := func() []tasks.OverdueItem {
		t.Helper()
		all, err := w.svc.Overdue(ctx, w.leader, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []tasks.OverdueItem
		for _, o := range all {
			if o.TaskID == task.ID {
				out = append(out, o)
			}
		}
		return out
	}
	w.clock = w.at(6) // E1's item is a day overdue; the task is not yet
	if n, err := w.svc.Escalate(ctx); err != nil || n < 1 {
		t.Fatalf("escalate: %d %v", n, err)
	}
	if _, err := w.svc.Escalate(ctx); err != nil {
		t.Fatal(err)
	}
	over := mine()
	if len(over) != 1 || over[0].ItemID != items[0].ID || !slices.Equal(over[0].Escalated, []string{"street_chief"}) {
		t.Fatalf("overdue after a day: %+v", over)
	}
	got, err := w.svc.Get(ctx, w.chiefE, task.ID)
	if err != nil || !got.Overdue || !item(got, items[0].ID).Overdue || item(got, items[1].ID).Overdue {
		t.Fatalf("overdue flags: %+v %v", got, err)
	}
	w.clock = w.at(3) // day 9: four days after E1's deadline, past IssuerAfter; the task is not yet due
	if _, err := w.svc.Escalate(ctx); err != nil {
		t.Fatal(err)
	}
	w.clock = w.at(2) // day 11: W's part is overdue
	for range 2 {
		if _, err := w.svc.Escalate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := w.notices(w.chiefE); !slices.Equal(got, []string{"task_issued", "task_overdue"}) {
		t.Fatalf("street chief of E heard %v", got)
	}
	if got := w.notices(w.chiefW); !slices.Equal(got, []string{"task_issued", "task_overdue"}) {
		t.Fatalf("street chief of W heard %v", got)
	}
	if got := w.notices(w.leader); !slices.Equal(got, []string{"task_item_claimed", "task_overdue_escalated"}) {
		t.Fatalf("the issuer heard %v", got)
	}
	over = mine()
	if len(over) != 2 || over[1].ItemID != 0 || over[1].State != "not_broken_down" || !slices.Equal(over[0].Escalated, []string{"street_chief", "issuer"}) {
		t.Fatalf("overdue at day 11: %+v", over)
	}
	onlyW, err := w.svc.Overdue(ctx, w.leader, w.subW.ID)
	if err != nil || len(onlyW) == 0 {
		t.Fatalf("overdue in W: %v %v", onlyW, err)
	}
	for _, o := range onlyW {
		if o.SubdistrictID != w.subW.ID {
			t.Fatalf("asked for W, got %+v", o)
		}
	}
	// Street chiefs and lane chiefs see only their own.
	for who, want := range map[string]int{"chief-w": 1, "lane-e1": 1, "lane-e2": 0} {
		principal := w.chiefW
		switch who {
		case "lane-e1":
			principal = w.lane
		case "lane-e2":
			principal = w.lane2
		}
		all, err := w.svc.Overdue(ctx, principal, 0)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, o := range all {
			if o.TaskID == task.ID {
				n++
			}
		}
		if n != want {
			t.Fatalf("%s sees %d overdue, want %d", who, n, want)
		}
	}
}
