package merchants

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/incidents"
)

// Pledge is a signed 门前三包责任书 for a period [From, Until). A renewal is a new pledge; when it begins
// inside the one before, the one before ends where it begins.
type Pledge struct {
	ID              int64
	MerchantID      int64
	SignedOn        time.Time
	From            time.Time
	Until           *time.Time // exclusive; nil: open-ended
	Items           []string
	SignerName      string
	WitnessPersonID int64
	WitnessName     string
	HasScan         bool
	Note            string
	CreatedAt       time.Time
	VoidedAt        *time.Time
	VoidReason      string
	Current         bool // the period holds the day asked about (today unless said)
}

// PledgeInput is a signing or a renewal.
type PledgeInput struct {
	SignedOn        time.Time  // a Beijing date; not in the future
	From            time.Time  // zero: SignedOn
	Until           *time.Time // nil: a year after From
	Items           []string   // nil: all three
	SignerName      string
	WitnessPersonID int64 // the official who saw it signed; 0: none named
	Scan            []byte
	Note            string
}

const pledgeColumns = `p.id, p.merchant_id, p.signed_on, lower(p.valid), upper(p.valid), p.items, p.signer_name,
	COALESCE(p.witness_person_id, 0), COALESCE(w.name, ''), p.scan_sha256 IS NOT NULL, p.note, p.created_at, p.voided_at,
	COALESCE(p.void_reason, ''), p.voided_at IS NULL AND p.valid @> $1::date
	FROM merchant_pledge p LEFT JOIN person_directory w ON w.id = p.witness_person_id`

func scanPledge(row pgx.Row) (Pledge, error) {
	var p Pledge
	err := row.Scan(&p.ID, &p.MerchantID, &p.SignedOn, &p.From, &p.Until, &p.Items, &p.SignerName, &p.WitnessPersonID,
		&p.WitnessName, &p.HasScan, &p.Note, &p.CreatedAt, &p.VoidedAt, &p.VoidReason, &p.Current)
	return p, err
}

