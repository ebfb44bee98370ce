package photorows_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"streetchief/internal/dbtest"
	"streetchief/internal/objectstore"
	"streetchief/internal/photorows"
)

func TestMain(m *testing.M) {
	// The benchmark's store lasts the whole run (see BenchmarkMoveOut) and goes with it.
	dbtest.Main(m, func() { os.RemoveAll(benchDir) })
}

// legacyRow writes a photo row as every row was before migration 0045: bytes in the table.
func legacyRow(t *testing.T, table string, b []byte) [32]byte {
	t.Helper()
	sum := sha256.Sum256(b)
	_, err := dbtest.Pool(t).Exec(context.Background(), `INSERT INTO `+table+` (sha256, content_type, bytes) VALUES ($1, 'image/png', $2)`, sum[:], b)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func inTable(t *testing.T, table string, sum [32]byte) (rowBytes []byte, size *int) {
	t.Helper()
	if err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT bytes, size_bytes FROM `+table+` WHERE sha256 = $1`, sum[:]).Scan(&rowBytes, &size); err != nil {
		t.Fatal(err)
	}
	return rowBytes, size
}

func TestMoveOutMovesLegacyRowsBatchByBatchAndCheckFindsALostBlob(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	store, err := objectstore.NewFS(filepath.Join(t.TempDir(), "photos"))
	if err != nil {
		t.Fatal(err)
	}
	var contents [][]byte
	var sums [][32]byte
	for i := range 5 {
		b := []byte(fmt.Sprintf("legacy photo %d of the incident table", i))
		contents = append(contents, b)
		sums = append(sums, legacyRow(t, "incident_photo", b))
	}
	shop := []byte("a pledge scan from before")
	shopSum := legacyRow(t, "merchant_photo", shop)
	// A row whose bytes were damaged in the database is left there and reported.
	damaged := sha256.Sum256([]byte("what it once was"))
	if _, err := pool.Exec(ctx, `INSERT INTO incident_photo (sha256, content_type, bytes) VALUES ($1, 'image/png', 'not that')`, damaged[:]); err != nil {
		t.Fatal(err)
	}

	var reported []error
	report := func(err error) { reported = append(reported, err) }
	m, err := photorows.For(pool, store, "incident_photo").MoveOut(ctx, 2, report)
	if err != nil {
		t.Fatal(err)
	}
	if m.Moved != 5 || m.Failed != 1 || len(reported) != 1 {
		t.Fatalf("moved %+v, reported %v", m, reported)
	}
	for i, sum := range sums {
		rowBytes, size := inTable(t, "incident_photo", sum)
		if rowBytes != nil || size == nil || *size != len(contents[i]) {
			t.Fatalf("row %d: %d bytes left, size %v", i, len(rowBytes), size)
		}
		if got, err := store.Get(ctx, objectstore.Key(sum)); err != nil || !bytes.Equal(got, contents[i]) {
			t.Fatalf("blob %d: %v", i, err)
		}
	}
	if rowBytes, _ := inTable(t, "incident_photo", damaged); string(rowBytes) != "not that" {
		t.Fatalf("the damaged row was changed: %q", rowBytes)
	}
	if b, _ := inTable(t, "merchant_photo", shopSum); !bytes.Equal(b, shop) {
		t.Fatal("moving one table touched another")
	}

	// Run again, as after an interruption: nothing left to move but the damaged row.
	reported = nil
	if m, err := photorows.For(pool, store, "incident_photo").MoveOut(ctx, 2, report); err != nil || m.Moved != 0 || m.Failed != 1 {
		t.Fatalf("second run %+v, %v", m, err)
	}
	if m, err := photorows.For(pool, store, "merchant_photo").MoveOut(ctx, 500, report); err != nil || m.Moved != 1 {
		t.Fatalf("merchant photos %+v, %v", m, err)
	}

	// Check: the damaged row, then a deleted blob and a truncated one.
	reported = nil
	c, err := photorows.For(pool, store, "incident_photo").Check(ctx, report)
	if err != nil || c.InStore != 5 || c.Problems != 1 {
		t.Fatalf("check %+v, %v, %v", c, err, reported)
	}
	if err := os.Remove(store.Path(objectstore.Key(sums[1]))); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(store.Path(objectstore.Key(sums[3])), 3); err != nil {
		t.Fatal(err)
	}
	reported = nil
	c, err = photorows.For(pool, store, "incident_photo").Check(ctx, report)
	if err != nil || c.Problems != 3 || len(reported) != 3 {
		t.Fatalf("check %+v, %v, %v", c, err, reported)
	}
	var rows int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM incident_photo`).Scan(&rows); err != nil || rows != 6 {
		t.Fatalf("%d rows after moving and checking, want all 6 (%v)", rows, err)
	}
}
