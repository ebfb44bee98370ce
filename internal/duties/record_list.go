package duties

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/internal/objectstore"
)

// RecordFilter selects records.
type RecordFilter struct {
	MemberID    int64
	CommunityID int64
	Year        int // 0: any
	Status      Status
	Limit       int // 0: 500; at most 5,000
}

// ListRecords lists the records in scope, newest day first.
func (s *Service) ListRecords(ctx context.Context, who access.Principal, f RecordFilter) ([]Record, error) {
	if f.Limit <= 0 {
		f.Limit = 500
	}
	if f.Limit > 5000 {
		return nil, apperr.New(apperr.Malformed, "limit %d is over 5000", f.Limit).With("field", "limit")
	}
	if f.Status != "" && !containsStatus(f.Status) {
		return nil, apperr.New(apperr.Malformed, "status %q is not one of pending, confirmed, returned, voided", clip(string(f.Status), 40)).With("field", "status")
	}
	pred, args := memberPredicate(who, []any{f.MemberID, f.CommunityID, f.Year, f.Limit, string(f.Status)})
	rows, err := s.db.Query(ctx, `SELECT `+recordColumns+`
		WHERE ($1 = 0 OR r.member_id = $1) AND ($2 = 0 OR r.community_id = $2) AND ($3 = 0 OR extract(year FROM r.day) = $3)
		  AND ($5 = '' OR $5 = CASE WHEN v.id IS NOT NULL THEN 'voided' WHEN d.kind = 'confirm' THEN 'confirmed'
			WHEN d.kind = 'return' THEN 'returned' ELSE 'pending' END)
		  AND `+pred+` ORDER BY r.day DESC, r.id DESC LIMIT $4`, args...)
	if err != nil {
		return nil, fmt.Errorf("list records: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Record, error) { return scanRecord(r) })
	if err != nil {
		return nil, fmt.Errorf("list records: %w", err)
	}
	return out, nil
}

func containsStatus(st Status) bool {
	for _, s := range Statuses {
		if s == st {
			return true
		}
	}
	return false
}

// RecordPhoto returns photo n (from 1) of a record the caller may read.
func (s *Service) RecordPhoto(ctx context.Context, who access.Principal, id int64, n int) (incidents.PhotoFile, error) {
	var f incidents.PhotoFile
	if n < 1 || n > incidents.MaxPhotos {
		return f, apperr.New(apperr.NotFound, "photo %d of record %d not found", n, id)
	}
	if _, err := s.Record(ctx, who, id); err != nil {
		return f, err
	}
	err := s.db.QueryRow(ctx, `SELECT f.content_type, f.sha256, f.bytes FROM duty_record r JOIN duty_file f ON f.sha256 = r.photo_sha256[$2]
		WHERE r.id = $1`, id, n).Scan(&f.ContentType, &f.SHA256, &f.Bytes)
	if errors.Is(err, pgx.ErrNoRows) {
		return f, apperr.New(apperr.NotFound, "photo %d of record %d not found", n, id)
	}
	if err == nil {
		f.Bytes, err = objectstore.Resolve(ctx, s.photos, f.SHA256, f.Bytes)
	}
	if err != nil {
		return incidents.PhotoFile{}, fmt.Errorf("record photo: %w", err)
	}
	return f, nil
}

// RecordsGeoJSON writes the records in scope as a FeatureCollection: each record's point, or the
// point on the surface of its area. Voided records are left out; the map shows what stands.
func (s *Service) RecordsGeoJSON(ctx context.Context, who access.Principal, f RecordFilter) (json.RawMessage, error) {
	if f.Limit <= 0 || f.Limit > 5000 {
		f.Limit = 5000
	}
	pred, args := memberPredicate(who, []any{f.CommunityID, f.Year, f.Limit, f.MemberID})
	var doc []byte
	err := s.db.QueryRow(ctx, `SELECT json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(json_build_object(
			'type', 'Feature', 'id', q.id, 'geometry', ST_AsGeoJSON(q.g, 6)::json,
			'properties', json_build_object('id', q.id, 'member_id', q.member_id, 'name', q.name, 'member_type', q.member_type,
				'kind', q.kind, 'day', q.day, 'hours', q.hours, 'status', q.status)) ORDER BY q.id), '[]'::json))
		FROM (SELECT r.id, r.member_id, p.name, m.member_type, r.kind, r.day, r.hours::float8 AS hours,
				COALESCE(r.location, ST_PointOnSurface(a.geom)) AS g,
				CASE WHEN d.kind = 'confirm' THEN 'confirmed' WHEN d.kind = 'return' THEN 'returned' ELSE 'pending' END AS status
			FROM duty_record r JOIN duty_member m ON m.id = r.member_id
			LEFT JOIN person_directory p ON p.id = m.person_id
			LEFT JOIN area_directory a ON a.id = r.area_id
			LEFT JOIN duty_record_event d ON d.record_id = r.id AND d.kind IN ('confirm', 'return')
			WHERE NOT EXISTS (SELECT 1 FROM duty_record_event v WHERE v.record_id = r.id AND v.kind = 'void')
			  AND ($1 = 0 OR r.community_id = $1) AND ($2 = 0 OR extract(year FROM r.day) = $2) AND ($4 = 0 OR r.member_id = $4) AND `+pred+`
			ORDER BY r.day DESC, r.id DESC LIMIT $3) q`, args...).Scan(&doc)
	if err != nil {
		return nil, fmt.Errorf("records geojson: %w", err)
	}
	return doc, nil
}