// SignPledge records a pledge signed by the shop. A standing pledge whose period the new one begins
// in ends the day the new one begins (a renewal); one that would begin after it is a conflict.
func (s *Store) SignPledge(ctx context.Context, who access.Principal, merchantID int64, in PledgeInput) (Pledge, error) {
	if !who.CanChangeFieldData() {
		return Pledge{}, apperr.New(apperr.Forbidden, "your role may not record pledges")
	}
	today := beijingDay(time.Now())
	if in.SignedOn.IsZero() {
		return Pledge{}, apperr.New(apperr.Invalid, "signed_on is required").With("field", "signed_on")
	}
	if in.SignedOn.After(today) {
		return Pledge{}, apperr.New(apperr.Invalid, "signed_on %s is in the future", in.SignedOn.Format(time.DateOnly)).With("field", "signed_on")
	}
	if in.From.IsZero() {
		in.From = in.SignedOn
	}
	if in.From.Before(in.SignedOn) {
		return Pledge{}, apperr.New(apperr.Invalid, "from %s is before the pledge was signed", in.From.Format(time.DateOnly)).With("field", "from")
	}
	if in.Until == nil {
		u := in.From.AddDate(1, 0, 0)
		in.Until = &u
	}
	if !in.Until.After(in.From) || in.Until.After(in.From.AddDate(10, 0, 0)) {
		return Pledge{}, apperr.New(apperr.Invalid, "until must be after from and at most ten years on").With("field", "until")
	}
	if in.Items == nil {
		in.Items = PledgeItems
	}
	if len(in.Items) == 0 {
		return Pledge{}, apperr.New(apperr.Invalid, "items: name at least one of %s", strings.Join(PledgeItems, ", ")).With("field", "items")
	}
	for _, it := range in.Items {
		if !slices.Contains(PledgeItems, it) {
			return Pledge{}, apperr.New(apperr.Invalid, "item %q is not one of %s", clip(it, 40), strings.Join(PledgeItems, ", ")).With("field", "items")
		}
	}
	if err := checkText("signer_name", in.SignerName, maxContact); err != nil {
		return Pledge{}, err
	}
	if err := checkText("note", in.Note, maxNote); err != nil {
		return Pledge{}, err
	}
	var scan *incidents.Photo
	if in.Scan != nil {
		p, err := incidents.CheckPhoto(1, in.Scan)
		if err != nil {
			return Pledge{}, apperr.New(apperr.CodeOf(err), "scan: %s", apperr.Message(err)).With("field", "scan")
		}
		scan = &p
	}
	var out Pledge
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		m, err := lockInScope(ctx, tx, who, merchantID)
		if err != nil {
			return err
		}
		if m.Status != Open {
			return apperr.New(apperr.Conflict, "merchant %d is %s since %s: a pledge is for a shop that trades", m.ID, m.Status, m.StatusSince.Format(time.DateOnly))
		}
		if in.WitnessPersonID != 0 {
			if err := activePerson(ctx, tx, in.WitnessPersonID, "witness_person_id"); err != nil {
				return err
			}
		}
		var sha []byte
		if scan != nil {
			sha = scan.SHA256[:]
			if err := s.putPhoto(ctx, tx, *scan); err != nil {
				return translate(err, "scan")
			}
		}
		// A renewal: the standing pledge the new one begins in ends where it begins.
		var prevID int64
		err = tx.QueryRow(ctx, `UPDATE merchant_pledge SET valid = daterange(lower(valid), $2::date)
			WHERE merchant_id = $1 AND voided_at IS NULL AND valid @> $2::date AND lower(valid) < $2::date RETURNING id`,
			merchantID, in.From).Scan(&prevID)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return translate(err, "pledge")
		}
		var id int64
		err = tx.QueryRow(ctx, `INSERT INTO merchant_pledge (merchant_id, signed_on, valid, items, signer_name, witness_person_id,
				scan_sha256, note, created_by_user_id)
			VALUES ($1, $2, daterange($3::date, $4::date), $5, $6, NULLIF($7, 0), $8, $9, NULLIF($10, 0)) RETURNING id`,
			merchantID, in.SignedOn, in.From, *in.Until, in.Items, strings.TrimSpace(in.SignerName), in.WitnessPersonID, sha,
			in.Note, who.UserID).Scan(&id)
		if err != nil {
			err = translate(err, "pledge")
			if apperr.Is(err, apperr.Conflict) {
				return apperr.New(apperr.Conflict, "the shop has a pledge that begins on or after %s; void it first if it was a mistake", in.From.Format(time.DateOnly))
			}
			return err
		}
		if out, err = scanPledge(tx.QueryRow(ctx, `SELECT `+pledgeColumns+` WHERE p.id = $2`, today, id)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Create, "merchant_pledge", id, nil, map[string]any{"merchant_id": merchantID,
			"signed_on": in.SignedOn.Format(time.DateOnly), "from": in.From.Format(time.DateOnly), "until": in.Until.Format(time.DateOnly),
			"items": in.Items, "witness_person_id": in.WitnessPersonID, "renews": prevID})
	})
	return out, err
}

