package incidents_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
	"streetchief/internal/objectstore"
)

// With an object store, a new photo's bytes go to the store, not the table, and read back the same;
// a photo written before the store (bytes in its row) still reads from its row.
func TestPhotosGoToTheObjectStoreAndReadBack(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	pool := dbtest.Pool(t)
	photos, err := objectstore.NewFS(filepath.Join(t.TempDir(), "photos"))
	if err != nil {
		t.Fatal(err)
	}
	svc := incidents.NewService(pool, w.engine, incidents.Options{Now: w.clock.Now, Photos: photos})
	img := tinyPNG(t, 91)
	legacy := tinyPNG(t, 92)
	lon, lat := w.inA()[0], w.inA()[1]
	in, err := incidents.IntakeFields{Category: "sanitation", Lon: &lon, Lat: &lat, Description: "垃圾"}.Intake([][]byte{img})
	if err != nil {
		t.Fatal(err)
	}
	rc, _, err := svc.Report(ctx, access.Anonymous("t"), in, incidents.IdempotencyKey{})
	if err != nil {
		t.Fatal(err)
	}
	key := objectstore.KeyOf(img)
	var inRow, size int
	if err := pool.QueryRow(ctx, `SELECT COALESCE(octet_length(bytes), 0), size_bytes FROM incident_photo WHERE sha256 = $1`, key[:]).
		Scan(&inRow, &size); err != nil || inRow != 0 || size != len(img) {
		t.Fatalf("row holds %d bytes, size_bytes %d (%v); want 0 and %d", inRow, size, err, len(img))
	}
	if onDisk, err := os.ReadFile(photos.Path(key)); err != nil || !bytes.Equal(onDisk, img) {
		t.Fatalf("store file: %v", err)
	}
	f, err := svc.Photo(ctx, w.asLane, rc.ID, 1)
	if err != nil || !bytes.Equal(f.Bytes, img) || f.ContentType != "image/png" {
		t.Fatalf("read back %d bytes %s: %v", len(f.Bytes), f.ContentType, err)
	}

	// The old service (no store) wrote into the row; the new one reads it from there.
	oldIn, _ := incidents.IntakeFields{Category: "sanitation", Lon: &lon, Lat: &lat, Description: "旧"}.Intake([][]byte{legacy})
	oldRc, _, err := w.svc.Report(ctx, access.Anonymous("t"), oldIn, incidents.IdempotencyKey{})
	if err != nil {
		t.Fatal(err)
	}
	if f, err := svc.Photo(ctx, w.asLane, oldRc.ID, 1); err != nil || !bytes.Equal(f.Bytes, legacy) {
		t.Fatalf("legacy photo: %d bytes, %v", len(f.Bytes), err)
	}

	// A blob gone from the store is an error, never an empty photo.
	if err := os.Remove(photos.Path(key)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Photo(ctx, w.asLane, rc.ID, 1); !errors.Is(err, objectstore.ErrNotFound) {
		t.Fatalf("missing blob: %v", err)
	}
}
