package incidents

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"image"
	_ "image/jpeg" // registers the JPEG decoder for image.DecodeConfig
	_ "image/png"  // and the PNG one
	"net/http"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/objectstore"
	"streetchief/internal/photorows"
)

// Photo limits: a phone picture fits comfortably; more is a misuse of the public endpoint.
const (
	MaxPhotoBytes   = 5 << 20
	MaxPhotos       = 6
	maxPhotoPixels  = 100_000_000
	webpHeaderBytes = 12
)

// Photo is one checked image, ready to store.
type Photo struct {
	ContentType   string
	Bytes         []byte
	SHA256        [32]byte
	Width, Height int
}

// CheckPhoto accepts JPEG, PNG and WebP by their content, never by a name or a declared type. i is the
// photo's position, for the error message.
func CheckPhoto(i int, b []byte) (Photo, error) {
	if len(b) == 0 {
		return Photo{}, apperr.New(apperr.Invalid, "photo %d is empty", i).With("field", "photos")
	}
	if len(b) > MaxPhotoBytes {
		return Photo{}, apperr.New(apperr.TooLarge, "photo %d is %d bytes, over the limit of %d", i, len(b), MaxPhotoBytes).With("field", "photos")
	}
	p := Photo{Bytes: b, SHA256: sha256.Sum256(b)}
	if len(b) >= webpHeaderBytes && string(b[0:4]) == "RIFF" && string(b[8:12]) == "WEBP" {
		// The standard library has no WebP decoder; the RIFF container's magic is the check.
		p.ContentType = "image/webp"
		return p, nil
	}
	switch ct := http.DetectContentType(b); ct {
	case "image/jpeg", "image/png":
		cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
		if err != nil || "image/"+format != ct {
			return Photo{}, apperr.New(apperr.Invalid, "photo %d is not a readable %s", i, ct).With("field", "photos")
		}
		if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPhotoPixels {
			return Photo{}, apperr.New(apperr.Invalid, "photo %d is %d×%d pixels; at most %d pixels", i, cfg.Width, cfg.Height, maxPhotoPixels).With("field", "photos")
		}
		p.ContentType, p.Width, p.Height = ct, cfg.Width, cfg.Height
		return p, nil
	default:
		return Photo{}, apperr.New(apperr.Invalid, "photo %d is %s; send JPEG, PNG or WebP", i, ct).With("field", "photos")
	}
}

// CheckPhotos checks a request's photos and their number.
func CheckPhotos(raw [][]byte) ([]Photo, error) {
	if len(raw) > MaxPhotos {
		return nil, apperr.New(apperr.TooLarge, "%d photos; at most %d per request", len(raw), MaxPhotos).With("field", "photos")
	}
	out := make([]Photo, 0, len(raw))
	for i, b := range raw {
		p, err := CheckPhoto(i+1, b)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// attachPhotos stores photos (once per distinct content) and numbers them after the incident's others.
// With an object store, each photo's bytes are put there (durably) before its row is written, so a
// transaction that fails afterwards leaves at most an unreferenced blob, never a row without one.
func (s *Service) attachPhotos(ctx context.Context, tx pgx.Tx, incidentID, eventID int64, photos []Photo) error {
	if len(photos) == 0 {
		return nil
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COALESCE(max(n), 0) FROM incident_photo_ref WHERE incident_id = $1`, incidentID).Scan(&n); err != nil {
		return fmt.Errorf("photos: %w", err)
	}
	for _, p := range photos {
		n++
		rowBytes, size, err := p.PutForRow(ctx, s.photos)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO incident_photo (sha256, content_type, bytes, size_bytes, width, height)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING`, p.SHA256[:], p.ContentType, rowBytes, size,
			p.Width, p.Height); err != nil {
			return fmt.Errorf("store photo: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO incident_photo_ref (incident_id, n, sha256, event_id) VALUES ($1, $2, $3, NULLIF($4, 0))`,
			incidentID, n, p.SHA256[:], eventID); err != nil {
			return fmt.Errorf("attach photo: %w", err)
		}
	}
	return nil
}

// PutForRow puts the photo into store ahead of the row that names it, and returns that row's bytes
// and size_bytes (objectstore.PutForRow). Every package whose photos are incidents.Photo writes them
// through it.
func (p Photo) PutForRow(ctx context.Context, store objectstore.Store) (rowBytes []byte, sizeBytes *int, err error) {
	return objectstore.PutForRow(ctx, store, objectstore.Key(p.SHA256), p.Bytes)
}

// PhotoFile is a stored photo as served.
type PhotoFile struct {
	ContentType string
	SHA256      []byte
	Bytes       []byte
}

// Photo returns photo n of an incident the caller may see.
func (s *Service) Photo(ctx context.Context, who access.Principal, incidentID int64, n int) (PhotoFile, error) {
	if _, err := s.visible(ctx, s.db, who, incidentID); err != nil {
		return PhotoFile{}, err
	}
	var f PhotoFile
	err := s.db.QueryRow(ctx, `SELECT p.content_type, p.sha256, p.bytes FROM incident_photo_ref r
		JOIN incident_photo p ON p.sha256 = r.sha256 WHERE r.incident_id = $1 AND r.n = $2`, incidentID, n).
		Scan(&f.ContentType, &f.SHA256, &f.Bytes)
	if err != nil {
		return f, translate(err, fmt.Sprintf("photo %d of incident %d", n, incidentID))
	}
	f.Bytes, err = objectstore.Resolve(ctx, s.photos, f.SHA256, f.Bytes)
	if err != nil {
		return PhotoFile{}, fmt.Errorf("photo %d of incident %d: %w", n, incidentID, err)
	}
	return f, nil
}

// DecodePhotos reads photos sent in JSON as base64 (a browser's data: URL prefix is allowed), each
// refused before decoding when its text is already too long for MaxPhotoBytes. The bytes still need
// CheckPhotos.
func DecodePhotos(items []string) ([][]byte, error) {
	raw := make([][]byte, 0, len(items))
	for i, s := range items {
		if base64.StdEncoding.DecodedLen(len(s)) > MaxPhotoBytes+3 {
			return nil, apperr.New(apperr.TooLarge, "photo %d is over the limit of %d bytes", i+1, MaxPhotoBytes).With("field", "photos")
		}
		b, err := base64.StdEncoding.DecodeString(stripDataURL(s))
		if err != nil {
			return nil, apperr.New(apperr.Malformed, "photo %d is not base64: %v", i+1, err).With("field", "photos")
		}
		raw = append(raw, b)
	}
	return raw, nil
}

// PhotoTable is incident_photo, for moving its rows' bytes into the store and checking them.
func (s *Service) PhotoTable() photorows.Table {
	return photorows.For(s.db, s.photos, "incident_photo")
}
