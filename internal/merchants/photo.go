package merchants

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/incidents"
	"streetchief/internal/objectstore"
	"streetchief/internal/photorows"
)

// putPhoto keeps a pledge scan's, an inspection's, a vendor's or a sighting's photo once by content.
// Its bytes go to the incident service's object store first (when there is one), then the row that
// names them is written in tx: a failed transaction leaves at most an unreferenced blob.
func (s *Store) putPhoto(ctx context.Context, tx pgx.Tx, p incidents.Photo) error {
	rowBytes, err := incidents.PutPhoto(ctx, s.photos(), p)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO merchant_photo (sha256, content_type, bytes, size_bytes, width, height)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING`, p.SHA256[:], p.ContentType, rowBytes,
		incidents.SizeInStore(rowBytes, p), p.Width, p.Height); err != nil {
		return fmt.Errorf("store photo: %w", err)
	}
	return nil
}

// photoBytes is a merchant_photo row's content: its bytes column, or the store's blob when NULL.
func (s *Store) photoBytes(ctx context.Context, sha, rowBytes []byte) ([]byte, error) {
	b, err := objectstore.Resolve(ctx, s.photos(), sha, rowBytes)
	if err != nil {
		return nil, fmt.Errorf("merchant photo: %w", err)
	}
	return b, nil
}

// photos is the object store merchants share with incidents (nil: photos in the rows).
func (s *Store) photos() objectstore.Store {
	if s.incidents == nil {
		return nil
	}
	return s.incidents.PhotoStore()
}

// MoveOutPhotos moves the bytes of merchant photos written before the object store into it, batch
// rows at a time (photorows.MoveOut); the rows stay, with their hash, type and size.
func (s *Store) MoveOutPhotos(ctx context.Context, batch int, report func(error)) (photorows.Moved, error) {
	if s.photos() == nil {
		return photorows.Moved{}, errors.New("merchant photos: no object store to move them to")
	}
	return photorows.MoveOut(ctx, s.db, s.photos(), "merchant_photo", batch, report)
}

// CheckPhotoStore reports every merchant photo whose blob is missing or corrupt (photorows.Check).
func (s *Store) CheckPhotoStore(ctx context.Context, report func(error)) (photorows.Checked, error) {
	if s.photos() == nil {
		return photorows.Checked{}, errors.New("merchant photos: no object store to check")
	}
	return photorows.Check(ctx, s.db, s.photos(), "merchant_photo", report)
}
