package tasks_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
	"streetchief/internal/photorows/photorowstest"
	"streetchief/internal/tasks"
)

// With an object store, a task's photo and a progress report's go there before their rows, which
// keep the size only; they read back the same, a damaged blob is refused rather than served, and a
// task the database refuses after its photo was put leaves no photo row behind.
func TestTaskAndReportPhotosGoToTheObjectStore(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	pool := dbtest.Pool(t)
	photos := photorowstest.NewStore(t)
	inRows := w.svc
	w.svc = tasks.NewService(pool, photos).WithClock(func() time.Time { return w.clock })

	issued := photorowstest.Photo(t, 5, 7)
	in, err := tasks.DecodeIssue([]byte(fmt.Sprintf(`{"issuer_level":"district","issuing_office":"区委督查室","title":"拍照督办","done_when":"见照片",
		"deadline":%q,"subdistrict_ids":[%d]}`, w.at(30).Format(time.RFC3339), w.subE.ID)))
	if err != nil {
		t.Fatal(err)
	}
	in.Photos = []incidents.Photo{issued}
	task, err := w.svc.Issue(ctx, w.leader, in)
	if err != nil {
		t.Fatal(err)
	}
	photorowstest.MustBeInStore(t, pool, photos, "task_photo", issued.Bytes)
	photorowstest.MustServeFromStore(t, photos, issued.Bytes,
		func() (incidents.PhotoFile, error) { return w.svc.TaskPhoto(ctx, w.chiefE, task.ID, 1) },
		func() (incidents.PhotoFile, error) { return inRows.TaskPhoto(ctx, w.chiefE, task.ID, 1) })

	items := w.breakDown(task, w.chiefE, w.subE.ID, 20, w.comE1.ID)
	reported := photorowstest.Photo(t, 6, 7)
	got, err := w.svc.ReportProgress(ctx, w.lane, items[0].ID, tasks.Report{Text: "进展", Photos: []incidents.Photo{reported}})
	if err != nil {
		t.Fatal(err)
	}
	photorowstest.MustBeInStore(t, pool, photos, "task_photo", reported.Bytes)
	event := item(got, items[0].ID).Events[0].ID
	photorowstest.MustServeFromStore(t, photos, reported.Bytes,
		func() (incidents.PhotoFile, error) { return w.svc.EventPhoto(ctx, w.lane, event, 1) },
		func() (incidents.PhotoFile, error) { return inRows.EventPhoto(ctx, w.lane, event, 1) })

	refused := photorowstest.Photo(t, 7, 7)
	in.Title, in.Photos = strings.Repeat("题", 201), []incidents.Photo{refused}
	if _, err := w.svc.Issue(ctx, w.leader, in); err == nil {
		t.Fatal("a title over the column's limit accepted")
	}
	photorowstest.MustBeUnreferenced(t, pool, photos, "task_photo", refused.Bytes)
}
