package duties

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/internal/objectstore"
	"streetchief/internal/photorows"
)

// Pledge is a member's signed pledge (承诺书) for a period [From, Until). A renewal is a newer pledge;
// the newest whose period holds a day is the one in force then, and the older ones stay on record.
type Pledge struct {
	ID        int64     `json:"id"`
	MemberID  int64     `json:"member_id"`
	SignedOn  time.Time `json:"signed_on"`
	From      time.Time `json:"from"`
	Until     time.Time `json:"until"`
	Items     []string  `json:"items"`
	Body      string    `json:"body,omitempty"`
	HasScan   bool      `json:"has_scan"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	Current   bool      `json:"current"` // in force today and the newest so
}

// PledgeInput is a signing or a renewal as sent.
type PledgeInput struct {
	SignedOn string   `json:"signed_on"` // YYYY-MM-DD, not in the future
	From     string   `json:"from"`      // empty: signed_on
	Until    string   `json:"until"`     // exclusive; empty: a year after from
	Items    []string `json:"items"`
	Body     string   `json:"body"`
	Scan     string   `json:"scan"` // base64 (a data: URL prefix allowed) of an image or a PDF
}

// MaxScanBytes is the largest pledge scan kept.
const MaxScanBytes = 5 << 20

// SignPledge records a pledge the member signed.
func (s *Service) SignPledge(ctx context.Context, who access.Principal, memberID int64, in PledgeInput) (Pledge, error) {
	signed, err := ParseDay("signed_on", in.SignedOn)
	if err != nil {
		return Pledge{}, err
	}
	if signed.After(s.today()) {
		return Pledge{}, invalid("signed_on", "signed_on %s is in the future", in.SignedOn)
	}
	from := signed
	if in.From != "" {
		if from, err = ParseDay("from", in.From); err != nil {
			return Pledge{}, err
		}
		if from.Before(signed) {
			return Pledge{}, invalid("from", "from %s is before the pledge was signed", in.From)
		}
	}
	until := from.AddDate(1, 0, 0)
	if in.Until != "" {
		if until, err = ParseDay("until", in.Until); err != nil {
			return Pledge{}, err
		}
	}
	if !until.After(from) || until.After(from.AddDate(6, 0, 0)) {
		return Pledge{}, invalid("until", "until must be after from and at most six years on (a term)")
	}
	var items []string
	for _, it := range in.Items {
		if it = strings.TrimSpace(it); it != "" {
			if err := checkText("items", it, 200); err != nil {
				return Pledge{}, err
			}
			items = append(items, it)
		}
	}
	if len(items) == 0 || len(items) > 20 {
		return Pledge{}, invalid("items", "a pledge names 1 to 20 items (what the member promises)")
	}
	body := strings.TrimSpace(in.Body)
	if err := checkText("body", body, 4000); err != nil {
		return Pledge{}, err
	}
	var scan *file
	if in.Scan != "" {
		if scan, err = decodeScan(in.Scan); err != nil {
			return Pledge{}, err
		}
	}
	var id int64
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		m, err := s.member(ctx, tx, who, memberID)
		if err != nil {
			return err
		}
		if !registers(who, m.place()) {
			return apperr.New(apperr.Forbidden, "you may record pledges only of members in your own communities")
		}
		var sha []byte
		if scan != nil {
			if sha, err = s.storeFile(ctx, tx, *scan); err != nil {
				return err
			}
		}
		err = tx.QueryRow(ctx, `INSERT INTO duty_pledge (member_id, signed_on, valid_from, valid_until, items, body, scan_sha256, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, memberID, signed, from, until, items, body, sha, who.Label()).Scan(&id)
		return translate(err, "pledge")
	})
	if err != nil {
		return Pledge{}, err
	}
	ps, err := s.Pledges(ctx, access.System("duties"), memberID)
	for _, p := range ps {
		if p.ID == id {
			return p, err
		}
	}
	return Pledge{}, fmt.Errorf("pledge %d vanished: %w", id, err)
}

