package tasks

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/internal/objectstore"
	"streetchief/internal/photorows"
)

// TaskPhoto returns photo n (from 1) attached to task id, for who may read the task.
func (s *Service) TaskPhoto(ctx context.Context, who access.Principal, id int64, n int) (incidents.PhotoFile, error) {
	var f incidents.PhotoFile
	if n < 1 || n > incidents.MaxPhotos {
		return f, apperr.New(apperr.NotFound, "photo %d of task %d not found", n, id)
	}
	pred, args := taskPredicate(who, []any{id, n})
	err := s.db.QueryRow(ctx, `SELECT p.content_type, p.sha256, p.bytes FROM task t JOIN task_photo p ON p.sha256 = t.photo_sha256[$2]
		WHERE t.id = $1 AND `+pred, args...).Scan(&f.ContentType, &f.SHA256, &f.Bytes)
	if err == pgx.ErrNoRows {
		return f, apperr.New(apperr.NotFound, "photo %d of task %d not found", n, id)
	}
	if err == nil {
		f.Bytes, err = objectstore.Resolve(ctx, s.photos, f.SHA256, f.Bytes)
	}
	if err != nil {
		return incidents.PhotoFile{}, fmt.Errorf("task photo: %w", err)
	}
	return f, nil
}

// EventPhoto returns photo n (from 1) of a progress report, for who may see its item.
func (s *Service) EventPhoto(ctx context.Context, who access.Principal, id int64, n int) (incidents.PhotoFile, error) {
	var f incidents.PhotoFile
	if n < 1 || n > incidents.MaxPhotos {
		return f, apperr.New(apperr.NotFound, "photo %d of report %d not found", n, id)
	}
	var sub, com int64
	err := s.db.QueryRow(ctx, `SELECT i.subdistrict_id, COALESCE(i.community_id, 0), p.content_type, p.sha256, p.bytes
		FROM task_event e JOIN task_item i ON i.id = e.item_id JOIN task_photo p ON p.sha256 = e.photo_sha256[$2]
		WHERE e.id = $1`, id, n).Scan(&sub, &com, &f.ContentType, &f.SHA256, &f.Bytes)
	if err == pgx.ErrNoRows || err == nil && !seesItem(who, sub, com) {
		return incidents.PhotoFile{}, apperr.New(apperr.NotFound, "photo %d of report %d not found", n, id)
	}
	if err == nil {
		f.Bytes, err = objectstore.Resolve(ctx, s.photos, f.SHA256, f.Bytes)
	}
	if err != nil {
		return incidents.PhotoFile{}, fmt.Errorf("report photo: %w", err)
	}
	return f, nil
}

// storePhotos stores photos by their content hash, each one's bytes in the store before its row, and
// answers the hashes in order.
func (s *Service) storePhotos(ctx context.Context, tx pgx.Tx, photos []incidents.Photo) ([][]byte, error) {
	shas := make([][]byte, len(photos))
	for k, p := range photos {
		rowBytes, size, err := p.PutForRow(ctx, s.photos)
		if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO task_photo (sha256, content_type, bytes, size_bytes, width, height)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING`, p.SHA256[:], p.ContentType, rowBytes, size, p.Width, p.Height); err != nil {
			return nil, fmt.Errorf("store photo: %w", err)
		}
		shas[k] = p.SHA256[:]
	}
	return shas, nil
}

// PhotoTable is task_photo, for moving its rows' bytes into the store and checking them.
func (s *Service) PhotoTable() photorows.Table { return photorows.For(s.db, s.photos, "task_photo") }
