package assessment

import (
	"bytes"
	"context"
	"testing"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/internal/photorows/photorowstest"
)

// A mark's photos go to the object store, when there is one, before their rows, which keep the hash
// and size only; they read back the same (a street chief's only of their own subdistricts), a damaged
// blob is refused rather than served, and a mark the database refuses after its photos were put
// leaves neither the mark nor a photo row behind.
func TestMarkPhotosGoToTheObjectStore(t *testing.T) {
	d := newDistrict(t)
	ctx := context.Background()
	photos := photorowstest.NewStore(t)
	inRows := d.svc
	withStore := *d.svc
	withStore.photos = photos
	svc := &withStore
	m := periodOf(t, Month, "2025-05")

	p := photorowstest.Photo(t, 5, 9)
	mark, err := svc.RecordMark(ctx, system, m, MarkInput{SubdistrictID: d.a, ItemCode: "check", Points: 9000, Photos: []incidents.Photo{p}})
	if err != nil {
		t.Fatal(err)
	}
	photorowstest.MustBeInStore(t, svc.db, photos, "assessment_mark_photo", p.Bytes)
	chiefA := access.Principal{Username: "chief-a", Role: access.StreetChief, Scope: access.Scope{Subdistricts: []int64{d.a}}}
	chiefB := access.Principal{Username: "chief-b", Role: access.StreetChief, Scope: access.Scope{Subdistricts: []int64{d.b}}}
	photorowstest.MustServeFromStore(t, photos, p.Bytes,
		func() (incidents.PhotoFile, error) { return svc.MarkPhoto(ctx, chiefA, mark.ID, 1) },
		func() (incidents.PhotoFile, error) { return inRows.MarkPhoto(ctx, chiefA, mark.ID, 1) })
	if _, err := svc.MarkPhoto(ctx, chiefB, mark.ID, 1); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("another subdistrict's street chief: %v, want not found", err)
	}
	if _, err := svc.MarkPhoto(ctx, system, mark.ID, 2); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("a photo the mark does not have: %v", err)
	}

	// Seven photos pass RecordMark (the decoder counts them) but not the seq column's CHECK, which
	// refuses the seventh after it was put.
	var seven []incidents.Photo
	for i := range 7 {
		seven = append(seven, photorowstest.Photo(t, 10+i, 9))
	}
	var marks int
	count := func() int {
		t.Helper()
		if err := svc.db.QueryRow(ctx, `SELECT count(*) FROM assessment_mark`).Scan(&marks); err != nil {
			t.Fatal(err)
		}
		return marks
	}
	before := count()
	if _, err := svc.RecordMark(ctx, system, m, MarkInput{SubdistrictID: d.b, ItemCode: "check", Points: 8000, Photos: seven}); err == nil {
		t.Fatal("a mark with seven photos stored")
	}
	for _, p := range seven {
		photorowstest.MustBeUnreferenced(t, svc.db, photos, "assessment_mark_photo", p.Bytes)
	}
	if after := count(); after != before {
		t.Fatalf("%d marks after a refused one, %d before", after, before)
	}
}

// A mark's photo kept in its row moves to the store, the one change the table's append-only trigger
// allows (migration 0046): another change, or a delete, is still refused.
func TestMarkPhotoInItsRowMovesOutAndNothingElseChanges(t *testing.T) {
	d := newDistrict(t)
	ctx := context.Background()
	p := photorowstest.Photo(t, 6, 9)
	mark, err := d.svc.RecordMark(ctx, system, periodOf(t, Month, "2025-05"), MarkInput{SubdistrictID: d.a, ItemCode: "check", Points: 9000,
		Photos: []incidents.Photo{p, p}})
	if err != nil {
		t.Fatal(err)
	}
	photorowstest.MustBeInRow(t, d.svc.db, "assessment_mark_photo", p.Bytes)
	for _, change := range []string{
		`UPDATE assessment_mark_photo SET content_type = 'image/jpeg' WHERE mark_id = $1`,
		`UPDATE assessment_mark_photo SET bytes = NULL, size_bytes = octet_length(bytes), seq = seq + 2 WHERE mark_id = $1`,
		`UPDATE assessment_mark_photo SET bytes = NULL, size_bytes = 1 WHERE mark_id = $1`,
		`DELETE FROM assessment_mark_photo WHERE mark_id = $1`,
	} {
		if _, err := d.svc.db.Exec(ctx, change, mark.ID); err == nil {
			t.Fatalf("%s: allowed", change)
		}
	}
	photos := photorowstest.NewStore(t)
	withStore := *d.svc
	withStore.photos = photos
	moved, err := withStore.PhotoTable().MoveOut(ctx, 10, func(err error) { t.Error(err) })
	if err != nil || moved.Moved != 2 {
		t.Fatalf("moved %+v, %v; want both rows of the photo", moved, err)
	}
	photorowstest.MustBeInStore(t, d.svc.db, photos, "assessment_mark_photo", p.Bytes)
	for n := 1; n <= 2; n++ {
		if f, err := withStore.MarkPhoto(ctx, system, mark.ID, n); err != nil || !bytes.Equal(f.Bytes, p.Bytes) {
			t.Fatalf("photo %d after the move: %d bytes, %v", n, len(f.Bytes), err)
		}
	}
	checked, err := withStore.PhotoTable().Check(ctx, func(err error) { t.Error(err) })
	if err != nil || checked.InStore != 2 || checked.Problems != 0 {
		t.Fatalf("check %+v, %v", checked, err)
	}
}
