package operations_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
	"streetchief/internal/operations"
	"streetchief/internal/photorows/photorowstest"
)

// An outcome's photos are checked as incidents' are, stored once, and shown only to the
// operation's readers.
func TestOutcomePhotos(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	op := w.mustCreate(w.plan(nil))
	w.clock = op.EndsAt.Add(time.Hour)
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	photo := base64.StdEncoding.EncodeToString(buf.Bytes())
	if _, err := operations.DecodeOutcome([]byte(`{"notes":"x","photos":["bm90IGEgcGhvdG8="]}`)); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("text passed off as a photo: %v", err)
	}
	in, err := operations.DecodeOutcome([]byte(fmt.Sprintf(`{"notes":"现场照片","photos":[%q]}`, "data:image/png;base64,"+photo)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.store.RecordOutcome(ctx, w.chiefE, op.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Outcome.Photos) != 1 || got.Outcome.Photos[0] != fmt.Sprintf("/api/v1/operation-outcomes/%d/photos/1", got.Outcome.ID) {
		t.Fatalf("photos: %v", got.Outcome.Photos)
	}
	f, err := w.store.OutcomePhoto(ctx, w.liaison1, got.Outcome.ID, 1)
	if err != nil || f.ContentType != "image/png" || !bytes.Equal(f.Bytes, buf.Bytes()) {
		t.Fatalf("the liaison's photo: %v %q", err, f.ContentType)
	}
	photorowstest.MustBeInRow(t, dbtest.Pool(t), "operation_photo", buf.Bytes()) // no object store: in the row, as before

	if _, err := w.store.OutcomePhoto(ctx, w.chiefW, got.Outcome.ID, 1); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("the street chief of W: %v, want not found", err)
	}
	if _, err := w.store.OutcomePhoto(ctx, w.chiefE, got.Outcome.ID, 2); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("a second photo that is not there: %v", err)
	}
}

// With an object store, an outcome's photo goes there before its row, which keeps the size only; it
// reads back the same, a damaged blob is refused rather than served, and an outcome the database
// refuses after its photo was put leaves no row behind.
func TestOutcomePhotoGoesToTheObjectStore(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	pool := dbtest.Pool(t)
	photos := photorowstest.NewStore(t)
	store := operations.NewStore(pool, w.reg, w.inc, photos).WithClock(func() time.Time { return w.clock })
	op := w.mustCreate(w.plan(nil))
	w.clock = op.EndsAt.Add(time.Hour)
	p := photorowstest.Photo(t, 5, 7)
	got, err := store.RecordOutcome(ctx, w.chiefE, op.ID, operations.OutcomeInput{Notes: "现场照片", Photos: []incidents.Photo{p}})
	if err != nil {
		t.Fatal(err)
	}
	photorowstest.MustBeInStore(t, pool, photos, "operation_photo", p.Bytes)
	photorowstest.MustServeFromStore(t, photos, p.Bytes,
		func() (incidents.PhotoFile, error) { return store.OutcomePhoto(ctx, w.liaison1, got.Outcome.ID, 1) },
		func() (incidents.PhotoFile, error) { return w.store.OutcomePhoto(ctx, w.liaison1, got.Outcome.ID, 1) })
	refused := photorowstest.Photo(t, 6, 7)
	_, err = store.RecordOutcome(ctx, w.chiefE, op.ID, operations.OutcomeInput{Notes: strings.Repeat("长", 4001), Reason: "更正", Photos: []incidents.Photo{refused}})
	if err == nil {
		t.Fatal("notes over the column's limit accepted")
	}
	photorowstest.MustBeUnreferenced(t, pool, photos, "operation_photo", refused.Bytes)
}