// Pledges lists a member's pledges, newest first.
func (s *Service) Pledges(ctx context.Context, who access.Principal, memberID int64) ([]Pledge, error) {
	if _, err := s.Member(ctx, who, memberID); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT p.id, p.member_id, p.signed_on, p.valid_from, p.valid_until, p.items, p.body,
			p.scan_sha256 IS NOT NULL, p.created_by, p.created_at,
			p.valid_from <= $2::date AND p.valid_until > $2::date AND NOT EXISTS (SELECT 1 FROM duty_pledge n WHERE n.member_id = p.member_id
				AND n.id > p.id AND n.valid_from <= $2::date AND n.valid_until > $2::date)
		FROM duty_pledge p WHERE p.member_id = $1 ORDER BY p.id DESC`, memberID, s.today())
	if err != nil {
		return nil, fmt.Errorf("pledges: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Pledge, error) {
		var p Pledge
		err := r.Scan(&p.ID, &p.MemberID, &p.SignedOn, &p.From, &p.Until, &p.Items, &p.Body, &p.HasScan, &p.CreatedBy, &p.CreatedAt, &p.Current)
		return p, err
	})
}

// PledgeScan returns the scan of a pledge whose member the caller may read.
func (s *Service) PledgeScan(ctx context.Context, who access.Principal, pledgeID int64) (incidents.PhotoFile, error) {
	var f incidents.PhotoFile
	var memberID int64
	err := s.db.QueryRow(ctx, `SELECT p.member_id, f.content_type, f.sha256, f.bytes FROM duty_pledge p JOIN duty_file f ON f.sha256 = p.scan_sha256
		WHERE p.id = $1`, pledgeID).Scan(&memberID, &f.ContentType, &f.SHA256, &f.Bytes)
	if err == nil {
		_, err = s.Member(ctx, who, memberID)
	}
	if errors.Is(err, pgx.ErrNoRows) || apperr.Is(err, apperr.NotFound) {
		return f, apperr.New(apperr.NotFound, "no scan of pledge %d", pledgeID)
	}
	if err == nil {
		f.Bytes, err = objectstore.Resolve(ctx, s.photos, f.SHA256, f.Bytes)
	}
	if err != nil {
		return incidents.PhotoFile{}, fmt.Errorf("pledge scan: %w", err)
	}
	return f, nil
}

// file is a checked upload: a photo or a pledge scan.
type file struct {
	contentType string
	bytes       []byte
}

// decodeScan reads a scan: an image checked as incidents check photos, or a PDF.
func decodeScan(b64 string) (*file, error) {
	raw, err := incidents.DecodePhotos([]string{b64})
	if err != nil {
		return nil, apperr.New(apperr.CodeOf(err), "scan: %s", apperr.Message(err)).With("field", "scan")
	}
	b := raw[0]
	if bytes.HasPrefix(b, []byte("%PDF-")) {
		if len(b) > MaxScanBytes {
			return nil, apperr.New(apperr.TooLarge, "scan is %d bytes; at most %d", len(b), MaxScanBytes).With("field", "scan")
		}
		return &file{contentType: "application/pdf", bytes: b}, nil
	}
	p, err := incidents.CheckPhoto(1, b)
	if err != nil {
		return nil, apperr.New(apperr.CodeOf(err), "scan (an image or a PDF): %s", apperr.Message(err)).With("field", "scan")
	}
	return &file{contentType: p.ContentType, bytes: p.Bytes}, nil
}

// storeFile keeps a photo or a scan once by content, its bytes in the store before its row, and
// answers its hash.
func (s *Service) storeFile(ctx context.Context, tx pgx.Tx, f file) ([]byte, error) {
	key := objectstore.KeyOf(f.bytes)
	rowBytes, size, err := objectstore.PutForRow(ctx, s.photos, key, f.bytes)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO duty_file (sha256, content_type, bytes, size_bytes) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING`,
		key[:], f.contentType, rowBytes, size); err != nil {
		return nil, translate(err, "file")
	}
	return key[:], nil
}

// PhotoTable is duty_file, for moving its rows' bytes (photos and scans) into the store and checking them.
func (s *Service) PhotoTable() photorows.Table { return photorows.For(s.db, s.photos, "duty_file") }
