package operations_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"testing"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/operations"
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
	if _, err := w.store.OutcomePhoto(ctx, w.chiefW, got.Outcome.ID, 1); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("the street chief of W: %v, want not found", err)
	}
	if _, err := w.store.OutcomePhoto(ctx, w.chiefE, got.Outcome.ID, 2); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("a second photo that is not there: %v", err)
	}
}
