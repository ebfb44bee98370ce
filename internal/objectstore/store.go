// Package objectstore keeps blobs addressed by their content: a blob's key is the SHA-256 of its
// bytes. Photos live here instead of in the database, so the database stays small and its backups
// fast; the rows that own a photo keep its hash, content type and size.
//
// Because a key names exactly one content, writing a key twice, or from two servers at once, can only
// ever store the same bytes: Put is idempotent, and no locking is needed between replicas sharing one
// store. Nothing is ever overwritten with other content and nothing is deleted here.
package objectstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// ErrNotFound is returned by Get when the store holds no blob under the key.
var ErrNotFound = errors.New("objectstore: blob not found")

// ErrCorrupt is returned by Get when the stored bytes do not hash to their key (a truncated or
// damaged file), and by Put when the bytes given do not hash to the key given.
var ErrCorrupt = errors.New("objectstore: content does not match its key")

// Key is the SHA-256 of a blob's bytes.
type Key [sha256.Size]byte

// KeyOf returns the key of b.
func KeyOf(b []byte) Key { return sha256.Sum256(b) }

// KeyFromBytes accepts a raw 32-byte hash, as the database keeps it.
func KeyFromBytes(b []byte) (Key, error) {
	var k Key
	if len(b) != len(k) {
		return k, fmt.Errorf("objectstore: a key is %d bytes, not %d", len(k), len(b))
	}
	copy(k[:], b)
	return k, nil
}

// ParseKey accepts a key written as 64 lower-case hex digits, as String writes it.
func ParseKey(s string) (Key, error) {
	var k Key
	if len(s) != 2*len(k) {
		return k, fmt.Errorf("objectstore: key %q is not %d hex digits", s, 2*len(k))
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return k, fmt.Errorf("objectstore: key %q is not lower-case hex", s)
		}
	}
	if _, err := hex.Decode(k[:], []byte(s)); err != nil {
		return k, fmt.Errorf("objectstore: key %q: %w", s, err)
	}
	return k, nil
}

func (k Key) String() string { return hex.EncodeToString(k[:]) }

// Store is where blobs live. Implementations must be safe for concurrent use, by goroutines and by
// several processes sharing the same store.
type Store interface {
	// Put stores b under key once it has checked that key is b's SHA-256 (ErrCorrupt otherwise). When
	// the key is already stored with intact content it does nothing; a damaged copy is replaced. Put
	// returns only once the blob is durable, so a database row naming it may be committed next.
	Put(ctx context.Context, key Key, b []byte) error
	// Get returns the bytes stored under key, checked against the key: ErrNotFound when absent,
	// ErrCorrupt when they do not match (errors.Is works on both).
	Get(ctx context.Context, key Key) ([]byte, error)
}

// Resolve returns a photo's bytes as its row holds them (rows written before the store existed keep
// them), or from the store when the row's bytes are NULL. A NULL row with no store is an error, never
// an empty photo.
func Resolve(ctx context.Context, s Store, sha []byte, rowBytes []byte) ([]byte, error) {
	if rowBytes != nil {
		return rowBytes, nil
	}
	key, err := KeyFromBytes(sha)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, fmt.Errorf("objectstore: blob %s is in the object store, and none is configured", key)
	}
	return s.Get(ctx, key)
}

// PutForRow puts b, whose key is key, into s ahead of the row that will name it, and returns what that
// row's bytes and size_bytes columns get (migration 0045): NULL bytes and b's size when s holds it, or
// b itself and a NULL size when there is no store (s nil). Put returns once the blob is durable, so a
// transaction that fails after it leaves at most an unreferenced blob, never a row without one.
func PutForRow(ctx context.Context, s Store, key Key, b []byte) (rowBytes []byte, sizeBytes *int, err error) {
	if s == nil {
		return b, nil, nil
	}
	if err := s.Put(ctx, key, b); err != nil {
		return nil, nil, fmt.Errorf("store photo: %w", err)
	}
	n := len(b)
	return nil, &n, nil
}
