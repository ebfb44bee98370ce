package volunteers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"streetchief/internal/incidents"
	"streetchief/internal/photorows/photorowstest"
	"streetchief/internal/volunteers"
)

// An activity's photo goes to the object store, when there is one, before its row, which keeps the
// size only; it reads back the same, a damaged blob is refused rather than served, and an activity
// the database refuses after its photo was put leaves no photo row behind. Without a store, the
// photo stays in its row.
func TestActivityPhotoGoesToTheObjectStore(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	photos := photorowstest.NewStore(t)
	inRows := w.svc
	w.svc = volunteers.NewService(w.pool, photos).WithClock(func() time.Time { return w.clock })
	withPhoto := func(svc *volunteers.Service, day string, width int) (volunteers.Activity, incidents.Photo, error) {
		t.Helper()
		in, err := volunteers.DecodeActivity(activityJSON(w.org.ID, w.inE1(), day, nil, 3, "2"))
		if err != nil {
			t.Fatal(err)
		}
		p := photorowstest.Photo(t, width, 9)
		in.Photos = []incidents.Photo{p}
		a, err := svc.RecordActivity(ctx, w.chiefE, in)
		return a, p, err
	}

	a, p, err := withPhoto(w.svc, "2026-06-10", 5)
	if err != nil {
		t.Fatal(err)
	}
	photorowstest.MustBeInStore(t, w.pool, photos, "volunteer_photo", p.Bytes)
	photorowstest.MustServeFromStore(t, photos, p.Bytes,
		func() (incidents.PhotoFile, error) { return w.svc.ActivityPhoto(ctx, w.chiefE, a.ID, 1) },
		func() (incidents.PhotoFile, error) { return inRows.ActivityPhoto(ctx, w.chiefE, a.ID, 1) })

	in, err := volunteers.DecodeActivity(activityJSON(w.org.ID, w.inE1(), "2026-06-11", nil, 3, "2"))
	if err != nil {
		t.Fatal(err)
	}
	refused := photorowstest.Photo(t, 6, 9)
	in.Description, in.Photos = strings.Repeat("长", 2001), []incidents.Photo{refused}
	if _, err := w.svc.RecordActivity(ctx, w.chiefE, in); err == nil {
		t.Fatal("a description over the column's limit accepted")
	}
	photorowstest.MustBeUnreferenced(t, w.pool, photos, "volunteer_photo", refused.Bytes)

	if _, p, err = withPhoto(inRows, "2026-06-12", 7); err != nil {
		t.Fatal(err)
	}
	photorowstest.MustBeInRow(t, w.pool, "volunteer_photo", p.Bytes)
}