// Pledges lists a shop's pledges, voided ones too, newest first; Current marks the one whose period
// holds on (today when zero).
func (s *Store) Pledges(ctx context.Context, who access.Principal, merchantID int64, on time.Time) ([]Pledge, error) {
	if _, err := s.Merchant(ctx, who, merchantID); err != nil {
		return nil, err
	}
	if on.IsZero() {
		on = beijingDay(time.Now())
	}
	rows, err := s.db.Query(ctx, `SELECT `+pledgeColumns+` WHERE p.merchant_id = $2 ORDER BY lower(p.valid) DESC, p.id DESC`, on, merchantID)
	if err != nil {
		return nil, fmt.Errorf("pledges: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Pledge, error) { return scanPledge(r) })
}

// VoidPledge marks a pledge entered by mistake; it stays on record with the reason.
func (s *Store) VoidPledge(ctx context.Context, who access.Principal, pledgeID int64, reason string) (Pledge, error) {
	if !who.CanChangeFieldData() {
		return Pledge{}, apperr.New(apperr.Forbidden, "your role may not void pledges")
	}
	if err := checkReason(reason); err != nil {
		return Pledge{}, err
	}
	var out Pledge
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var merchantID int64
		var voided *time.Time
		err := tx.QueryRow(ctx, `SELECT merchant_id, voided_at FROM merchant_pledge WHERE id = $1 FOR UPDATE`, pledgeID).Scan(&merchantID, &voided)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.New(apperr.NotFound, "pledge %d not found", pledgeID)
		}
		if err != nil {
			return err
		}
		if _, err := lockInScope(ctx, tx, who, merchantID); err != nil {
			return apperr.New(apperr.NotFound, "pledge %d not found", pledgeID)
		}
		if voided != nil {
			return apperr.New(apperr.Conflict, "pledge %d was voided already", pledgeID)
		}
		if _, err := tx.Exec(ctx, `UPDATE merchant_pledge SET voided_at = now(), voided_by_user_id = NULLIF($2, 0), void_reason = $3 WHERE id = $1`,
			pledgeID, who.UserID, strings.TrimSpace(reason)); err != nil {
			return translate(err, "pledge")
		}
		if out, err = scanPledge(tx.QueryRow(ctx, `SELECT `+pledgeColumns+` WHERE p.id = $2`, beijingDay(time.Now()), pledgeID)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Void, "merchant_pledge", pledgeID, nil, map[string]any{"reason": reason, "merchant_id": merchantID})
	})
	return out, err
}

// Scan is a stored image: a pledge's signed paper.
type Scan struct {
	ContentType string
	Bytes       []byte
}

// PledgeScan returns the scan of a pledge of a shop the caller may read.
func (s *Store) PledgeScan(ctx context.Context, who access.Principal, pledgeID int64) (Scan, error) {
	var merchantID int64
	var sc Scan
	var sha []byte
	err := s.db.QueryRow(ctx, `SELECT p.merchant_id, ph.content_type, ph.sha256, ph.bytes FROM merchant_pledge p
		JOIN merchant_photo ph ON ph.sha256 = p.scan_sha256 WHERE p.id = $1`, pledgeID).Scan(&merchantID, &sc.ContentType, &sha, &sc.Bytes)
	if errors.Is(err, pgx.ErrNoRows) {
		return Scan{}, apperr.New(apperr.NotFound, "pledge %d has no scan", pledgeID)
	}
	if err != nil {
		return Scan{}, err
	}
	if _, err := s.Merchant(ctx, who, merchantID); err != nil {
		return Scan{}, apperr.New(apperr.NotFound, "pledge %d has no scan", pledgeID)
	}
	if sc.Bytes, err = s.photoBytes(ctx, sha, sc.Bytes); err != nil {
		return Scan{}, err
	}
	return sc, nil
}

func checkReason(reason string) error {
	if strings.TrimSpace(reason) == "" {
		return apperr.New(apperr.Invalid, "reason is required: say why the record was a mistake").With("field", "reason")
	}
	return checkText("reason", reason, maxReason)
}

// activePerson refuses a person who is not in the registry or no longer active.
func activePerson(ctx context.Context, tx pgx.Tx, id int64, field string) error {
	var active bool
	err := tx.QueryRow(ctx, `SELECT active FROM person_directory WHERE id = $1`, id).Scan(&active)
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.New(apperr.Invalid, "%s: no person %d", field, id).With("field", field)
	}
	if err != nil {
		return err
	}
	if !active {
		return apperr.New(apperr.Invalid, "%s: person %d is no longer active", field, id).With("field", field)
	}
	return nil
}
