package assessment

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/incidents"
	"streetchief/internal/objectstore"
	"streetchief/internal/photorows"
)

// insertMarkPhotos keeps a mark's photos in order, each one's bytes in the store before its row.
func (s *Service) insertMarkPhotos(ctx context.Context, tx pgx.Tx, markID int64, photos []incidents.Photo) error {
	for i, p := range photos {
		rowBytes, size, err := p.PutForRow(ctx, s.photos)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO assessment_mark_photo (mark_id, seq, content_type, sha256, bytes, size_bytes)
			VALUES ($1, $2, $3, $4, $5, $6)`, markID, i+1, p.ContentType, p.SHA256[:], rowBytes, size); err != nil {
			return wrap("mark photo", err)
		}
	}
	return nil
}

// MarkPhoto returns photo n (from 1) of mark id: for those who read results, a street chief's only
// of their own subdistricts, as with a draft's rows.
func (s *Service) MarkPhoto(ctx context.Context, who access.Principal, id int64, n int) (incidents.PhotoFile, error) {
	var f incidents.PhotoFile
	if err := may(who, "read"); err != nil {
		return f, err
	}
	var sub int64
	err := s.db.QueryRow(ctx, `SELECT m.subdistrict_id, p.content_type, p.sha256, p.bytes FROM assessment_mark m
		JOIN assessment_mark_photo p ON p.mark_id = m.id WHERE m.id = $1 AND p.seq = $2`, id, n).Scan(&sub, &f.ContentType, &f.SHA256, &f.Bytes)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && !seesAll(who) && !slices.Contains(who.Scope.Subdistricts, sub) {
		return incidents.PhotoFile{}, notFound("photo %d of mark %d not found", n, id)
	}
	if err == nil {
		f.Bytes, err = objectstore.Resolve(ctx, s.photos, f.SHA256, f.Bytes)
	}
	if err != nil {
		return incidents.PhotoFile{}, fmt.Errorf("mark photo: %w", err)
	}
	return f, nil
}

// PhotoTable is assessment_mark_photo, for moving its rows' bytes into the store and checking them.
func (s *Service) PhotoTable() photorows.Table {
	return photorows.For(s.db, s.photos, "assessment_mark_photo")
}
