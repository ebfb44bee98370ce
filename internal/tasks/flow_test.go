package tasks_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"streetchief/internal/apperr"
	"streetchief/internal/tasks"
)

// TestTaskWalksFromIssueToAcceptance issues a task to two subdistricts, breaks E's part down into
// its communities, reports progress with a photo, returns the claim, reports again and accepts it,
// checking the derived states, who hears of each step and who sees what.
func TestTaskWalksFromIssueToAcceptance(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	task := w.issue(30)
	if task.State != tasks.StateIssued || len(task.Parts) != 2 {
		t.Fatalf("issued: %s, %d parts", task.State, len(task.Parts))
	}
	if got := w.notices(w.chiefE); !slices.Equal(got, []string{"task_issued"}) {
		t.Fatalf("street chief of E heard %v", got)
	}
	items := w.breakDown(task, w.chiefE, w.subE.ID, 20, w.comE1.ID, w.comE2.ID, 0)
	if got := w.notices(w.lane); !slices.Equal(got, []string{"task_item_assigned"}) {
		t.Fatalf("lane chief of E1 heard %v", got)
	}
	got, err := w.svc.Get(ctx, w.leader, task.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != tasks.StateBrokenDown || part(got, w.subE.ID).State != tasks.StateBrokenDown || part(got, w.subW.ID).State != tasks.StateIssued {
		t.Fatalf("after break-down: task %s, E %s, W %s", got.State, part(got, w.subE.ID).State, part(got, w.subW.ID).State)
	}
	e1 := items[0].ID

	// The lane chief of E1 reports progress with a photo from inside the market.
	w.clock = w.at(1)
	p := w.inE1()
	got, err = w.report(w.lane, e1, fmt.Sprintf(`{"text":"清理摊位","percent":40,"photos":[%q],"lon":%v,"lat":%v,"accuracy_m":8}`, tinyPNG(t), p[0], p[1]))
	if err != nil {
		t.Fatal(err)
	}
	it := item(got, e1)
	if it.State != tasks.ItemInProgress || it.Percent != 40 || len(it.Events) != 1 || len(it.Events[0].Photos) != 1 || it.Events[0].OffSite {
		t.Fatalf("after progress: %+v", it)
	}
	if len(got.Parts) != 1 || len(got.Parts[0].Items) != 1 {
		t.Fatalf("the lane chief of E1 sees %d parts, %d items; want only their own item", len(got.Parts), len(got.Parts[0].Items))
	}
	if _, err := w.svc.EventPhoto(ctx, w.lane, it.Events[0].ID, 1); err != nil {
		t.Fatalf("photo: %v", err)
	}
	if _, err := w.svc.EventPhoto(ctx, w.lane2, it.Events[0].ID, 1); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("the lane chief of E2 reads E1's photo: %v", err)
	}
	// Another community's lane chief cannot see or report on it.
	if _, err := w.report(w.lane2, e1, `{"text":"x"}`); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("lane chief of E2 on E1's item: %v", err)
	}
	// Accepting an item not claimed is refused.
	if _, err := w.svc.Accept(ctx, w.leader, e1, ""); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("accept in progress: %v", err)
	}
	// Claimed done, returned with a reason, reported again, accepted.
	if _, err := w.report(w.lane, e1, `{"text":"已完成","done":true}`); err != nil {
		t.Fatal(err)
	}
	if got := w.notices(w.leader); !slices.Equal(got, []string{"task_item_claimed"}) {
		t.Fatalf("the issuer heard %v", got)
	}
	if _, err := w.report(w.lane, e1, `{"text":"再补一张"}`); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("progress on a claimed item: %v", err)
	}
	if _, err := w.svc.Return(ctx, w.leader, e1, "  "); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("return without a reason: %v", err)
	}
	got, err = w.svc.Return(ctx, w.leader, e1, "地面未硬化")
	if err != nil {
		t.Fatal(err)
	}
	if it := item(got, e1); it.State != tasks.ItemReturned || it.Returns != 1 || part(got, w.subE.ID).Counts.Returned != 1 {
		t.Fatalf("after return: %+v", it)
	}
	if got := w.notices(w.lane); !slices.Equal(got, []string{"task_item_assigned", "task_item_returned"}) {
		t.Fatalf("lane chief heard %v", got)
	}
	if _, err := w.report(w.lane, e1, `{"text":"已硬化","percent":90}`); err != nil {
		t.Fatal(err)
	}
	if _, err := w.report(w.lane, e1, `{"done":true}`); err != nil {
		t.Fatal(err)
	}
	got, err = w.svc.Accept(ctx, w.leader, e1, "验收合格")
	if err != nil {
		t.Fatal(err)
	}
	if it := item(got, e1); it.State != tasks.ItemAccepted || it.AcceptedAt == nil || it.Returns != 1 || len(it.Events) != 6 {
		t.Fatalf("after acceptance: %+v", it)
	}
	if _, err := w.report(w.lane, e1, `{"text":"还有"}`); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("progress on an accepted item: %v", err)
	}
	if got.State != tasks.StateInProgress {
		t.Fatalf("task with one item accepted: %s", got.State)
	}

	// The rest: E's two other items by the street chief, W's part kept whole at subdistrict level.
	for _, it := range items[1:] {
		if _, err := w.report(w.chiefE, it.ID, `{"done":true}`); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Accept(ctx, w.leader, it.ID, ""); err != nil {
			t.Fatal(err)
		}
	}
	wItems := w.breakDown(task, w.chiefW, w.subW.ID, 20, 0)
	if _, err := w.svc.BreakDown(ctx, w.chiefE, task.ID, w.subW.ID, []tasks.ItemInput{{Text: "x", Deadline: ptr(w.at(5))}}); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("E's street chief breaks down W's part: %v", err)
	}
	if _, err := w.report(w.chiefW, wItems[0].ID, `{"done":true}`); err != nil {
		t.Fatal(err)
	}
	got, err = w.svc.Get(ctx, w.leader, task.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != tasks.StateClaimed {
		t.Fatalf("every item claimed or accepted: %s", got.State)
	}
	if _, err := w.svc.Accept(ctx, w.leader, wItems[0].ID, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ = w.svc.Get(ctx, w.leader, task.ID); got.State != tasks.StateDone {
		t.Fatalf("every item accepted: %s", got.State)
	}
	// Street chiefs see their own part only; the assessor reads everything.
	for who, want := range map[string]int{"chief-w": 1, "assessor": 2} {
		p := w.chiefW
		if who == "assessor" {
			p = w.assessor
		}
		got, err := w.svc.Get(ctx, p, task.ID)
		if err != nil || len(got.Parts) != want {
			t.Fatalf("%s sees %d parts (%v), want %d", who, len(got.Parts), err, want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestPositionAwayFromTheItemIsKeptAndFlagged reports from the other subdistrict: stored, flagged.
func TestPositionAwayFromTheItemIsKeptAndFlagged(t *testing.T) {
	w := newWorld(t)
	task := w.issue(30)
	items := w.breakDown(task, w.chiefE, w.subE.ID, 20, w.comE1.ID, w.comE1.ID)
	far := w.inW1()
	near := w.inE1() // in E1 but 200 m and more from the market? It lies 0.0005° (≈55 m) from it.
	for _, c := range []struct {
		item int64
		lon  float64
		lat  float64
		want bool
	}{{items[0].ID, far[0], far[1], true}, {items[1].ID, near[0], near[1], false}} {
		got, err := w.report(w.lane, c.item, fmt.Sprintf(`{"text":"到场","lon":%v,"lat":%v}`, c.lon, c.lat))
		if err != nil {
			t.Fatal(err)
		}
		ev := item(got, c.item).Events
		if len(ev) != 1 || ev[0].OffSite != c.want || ev[0].Lon == nil {
			t.Fatalf("report at %v,%v: %+v, want off_site %v", c.lon, c.lat, ev, c.want)
		}
	}
}

// TestRevisionsKeepTheDeadlineHistory moves the deadline and cancels, each with a reason.
func TestRevisionsKeepTheDeadlineHistory(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	task := w.issue(30)
	w.breakDown(task, w.chiefE, w.subE.ID, 20, w.comE1.ID)
	if _, err := w.svc.ChangeDeadline(ctx, w.leader, task.ID, w.at(10), "提前迎检"); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a deadline before an item's: %v", err)
	}
	if _, err := w.svc.ChangeDeadline(ctx, w.chiefE, task.ID, w.at(40), "延期"); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("street chief moves the deadline: %v", err)
	}
	got, err := w.svc.ChangeDeadline(ctx, w.leader, task.ID, w.at(45), "雨季延期")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Deadline.Equal(w.at(45)) || !got.IssuedDeadline.Equal(w.at(30)) || len(got.Revisions) != 1 {
		t.Fatalf("after the change: %v (issued %v), %d revisions", got.Deadline, got.IssuedDeadline, len(got.Revisions))
	}
	got, err = w.svc.Cancel(ctx, w.leader, task.ID, "任务合并")
	if err != nil {
		t.Fatal(err)
	}
	if got.State != tasks.StateCancelled || got.CancelReason != "任务合并" || len(got.Revisions) != 2 {
		t.Fatalf("after cancelling: %s %q %d", got.State, got.CancelReason, len(got.Revisions))
	}
	if _, err := w.svc.Cancel(ctx, w.leader, task.ID, "again"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("cancel twice: %v", err)
	}
	if _, err := w.report(w.lane, got.Parts[0].Items[0].ID, `{"text":"x"}`); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("report on a cancelled task: %v", err)
	}
	w.clock = w.at(60)
	over, err := w.svc.Overdue(ctx, w.leader, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range over {
		if o.TaskID == task.ID {
			t.Fatalf("a cancelled task is overdue: %+v", o)
		}
	}
}
