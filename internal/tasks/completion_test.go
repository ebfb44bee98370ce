package tasks_test

import (
	"context"
	"testing"
	"time"

	"streetchief/internal/tasks"
)

// TestCompletionMatchesAHandCountedFixture builds two subdistricts' items over a month and counts
// them by hand (see the comments): due in the period, accepted, accepted on time, overdue now.
func TestCompletionMatchesAHandCountedFixture(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	day0 := w.clock
	// day sets the clock d days after day0 (0: back to day0).
	day := func(d float64) { w.clock = day0.Add(dur(d)) }
	claimAccept := func(item int64, claimDay, acceptDay float64) {
		t.Helper()
		day(claimDay)
		if _, err := w.report(w.chiefE, item, `{"done":true}`); err != nil {
			t.Fatal(err)
		}
		day(acceptDay)
		if _, err := w.svc.Accept(ctx, w.leader, item, ""); err != nil {
			t.Fatal(err)
		}
		day(0)
	}
	// Task A (E and W, due day 30): E's items due days 10, 10, 12, 25 and 29; W does not break down.
	a := w.issue(30)
	e := w.breakDown(a, w.chiefE, w.subE.ID, 10, w.comE1.ID, w.comE2.ID)
	e = append(e, w.breakDown(a, w.chiefE, w.subE.ID, 12, 0)...)
	e = append(e, w.breakDown(a, w.chiefE, w.subE.ID, 25, w.comE1.ID)...)
	e = append(e, w.breakDown(a, w.chiefE, w.subE.ID, 29, w.comE1.ID)...)
	claimAccept(e[0].ID, 8, 9)  // on time
	claimAccept(e[1].ID, 9, 12) // accepted two days late
	day(11)
	if _, err := w.report(w.chiefE, e[2].ID, `{"done":true}`); err != nil { // claimed, then returned: overdue
		t.Fatal(err)
	}
	if _, err := w.svc.Return(ctx, w.leader, e[2].ID, "不合格"); err != nil {
		t.Fatal(err)
	}
	day(0)
	// Task B (E and W, due day 15): E never breaks down; W keeps one item, accepted on time.
	b := w.issue(15)
	wb := w.breakDown(b, w.chiefW, w.subW.ID, 15, 0)
	day(14)
	if _, err := w.report(w.chiefW, wb[0].ID, `{"done":true}`); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Accept(ctx, w.leader, wb[0].ID, ""); err != nil {
		t.Fatal(err)
	}
	day(0)
	// Task C (due day 18), broken down in E and then cancelled: it counts not at all.
	c := w.issue(18)
	w.breakDown(c, w.chiefE, w.subE.ID, 14, w.comE1.ID)
	if _, err := w.svc.Cancel(ctx, w.leader, c.ID, "并入任务A"); err != nil {
		t.Fatal(err)
	}
	day(20) // now
	for _, tc := range []struct {
		name     string
		sub      int64
		from, to float64
		want     tasks.Completion
	}{
		// E, days 0–28: items due 10, 10, 12, 25 and B's unbroken part (15) = 5; accepted 2; on time 1;
		// overdue now (day 20): the returned item (12) and B's part (15) = 2.
		{"E in the month", w.subE.ID, 0, 28, tasks.Completion{Items: 5, Accepted: 2, AcceptedOnTime: 1, Overdue: 2}},
		// E, days 28–60: the item due 29, not yet overdue.
		{"E after", w.subE.ID, 28, 60, tasks.Completion{Items: 1}},
		// W, days 0–28: B's item, accepted on time; A's unbroken part falls due on day 30, outside.
		{"W in the month", w.subW.ID, 0, 28, tasks.Completion{Items: 1, Accepted: 1, AcceptedOnTime: 1}},
		{"W after", w.subW.ID, 28, 60, tasks.Completion{Items: 1}},
		// The bound: an item due exactly at to is the next period's.
		{"E up to day 10", w.subE.ID, 0, 10, tasks.Completion{}},
		{"E from day 10", w.subE.ID, 10, 11, tasks.Completion{Items: 2, Accepted: 2, AcceptedOnTime: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := w.svc.Completion(ctx, tc.sub, day0.Add(dur(tc.from)), day0.Add(dur(tc.to)))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func dur(days float64) time.Duration { return time.Duration(days * 24 * float64(time.Hour)) }
