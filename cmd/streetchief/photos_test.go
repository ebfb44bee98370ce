package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"streetchief/internal/dbtest"
	"streetchief/internal/objectstore"
)

// photos move-out empties the legacy rows' bytes into --photo-dir and exits zero; photos check then
// exits zero, and non-zero naming the row once its blob is deleted.
func TestPhotosMoveOutAndCheckExitCodes(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	dir := filepath.Join(t.TempDir(), "photos")
	b := []byte("a photo stored in its row before migration 0045")
	sum := sha256.Sum256(b)
	if _, err := dbtest.Pool(t).Exec(ctx, `INSERT INTO merchant_photo (sha256, content_type, bytes) VALUES ($1, 'image/jpeg', $2)`, sum[:], b); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"photos", "move-out", "--batch", "1", "--photo-dir", dir, "--database-url", url}, &out, &errOut); err != nil {
		t.Fatalf("move-out: %v\n%s%s", err, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "merchant_photo: 1 moved") {
		t.Fatalf("move-out said %q", out.String())
	}
	if err := run(ctx, []string{"photos", "check", "--photo-dir", dir, "--database-url", url}, &out, &errOut); err != nil {
		t.Fatalf("check: %v\n%s", err, errOut.String())
	}
	store, err := objectstore.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(store.Path(objectstore.Key(sum))); err != nil {
		t.Fatal(err)
	}
	errOut.Reset()
	err = run(ctx, []string{"photos", "check", "--photo-dir", dir, "--database-url", url}, &out, &errOut)
	if err == nil || exitStatus(err) == 0 || !strings.Contains(errOut.String(), objectstore.Key(sum).String()) {
		t.Fatalf("check with a lost blob: %v, exit %d, said %q", err, exitStatus(err), errOut.String())
	}
	if err := run(ctx, []string{"photos", "move-out", "--batch", "0", "--photo-dir", dir, "--database-url", url}, &out, &errOut); err == nil {
		t.Fatal("--batch 0 accepted")
	}
}
