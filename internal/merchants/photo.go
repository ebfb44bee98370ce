package merchants

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/incidents"
	"streetchief/internal/objectstore"
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

// PhotoTable is the table of merchants' and vendors' photos, for streetchief photos move-out and check
// (internal/photorows); its reads follow a NULL bytes column to the object store.
const PhotoTable = "merchant_photo"
