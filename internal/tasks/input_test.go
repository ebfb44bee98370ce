package tasks_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/tasks"
)

// rows counts every row of the task tables and their audit entries, to prove a refusal wrote nothing.
func (w *world) rows() int64 {
	w.t.Helper()
	var n int64
	if err := dbtest.Pool(w.t).QueryRow(context.Background(), `SELECT (SELECT count(*) FROM task) + (SELECT count(*) FROM task_part)
		+ (SELECT count(*) FROM task_area) + (SELECT count(*) FROM task_point) + (SELECT count(*) FROM task_revision)
		+ (SELECT count(*) FROM task_item) + (SELECT count(*) FROM task_event) + (SELECT count(*) FROM task_photo)
		+ (SELECT count(*) FROM audit_log WHERE target_type LIKE 'task%') + (SELECT count(*) FROM notification WHERE kind LIKE 'task%')`).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// TestBadInputIsRefusedAndWritesNothing sends each kind of bad input through the decoder and the
// service: each answers its 4xx code and leaves the tables as they were.
func TestBadInputIsRefusedAndWritesNothing(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	task := w.issue(30)
	items := w.breakDown(task, w.chiefE, w.subE.ID, 20, w.comE1.ID, w.comE2.ID)
	if _, err := w.report(w.lane2, items[1].ID, `{"done":true}`); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Accept(ctx, w.leader, items[1].ID, ""); err != nil {
		t.Fatal(err)
	}
	issue := func(who access.Principal, fields string) error {
		body := fmt.Sprintf(`{"issuer_level":"city","issuing_office":"市文明办","title":"河道沿线清理","done_when":"无垃圾","deadline":%q,%s}`,
			w.at(10).Format(time.RFC3339), fields)
		in, err := tasks.DecodeIssue([]byte(body))
		if err != nil {
			return err
		}
		_, err = w.svc.Issue(ctx, who, in)
		return err
	}
	breakDown := func(who access.Principal, sub int64, body string) error {
		in, err := tasks.DecodeBreakDown([]byte(body))
		if err != nil {
			return err
		}
		_, err = w.svc.BreakDown(ctx, who, task.ID, sub, in)
		return err
	}
	subs := fmt.Sprintf(`"subdistrict_ids":[%d]`, w.subE.ID)
	e1, inW := w.inE1(), w.inW1()
	for _, tc := range []struct {
		name string
		run  func() error
		want apperr.Code
	}{
		{"deadline in the past", func() error {
			in, err := tasks.DecodeIssue([]byte(fmt.Sprintf(`{"issuer_level":"city","issuing_office":"市文明办","title":"t","done_when":"d","deadline":%q,%s}`,
				w.at(-1).Format(time.RFC3339), subs)))
			if err != nil {
				return err
			}
			_, err = w.svc.Issue(ctx, w.leader, in)
			return err
		}, apperr.Invalid},
		{"no subdistrict", func() error { return issue(w.leader, `"area_ids":[]`) }, apperr.Invalid},
		{"both all and a list", func() error { return issue(w.leader, subs+`,"all_subdistricts":true`) }, apperr.Invalid},
		{"unknown subdistrict", func() error { return issue(w.leader, `"subdistrict_ids":[999999999]`) }, apperr.Invalid},
		{"a community as subdistrict", func() error { return issue(w.leader, fmt.Sprintf(`"subdistrict_ids":[%d]`, w.comE1.ID)) }, apperr.Invalid},
		{"unknown area", func() error { return issue(w.leader, subs+`,"area_ids":[999999999]`) }, apperr.Invalid},
		{"area of another subdistrict", func() error { return issue(w.leader, subs+fmt.Sprintf(`,"area_ids":[%d]`, w.areaW.ID)) }, apperr.Invalid},
		{"point outside the subdistricts", func() error {
			return issue(w.leader, subs+fmt.Sprintf(`,"points":[{"label":"桥","lon":%v,"lat":%v}]`, inW[0], inW[1]))
		}, apperr.Invalid},
		{"point without label", func() error {
			return issue(w.leader, subs+fmt.Sprintf(`,"points":[{"label":" ","lon":%v,"lat":%v}]`, e1[0], e1[1]))
		}, apperr.Invalid},
		{"drawn target elsewhere", func() error {
			return issue(w.leader, subs+`,"target_area":{"type":"Polygon","coordinates":[[[1,1],[1.1,1],[1.1,1.1],[1,1]]]}`)
		}, apperr.Invalid},
		{"body over the limit", func() error {
			return issue(w.leader, subs+`,"body":"`+strings.Repeat("字", tasks.MaxBodyChars+1)+`"`)
		}, apperr.Invalid},
		{"unknown field", func() error { return issue(w.leader, subs+`,"priority":1`) }, apperr.Malformed},
		{"seven photos", func() error { return issue(w.leader, subs+`,"photos":["a","a","a","a","a","a","a"]`) }, apperr.TooLarge},
		{"a street chief issues", func() error { return issue(w.chiefE, subs) }, apperr.Forbidden},
		{"item due after the task", func() error {
			return breakDown(w.chiefE, w.subE.ID, fmt.Sprintf(`{"items":[{"community_id":%d,"text":"x","deadline":%q}]}`, w.comE1.ID, w.at(31).Format(time.RFC3339)))
		}, apperr.Invalid},
		{"item due in the past", func() error {
			return breakDown(w.chiefE, w.subE.ID, fmt.Sprintf(`{"items":[{"text":"x","deadline":%q}]}`, w.at(-1).Format(time.RFC3339)))
		}, apperr.Invalid},
		{"community of another subdistrict", func() error {
			return breakDown(w.chiefE, w.subE.ID, fmt.Sprintf(`{"items":[{"text":"ok","deadline":%q},{"community_id":%d,"text":"x","deadline":%q}]}`,
				w.at(5).Format(time.RFC3339), w.comW1.ID, w.at(5).Format(time.RFC3339)))
		}, apperr.Invalid},
		{"item text over the limit", func() error {
			return breakDown(w.chiefE, w.subE.ID, fmt.Sprintf(`{"items":[{"text":%q,"deadline":%q}]}`, strings.Repeat("字", tasks.MaxItemChars+1), w.at(5).Format(time.RFC3339)))
		}, apperr.Invalid},
		{"no items", func() error { return breakDown(w.chiefE, w.subE.ID, `{"items":[]}`) }, apperr.Invalid},
		{"a lane chief breaks down", func() error {
			return breakDown(w.lane, w.subE.ID, fmt.Sprintf(`{"items":[{"text":"x","deadline":%q}]}`, w.at(5).Format(time.RFC3339)))
		}, apperr.Forbidden},
		{"progress on an accepted item", func() error {
			_, err := w.report(w.lane2, items[1].ID, fmt.Sprintf(`{"text":"again","photos":[%q]}`, tinyPNG(t)))
			return err
		}, apperr.Conflict},
		{"accept an item not claimed", func() error { _, err := w.svc.Accept(ctx, w.leader, items[0].ID, "ok"); return err }, apperr.Conflict},
		{"return an item not claimed", func() error { _, err := w.svc.Return(ctx, w.leader, items[0].ID, "no"); return err }, apperr.Conflict},
		{"a street chief accepts", func() error { _, err := w.svc.Accept(ctx, w.chiefE, items[0].ID, ""); return err }, apperr.Forbidden},
		{"percent over 100", func() error { _, err := w.report(w.lane, items[0].ID, `{"percent":101}`); return err }, apperr.Invalid},
		{"done at 50 percent", func() error { _, err := w.report(w.lane, items[0].ID, `{"percent":50,"done":true}`); return err }, apperr.Invalid},
		{"empty report", func() error { _, err := w.report(w.lane, items[0].ID, `{}`); return err }, apperr.Invalid},
		{"lat without lon", func() error { _, err := w.report(w.lane, items[0].ID, `{"text":"x","lat":25}`); return err }, apperr.Invalid},
		{"position off the globe", func() error { _, err := w.report(w.lane, items[0].ID, `{"text":"x","lon":200,"lat":25}`); return err }, apperr.Invalid},
		{"report text over the limit", func() error {
			_, err := w.report(w.lane, items[0].ID, fmt.Sprintf(`{"text":%q}`, strings.Repeat("字", tasks.MaxReportChars+1)))
			return err
		}, apperr.Invalid},
		{"unknown item", func() error { _, err := w.report(w.lane, 999999999, `{"text":"x"}`); return err }, apperr.NotFound},
		{"deadline change into the past", func() error {
			_, err := w.svc.ChangeDeadline(ctx, w.leader, task.ID, w.at(-1), "reason")
			return err
		}, apperr.Invalid},
		{"deadline change without reason", func() error { _, err := w.svc.ChangeDeadline(ctx, w.leader, task.ID, w.at(40), ""); return err }, apperr.Invalid},
		{"cancel an unknown task", func() error { _, err := w.svc.Cancel(ctx, w.leader, 999999999, "x"); return err }, apperr.NotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := w.rows()
			err := tc.run()
			if !apperr.Is(err, tc.want) {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
			if after := w.rows(); after != before {
				t.Fatalf("a refusal wrote %d rows", after-before)
			}
		})
	}
}
