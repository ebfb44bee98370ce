package merchants

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/incidents"
	"streetchief/internal/objectstore"
	"streetchief/internal/photorows"
)

// putPhoto keeps a pledge scan's, an inspection's, a vendor's or a sighting's photo once by content.
// Its bytes go to the object store first (when there is one), then the row that names them is
// written in tx: a failed transaction leaves at most an unreferenced blob.
func (s *Store) putPhoto(ctx context.Context, tx pgx.Tx, p incidents.Photo) error {
	rowBytes, size, err := p.PutForRow(ctx, s.photos)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO merchant_photo (sha256, content_type, bytes, size_bytes, width, height)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING`, p.SHA256[:], p.ContentType, rowBytes,
		size, p.Width, p.Height); err != nil {
		return fmt.Errorf("store photo: %w", err)
	}
	return nil
}

// photoBytes is a merchant_photo row's content: its bytes column, or the store's blob when NULL.
func (s *Store) photoBytes(ctx context.Context, sha, rowBytes []byte) ([]byte, error) {
	b, err := objectstore.Resolve(ctx, s.photos, sha, rowBytes)
	if err != nil {
		return nil, fmt.Errorf("merchant photo: %w", err)
	}
	return b, nil
}

// PhotoTable is merchant_photo, for moving its rows' bytes into the store and checking them.
func (s *Store) PhotoTable() photorows.Table {
	return photorows.For(s.db, s.photos, "merchant_photo")
}
