package objectstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func newTestFS(t *testing.T) *FS {
	t.Helper()
	s, err := NewFS(filepath.Join(t.TempDir(), "photos"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFSPutGetRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := newTestFS(t)
	b := []byte("\xff\xd8\xff a photo's bytes")
	k := KeyOf(b)
	if err := s.Put(ctx, k, b); err != nil {
		t.Fatal(err)
	}
	h := k.String()
	if want := filepath.Join(s.Dir(), h[:2], h[2:4], h); s.Path(k) != want {
		t.Fatalf("path %s, want %s", s.Path(k), want)
	}
	got, err := s.Get(ctx, k)
	if err != nil || !bytes.Equal(got, b) {
		t.Fatalf("get = %q, %v", got, err)
	}
	// Again: idempotent, and it leaves no temporary file behind.
	if err := s.Put(ctx, k, b); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Dir(s.Path(k)))
	if err != nil || len(entries) != 1 {
		t.Fatalf("directory holds %v (%v), want the one blob", entries, err)
	}
}

func TestFSPutRefusesBytesNotMatchingTheKey(t *testing.T) {
	s := newTestFS(t)
	err := s.Put(context.Background(), KeyOf([]byte("one")), []byte("another"))
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", err)
	}
	if _, err := os.Stat(s.Path(KeyOf([]byte("one")))); !os.IsNotExist(err) {
		t.Fatalf("a refused put left a file: %v", err)
	}
}

func TestFSGetMissingIsNotFound(t *testing.T) {
	_, err := newTestFS(t).Get(context.Background(), KeyOf([]byte("never stored")))
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestFSGetReportsTruncatedAndDamagedFiles(t *testing.T) {
	ctx := context.Background()
	s := newTestFS(t)
	b := bytes.Repeat([]byte("pixels "), 1000)
	k := KeyOf(b)
	if err := s.Put(ctx, k, b); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(s.Path(k), int64(len(b)/2)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, k); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("truncated: err = %v, want ErrCorrupt", err)
	}
	damaged := bytes.Clone(b)
	damaged[10] ^= 1
	if err := os.WriteFile(s.Path(k), damaged, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, k); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("damaged: err = %v, want ErrCorrupt", err)
	}
	// Putting the right bytes again repairs it.
	if err := s.Put(ctx, k, b); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, k); err != nil || !bytes.Equal(got, b) {
		t.Fatalf("after repair: %d bytes, %v", len(got), err)
	}
}

// Several writers of the same content, as replicas sharing one directory would be, all succeed and
// leave one whole file; writers of different content do not disturb each other.
func TestFSConcurrentPuts(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "shared")
	same := bytes.Repeat([]byte("same content "), 50_000)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := NewFS(dir) // each as its own server would open it
			if err != nil {
				errs <- err
				return
			}
			if err := s.Put(ctx, KeyOf(same), same); err != nil {
				errs <- err
			}
			own := []byte(fmt.Sprintf("writer %d", i))
			if err := s.Put(ctx, KeyOf(own), own); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	s, _ := NewFS(dir)
	if got, err := s.Get(ctx, KeyOf(same)); err != nil || !bytes.Equal(got, same) {
		t.Fatalf("shared blob: %d bytes, %v", len(got), err)
	}
	for i := range 32 {
		own := []byte(fmt.Sprintf("writer %d", i))
		if got, err := s.Get(ctx, KeyOf(own)); err != nil || !bytes.Equal(got, own) {
			t.Fatalf("writer %d: %q, %v", i, got, err)
		}
	}
	leftovers := 0
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".tmp-") {
			leftovers++
		}
		return nil
	})
	if leftovers != 0 {
		t.Fatalf("%d temporary files left", leftovers)
	}
}

func TestParseKeyRefusesMalformedKeys(t *testing.T) {
	good := KeyOf([]byte("x")).String()
	if k, err := ParseKey(good); err != nil || k.String() != good {
		t.Fatalf("ParseKey(%s) = %s, %v", good, k, err)
	}
	for _, bad := range []string{"", "abc", strings.ToUpper(good), good[:63] + "g", "../" + good[3:], good + "0"} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
	if _, err := KeyFromBytes(make([]byte, 31)); err == nil {
		t.Error("KeyFromBytes accepted 31 bytes")
	}
}

func TestResolvePrefersTheRowAndRefusesANullRowWithoutAStore(t *testing.T) {
	ctx := context.Background()
	b := []byte("legacy")
	k := KeyOf(b)
	if got, err := Resolve(ctx, nil, k[:], b); err != nil || !bytes.Equal(got, b) {
		t.Fatalf("row bytes: %q, %v", got, err)
	}
	if _, err := Resolve(ctx, nil, k[:], nil); err == nil {
		t.Fatal("a NULL row with no store resolved")
	}
	s := newTestFS(t)
	if _, err := Resolve(ctx, s, k[:], nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if err := s.Put(ctx, k, b); err != nil {
		t.Fatal(err)
	}
	if got, err := Resolve(ctx, s, k[:], nil); err != nil || !bytes.Equal(got, b) {
		t.Fatalf("from the store: %q, %v", got, err)
	}
}
