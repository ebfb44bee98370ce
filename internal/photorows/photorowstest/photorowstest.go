// Package photorowstest is for the tests of the packages owning a photo table: it opens an object
// store in the test's own directory, makes photos, and checks in the real database where a photo's
// bytes went and that its owner serves them only whole. It is imported by tests only.
package photorowstest

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/incidents"
	"streetchief/internal/objectstore"
)

// NewStore opens an empty object store in the test's temporary directory.
func NewStore(tb testing.TB) *objectstore.FS {
	tb.Helper()
	s, err := objectstore.NewFS(filepath.Join(tb.TempDir(), "photos"))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// PNG is a blank image of width × height pixels: photos of different sizes have different bytes.
func PNG(tb testing.TB, width, height int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, width, height))); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// Photo is PNG(width, height) checked as every owner checks a photo sent to it.
func Photo(tb testing.TB, width, height int) incidents.Photo {
	tb.Helper()
	p, err := incidents.CheckPhoto(1, PNG(tb, width, height))
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// MustBeInStore fails the test unless every row of table holding photo b has NULL bytes and b's size,
// and store holds b whole under its hash.
func MustBeInStore(tb testing.TB, db *pgxpool.Pool, store *objectstore.FS, table string, b []byte) {
	tb.Helper()
	for _, r := range mustRows(tb, db, table, b) {
		if r.Bytes != nil || r.Size == nil || *r.Size != len(b) {
			tb.Fatalf("%s row of photo %s: %d bytes in the row and size_bytes %v, want none and %d", table, objectstore.KeyOf(b), len(r.Bytes), r.Size, len(b))
		}
	}
	got, err := store.Get(context.Background(), objectstore.KeyOf(b))
	if err != nil || !bytes.Equal(got, b) {
		tb.Fatalf("the store's photo %s: %d bytes, %v", objectstore.KeyOf(b), len(got), err)
	}
}

// MustBeInRow fails the test unless every row of table holding photo b keeps b in its bytes column.
func MustBeInRow(tb testing.TB, db *pgxpool.Pool, table string, b []byte) {
	tb.Helper()
	for _, r := range mustRows(tb, db, table, b) {
		if !bytes.Equal(r.Bytes, b) || r.Size != nil {
			tb.Fatalf("%s row of photo %s: %d bytes in the row and size_bytes %v, want the photo's %d and none", table, objectstore.KeyOf(b), len(r.Bytes), r.Size, len(b))
		}
	}
}

// MustBeUnreferenced fails the test unless store holds photo b and table has no row of it: a write
// that failed after putting its photo leaves at most an unreferenced blob, never a row.
func MustBeUnreferenced(tb testing.TB, db *pgxpool.Pool, store *objectstore.FS, table string, b []byte) {
	tb.Helper()
	key := objectstore.KeyOf(b)
	if _, err := store.Get(context.Background(), key); err != nil {
		tb.Fatalf("photo %s was not put before the write failed (%v): the failure tests nothing here", key, err)
	}
	var n int
	if err := db.QueryRow(context.Background(), `SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()+` WHERE sha256 = $1`, key[:]).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	if n != 0 {
		tb.Fatalf("%s kept %d rows of photo %s from a write that failed", table, n, key)
	}
}

// MustServeFromStore fails the test unless read (the owner's read of photo b, with store) answers b
// byte for byte, readWithoutStore (the same read by the owner given no store) refuses it, and, once
// the test has truncated b's blob in store as a disk fault might, read refuses it with ErrCorrupt
// rather than serve part of it. The blob stays damaged.
func MustServeFromStore(tb testing.TB, store *objectstore.FS, b []byte, read, readWithoutStore func() (incidents.PhotoFile, error)) {
	tb.Helper()
	if f, err := read(); err != nil || !bytes.Equal(f.Bytes, b) {
		tb.Fatalf("photo read back: %d bytes, %v; want its %d", len(f.Bytes), err, len(b))
	}
	if f, err := readWithoutStore(); err == nil {
		tb.Fatalf("an owner without the object store served %d bytes of a photo that is only there", len(f.Bytes))
	}
	if err := os.Truncate(store.Path(objectstore.KeyOf(b)), int64(len(b)/2)); err != nil {
		tb.Fatal(err)
	}
	if f, err := read(); !errors.Is(err, objectstore.ErrCorrupt) || f.Bytes != nil {
		tb.Fatalf("a damaged photo: %d bytes, %v; want ErrCorrupt", len(f.Bytes), err)
	}
}

type row struct {
	Bytes []byte
	Size  *int
}

// mustRows are the rows of table holding photo b; none fails the test.
func mustRows(tb testing.TB, db *pgxpool.Pool, table string, b []byte) []row {
	tb.Helper()
	key := objectstore.KeyOf(b)
	rows, err := db.Query(context.Background(), `SELECT bytes, size_bytes FROM `+pgx.Identifier{table}.Sanitize()+` WHERE sha256 = $1`, key[:])
	if err != nil {
		tb.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[row])
	if err != nil {
		tb.Fatal(err)
	}
	if len(got) == 0 {
		tb.Fatalf("%s has no row of photo %s", table, key)
	}
	return got
}
