package objectstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// FS keeps each blob as one file, <dir>/<aa>/<bb>/<64 hex digits>, the two levels being the key's
// first two bytes so that no directory grows past a few thousand entries. A file appears under its
// final name only whole and synced (written to a temporary file beside it, fsynced, renamed, and the
// directory fsynced), so a reader on any replica sees a blob completely or not at all — also over
// NFS, where rename within a directory is atomic.
type FS struct {
	dir string
}

// NewFS returns a store under dir, creating the directory if it is missing.
func NewFS(dir string) (*FS, error) {
	if dir == "" {
		return nil, errors.New("objectstore: no directory given")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("objectstore: %w", err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("objectstore: %w", err)
	}
	return &FS{dir: abs}, nil
}

// Dir is the store's directory, for messages and backups.
func (s *FS) Dir() string { return s.dir }

// Path is where the blob under key is (or would be) kept.
func (s *FS) Path(key Key) string {
	h := key.String()
	return filepath.Join(s.dir, h[0:2], h[2:4], h)
}

// Put implements Store.
func (s *FS) Put(ctx context.Context, key Key, b []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if sha256.Sum256(b) != key {
		return fmt.Errorf("put %s: %w", key, ErrCorrupt)
	}
	final := s.Path(key)
	if existing, err := os.ReadFile(final); err == nil && bytes.Equal(existing, b) {
		return nil
	}
	dir := filepath.Dir(final)
	if err := s.mkdirSynced(dir); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-"+key.String()[:16]+"-*")
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // a no-op once renamed
	_, werr := tmp.Write(b)
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("put %s: %w", key, werr)
	}
	if err := os.Chmod(tmpName, 0o640); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	// Two replicas renaming the same content over each other leave the same bytes either way.
	if err := os.Rename(tmpName, final); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// Get implements Store.
func (s *FS) Get(ctx context.Context, key Key) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(s.Path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("get %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	if sha256.Sum256(b) != key {
		return nil, fmt.Errorf("get %s (%d bytes): %w", key, len(b), ErrCorrupt)
	}
	return b, nil
}

// mkdirSynced creates the fan-out directories, syncing each parent that gained an entry so that the
// directory survives a crash along with the file later renamed into it.
func (s *FS) mkdirSynced(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != s.dir {
		if err := s.mkdirSynced(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o750); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return syncDir(parent)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
