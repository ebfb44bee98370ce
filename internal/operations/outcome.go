package operations

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/incidents"
	"streetchief/internal/objectstore"
	"streetchief/internal/photorows"
)

// Outcome is what an operation achieved, as recorded; the newest one of an operation is in force.
type Outcome struct {
	ID         int64       `json:"id"`
	RecordedAt time.Time   `json:"recorded_at"`
	RecordedBy string      `json:"recorded_by"`
	Notes      string      `json:"notes"`
	Shops      []ShopDealt `json:"shops"`
	Photos     []string    `json:"photos"` // paths of the photos
	CorrectsID int64       `json:"corrects_id,omitempty"`
	Reason     string      `json:"reason,omitempty"`
}

// RecordOutcome records what operation id achieved. The first outcome closes the operation (done);
// a later one corrects the one in force and must say why (reason). An operation not yet begun, or
// cancelled, has no outcome; shops named must be its targets.
func (s *Store) RecordOutcome(ctx context.Context, who access.Principal, id int64, in OutcomeInput) (Operation, error) {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		h, err := s.lockForChange(ctx, tx, who, id)
		if err != nil {
			return err
		}
		switch st := h.state(s.now()); st {
		case StatePlanned:
			return apperr.New(apperr.Conflict, "operation %d has not begun (it starts at %s); record its outcome once it has", id, h.starts.In(Beijing).Format("2006-01-02 15:04"))
		case StateCancelled:
			return apperr.New(apperr.Conflict, "operation %d was cancelled; it has no outcome", id)
		}
		var current int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(max(id), 0) FROM operation_outcome WHERE operation_id = $1`, id).Scan(&current); err != nil {
			return fmt.Errorf("current outcome: %w", err)
		}
		if current != 0 && strings.TrimSpace(in.Reason) == "" {
			return invalid("reason", "operation %d already has an outcome (%d): a new one corrects it and needs a reason", id, current)
		}
		if current == 0 && in.Reason != "" {
			return invalid("reason", "reason is for an outcome that corrects an earlier one; operation %d has none yet", id)
		}
		targets, err := collect(ctx, s, `SELECT merchant_id FROM operation_merchant WHERE operation_id = $1`, id, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("target shops: %w", err)
		}
		if err := shopsAreTargets(in.Shops, targets); err != nil {
			return err
		}
		_, err = s.insertOutcome(ctx, tx, who, id, in, current)
		return err
	})
	if err != nil {
		return Operation{}, err
	}
	return s.Get(ctx, who, id)
}

// insertOutcome stores the photos and the outcome; corrects is the outcome it replaces, or 0.
// A photo's bytes go to the store before its row (incidents.Photo.PutForRow).
func (s *Store) insertOutcome(ctx context.Context, tx pgx.Tx, who access.Principal, opID int64, in OutcomeInput, corrects int64) (int64, error) {
	shas := make([][]byte, len(in.Photos))
	for k, p := range in.Photos {
		rowBytes, size, err := p.PutForRow(ctx, s.photos)
		if err != nil {
			return 0, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO operation_photo (sha256, content_type, bytes, size_bytes, width, height)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING`, p.SHA256[:], p.ContentType, rowBytes, size, p.Width, p.Height); err != nil {
			return 0, fmt.Errorf("store photo: %w", err)
		}
		shas[k] = p.SHA256[:]
	}
	var reason any
	if corrects != 0 {
		reason = strings.TrimSpace(in.Reason)
	}
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO operation_outcome (operation_id, recorded_by, notes, photo_sha256, corrects_id, reason)
		VALUES ($1, $2, $3, $4, NULLIF($5, 0), $6) RETURNING id`, opID, who.Label(), in.Notes, shas, corrects, reason).Scan(&id); err != nil {
		return 0, fmt.Errorf("insert outcome: %w", err)
	}
	merchants := make([]int64, len(in.Shops))
	dealt := make([]string, len(in.Shops))
	for i, sh := range in.Shops {
		merchants[i], dealt[i] = sh.MerchantID, string(sh.Dealt)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO operation_outcome_shop (outcome_id, merchant_id, dealt)
		SELECT $1, m, d FROM unnest($2::bigint[], $3::text[]) AS u(m, d)`, id, merchants, dealt); err != nil {
		return 0, fmt.Errorf("insert outcome shops: %w", err)
	}
	after := map[string]any{"operation_id": opID, "notes": in.Notes, "shops": in.Shops, "photos": len(in.Photos), "corrects_id": corrects, "reason": reason}
	if err := audit.Record(ctx, tx, who, audit.Create, "operation_outcome", id, nil, after); err != nil {
		return 0, err
	}
	return id, nil
}

func (s *Store) fillOutcomes(ctx context.Context, op *Operation) error {
	var err error
	op.Outcomes, err = collect(ctx, s, `SELECT id, recorded_at, recorded_by, notes, cardinality(photo_sha256), COALESCE(corrects_id, 0), COALESCE(reason, '')
		FROM operation_outcome WHERE operation_id = $1 ORDER BY id DESC`, op.ID, func(r pgx.CollectableRow) (Outcome, error) {
		var o Outcome
		var photos int
		err := r.Scan(&o.ID, &o.RecordedAt, &o.RecordedBy, &o.Notes, &photos, &o.CorrectsID, &o.Reason)
		o.Photos = make([]string, photos)
		for k := range o.Photos {
			o.Photos[k] = fmt.Sprintf("/api/v1/operation-outcomes/%d/photos/%d", o.ID, k+1)
		}
		return o, err
	})
	if err != nil {
		return err
	}
	for i := range op.Outcomes {
		o := &op.Outcomes[i]
		if o.Shops, err = collect(ctx, s, `SELECT merchant_id, dealt FROM operation_outcome_shop WHERE outcome_id = $1 ORDER BY merchant_id`, o.ID,
			func(r pgx.CollectableRow) (ShopDealt, error) {
				var d ShopDealt
				return d, r.Scan(&d.MerchantID, &d.Dealt)
			}); err != nil {
			return err
		}
	}
	if len(op.Outcomes) > 0 {
		op.Outcome = &op.Outcomes[0]
	}
	return nil
}

// OutcomePhoto returns photo n (from 1) of an outcome of an operation who may read.
func (s *Store) OutcomePhoto(ctx context.Context, who access.Principal, outcomeID int64, n int) (incidents.PhotoFile, error) {
	var f incidents.PhotoFile
	if n < 1 || n > incidents.MaxPhotos {
		return f, apperr.New(apperr.NotFound, "photo %d of outcome %d not found", n, outcomeID)
	}
	where, args := readPredicate(who, []any{outcomeID, n})
	err := s.db.QueryRow(ctx, `SELECT p.content_type, p.sha256, p.bytes FROM operation_outcome x
		JOIN operation o ON o.id = x.operation_id JOIN operation_photo p ON p.sha256 = x.photo_sha256[$2]
		WHERE x.id = $1 AND `+where, args...).Scan(&f.ContentType, &f.SHA256, &f.Bytes)
	if err == pgx.ErrNoRows {
		return f, apperr.New(apperr.NotFound, "photo %d of outcome %d not found", n, outcomeID)
	}
	if err == nil {
		f.Bytes, err = objectstore.Resolve(ctx, s.photos, f.SHA256, f.Bytes)
	}
	if err != nil {
		return incidents.PhotoFile{}, fmt.Errorf("outcome photo: %w", err)
	}
	return f, nil
}

// PhotoTable is operation_photo, for moving its rows' bytes into the store and checking them.
func (s *Store) PhotoTable() photorows.Table { return photorows.For(s.db, s.photos, "operation_photo") }
