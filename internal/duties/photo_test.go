package duties_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"testing"
	"time"

	"streetchief/internal/dbtest"
	"streetchief/internal/duties"
	"streetchief/internal/incidents"
	"streetchief/internal/objectstore"
	"streetchief/internal/photorows/photorowstest"
)

// A record's photo and a pledge's scan go to the object store, when there is one, before their rows,
// which keep the size only; they read back the same, a damaged blob is refused rather than served,
// and a record the database refuses after its photo was put leaves no file row behind. Without a
// store, a scan stays in its row.
func TestRecordPhotosAndPledgeScansGoToTheObjectStore(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	pool := dbtest.Pool(t)
	photos := photorowstest.NewStore(t)
	inRows := w.svc
	w.svc = duties.NewService(pool, photos).WithClock(func() time.Time { return w.clock })

	photo := photorowstest.PNG(t, 5, 7)
	in := w.record()
	in.Photos.Items = []string{base64.StdEncoding.EncodeToString(photo)}
	rec, err := w.svc.EnterRecord(ctx, w.me, in)
	if err != nil {
		t.Fatal(err)
	}
	photorowstest.MustBeInStore(t, pool, photos, "duty_file", photo)
	photorowstest.MustServeFromStore(t, photos, photo,
		func() (incidents.PhotoFile, error) { return w.svc.RecordPhoto(ctx, w.me, rec.ID, 1) },
		func() (incidents.PhotoFile, error) { return inRows.RecordPhoto(ctx, w.me, rec.ID, 1) })

	// 0.001 hours passes the service's check (more than 0) but rounds to 0.00 in the column, whose
	// CHECK refuses it after the photo was put.
	refused := photorowstest.PNG(t, 6, 7)
	in = w.record()
	in.Hours, in.Photos.Items = 0.001, []string{base64.StdEncoding.EncodeToString(refused)}
	if _, err := w.svc.EnterRecord(ctx, w.me, in); err == nil {
		t.Fatal("0.001 hours stored")
	}
	photorowstest.MustBeUnreferenced(t, pool, photos, "duty_file", refused)

	scan := []byte("%PDF-1.4\n% a signed pledge\n")
	for _, svc := range []*duties.Service{w.svc, inRows} {
		scan = append(scan, '\n') // another file each time
		if _, err := svc.SignPledge(ctx, w.laneA, w.deputy.ID, duties.PledgeInput{SignedOn: "2026-01-05", Items: []string{"带头"},
			Scan: base64.StdEncoding.EncodeToString(scan)}); err != nil {
			t.Fatal(err)
		}
		ps, err := svc.Pledges(ctx, w.me, w.deputy.ID)
		if err != nil {
			t.Fatal(err)
		}
		f, err := svc.PledgeScan(ctx, w.me, ps[0].ID)
		if err != nil || f.ContentType != "application/pdf" || !bytes.Equal(f.Bytes, scan) {
			t.Fatalf("scan read back: %q %d bytes, %v", f.ContentType, len(f.Bytes), err)
		}
		if svc == inRows {
			photorowstest.MustBeInRow(t, pool, "duty_file", scan)
		} else {
			photorowstest.MustBeInStore(t, pool, photos, "duty_file", scan)
		}
	}

	// duty_file is history: moving a row's bytes out is the one change it takes (migration 0046).
	key := objectstore.KeyOf(scan)
	for _, change := range []string{
		`UPDATE duty_file SET content_type = 'image/png' WHERE sha256 = $1`,
		`UPDATE duty_file SET bytes = NULL, size_bytes = 1 WHERE sha256 = $1`,
		`DELETE FROM duty_file WHERE sha256 = $1`,
	} {
		if _, err := pool.Exec(ctx, change, key[:]); err == nil {
			t.Fatalf("%s: allowed", change)
		}
	}
	moved, err := w.svc.PhotoTable().MoveOut(ctx, 100, func(err error) { t.Error(err) })
	if err != nil || moved.Moved < 1 || moved.Failed != 0 { // other tests' rows of the package's database move too
		t.Fatalf("moved %+v, %v; want at least the scan kept in its row", moved, err)
	}
	photorowstest.MustBeInStore(t, pool, photos, "duty_file", scan)
}
