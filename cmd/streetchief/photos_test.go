package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"streetchief/internal/dbtest"
	"streetchief/internal/objectstore"
	"streetchief/internal/photorows/photorowstest"
)

// legacyPhotoRows writes one photo row into each of the seven photo tables as rows were before
// migration 0045 (bytes in the row), and answers each table's photo.
func legacyPhotoRows(t *testing.T) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	photos := map[string][]byte{}
	for _, table := range []string{"incident_photo", "merchant_photo", "operation_photo", "task_photo", "duty_file", "volunteer_photo"} {
		b := []byte("a photo stored in its row of " + table + " before migration 0045")
		key := objectstore.KeyOf(b)
		if _, err := pool.Exec(ctx, `INSERT INTO `+table+` (sha256, content_type, bytes) VALUES ($1, 'image/jpeg', $2)`, key[:], b); err != nil {
			t.Fatal(err)
		}
		photos[table] = b
	}
	// A mark's photo needs a mark: of a period of a sheet, for a unit (any will do for the rows).
	b := []byte("a photo of an assessor's mark, stored in its row")
	key := objectstore.KeyOf(b)
	if _, err := pool.Exec(ctx, `WITH u AS (INSERT INTO admin_unit (level, code, name, boundary)
			VALUES ('city', 'photos-cli', '城', ST_Multi(ST_MakeEnvelope(100, 30, 100.1, 30.1, 4326))) RETURNING id),
		t AS (INSERT INTO assessment_template (period_kind, version, name, effective_from, created_by)
			VALUES ('month', 1, '月考', '2025-01-01', 'test') RETURNING id),
		p AS (INSERT INTO assessment_period (kind, label, starts, ends, template_id)
			SELECT 'month', '2025-05', '2025-05-01', '2025-06-01', id FROM t RETURNING id),
		m AS (INSERT INTO assessment_mark (period_id, subdistrict_id, item_code, points, created_by)
			SELECT p.id, u.id, 'check', 9, 'test' FROM p, u RETURNING id)
		INSERT INTO assessment_mark_photo (mark_id, seq, content_type, sha256, bytes) SELECT id, 1, 'image/png', $1, $2 FROM m`, key[:], b); err != nil {
		t.Fatal(err)
	}
	photos["assessment_mark_photo"] = b
	return photos
}

// photos move-out empties the legacy rows' bytes of every photo table into --photo-dir and exits
// zero; photos check then exits zero, and non-zero naming each row whose blob was deleted.
func TestPhotosMoveOutAndCheckExitCodes(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	dir := filepath.Join(t.TempDir(), "photos")
	photos := legacyPhotoRows(t)
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"photos", "move-out", "--batch", "1", "--photo-dir", dir, "--database-url", url}, &out, &errOut); err != nil {
		t.Fatalf("move-out: %v\n%s%s", err, out.String(), errOut.String())
	}
	store, err := objectstore.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	for table, b := range photos {
		if !strings.Contains(out.String(), table+": 1 moved") {
			t.Fatalf("move-out said %q, nothing of %s", out.String(), table)
		}
		photorowstest.MustBeInStore(t, dbtest.Pool(t), store, table, b)
	}
	out.Reset()
	if err := run(ctx, []string{"photos", "check", "--photo-dir", dir, "--database-url", url}, &out, &errOut); err != nil {
		t.Fatalf("check: %v\n%s", err, errOut.String())
	}
	for table := range photos {
		if !strings.Contains(out.String(), table+": 1 in the store, 0 in the table, 0 problems") {
			t.Fatalf("check said %q, nothing of %s", out.String(), table)
		}
	}
	for _, b := range photos {
		if err := os.Remove(store.Path(objectstore.KeyOf(b))); err != nil {
			t.Fatal(err)
		}
	}
	errOut.Reset()
	err = run(ctx, []string{"photos", "check", "--photo-dir", dir, "--database-url", url}, &out, &errOut)
	if err == nil || exitStatus(err) == 0 {
		t.Fatalf("check with lost blobs: %v, exit %d", err, exitStatus(err))
	}
	for table, b := range photos {
		if !strings.Contains(errOut.String(), table+" row "+objectstore.KeyOf(b).String()) {
			t.Fatalf("check with lost blobs said %q, nothing of %s", errOut.String(), table)
		}
	}
	if err := run(ctx, []string{"photos", "move-out", "--batch", "0", "--photo-dir", dir, "--database-url", url}, &out, &errOut); err == nil {
		t.Fatal("--batch 0 accepted")
	}
}
