package incidents

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/apperr"
	"streetchief/internal/notify"
)

// A reporter who left a phone number or an email (Intake.Contact) hears twice of their report: when
// it is received, with its tracking number, and when it is resolved, with the link to confirm or
// dispute the work. Each message's link carries a key of its own, which follows the case as the
// receipt's token does; the reporter stops the messages from the tracking page. Contacts are
// personal data: in incident_reporter_contact only, never in an answer.

// keepContact records the reporter's contact with the report and sends the first message.
func (s *Service) keepContact(ctx context.Context, tx pgx.Tx, id int64, number string, to notify.Address) error {
	if _, err := tx.Exec(ctx, `INSERT INTO incident_reporter_contact (incident_id, channel, address) VALUES ($1, $2, $3)`,
		id, to.Channel, to.Address); err != nil {
		return fmt.Errorf("reporter contact: %w", err)
	}
	return s.tellReporter(ctx, tx, id, number, "citizen_received")
}

// tellReporter sends the reporter of incident id (if they left a contact and did not stop the
// messages) a message of kind, with a fresh key in its link.
func (s *Service) tellReporter(ctx context.Context, tx pgx.Tx, id int64, number, kind string) error {
	if s.citizens == nil {
		return nil
	}
	var to notify.Address
	err := tx.QueryRow(ctx, `SELECT channel, address FROM incident_reporter_contact WHERE incident_id = $1 AND opted_out_at IS NULL`, id).
		Scan(&to.Channel, &to.Address)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reporter contact: %w", err)
	}
	key, hash, err := newVerifyToken()
	if err != nil {
		return err
	}
	sent, err := s.citizens.EnqueueTo(ctx, tx, to, notify.Notice{Kind: kind, Subject: notify.Subject{Type: "tracking"},
		Params: map[string]any{"number": FormatTrackingNumber(number)}, Secret: key})
	if err != nil || !sent {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE incident_reporter_contact SET key_sha256 = key_sha256 || $2::bytea WHERE incident_id = $1`, id, hash)
	return err
}

// tellReporterResolved is tellReporter for a case just resolved (its number read in tx).
func (s *Service) tellReporterResolved(ctx context.Context, tx pgx.Tx, id int64) error {
	if s.citizens == nil {
		return nil
	}
	var number string
	if err := tx.QueryRow(ctx, `SELECT COALESCE(tracking_number, '') FROM incident WHERE id = $1`, id).Scan(&number); err != nil {
		return fmt.Errorf("tracking number: %w", err)
	}
	if number == "" {
		return nil
	}
	return s.tellReporter(ctx, tx, id, number, "citizen_resolved")
}

// reporterKeyMatches says whether token is the receipt's (receipt, the stored hash) or the key of a
// message sent to the reporter of incident id.
func reporterKeyMatches(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, id int64, receipt []byte, token string) (bool, error) {
	if token == "" {
		return false, nil
	}
	sum := sha256.Sum256([]byte(token))
	if len(receipt) == len(sum) && subtle.ConstantTimeCompare(receipt, sum[:]) == 1 {
		return true, nil
	}
	var keys [][]byte
	err := q.QueryRow(ctx, `SELECT key_sha256 FROM incident_reporter_contact WHERE incident_id = $1`, id).Scan(&keys)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reporter keys: %w", err)
	}
	match := 0
	for _, k := range keys {
		match |= subtle.ConstantTimeCompare(k, sum[:])
	}
	return match == 1, nil
}

// StopMessages stops the messages to the reporter of the report with tracking number, who proves it
// with the receipt's token or a message's key. Stopping twice is the same as once.
func (s *Service) StopMessages(ctx context.Context, number, token string) error {
	n, err := ParseTrackingNumber(number)
	if err != nil {
		return err
	}
	var id int64
	var receipt []byte
	err = s.db.QueryRow(ctx, `SELECT id, verify_token_sha256 FROM incident WHERE tracking_number = $1`, n).Scan(&id, &receipt)
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.New(apperr.NotFound, "no report has tracking number %s", FormatTrackingNumber(n))
	}
	if err != nil {
		return translate(err, "tracking")
	}
	ok, err := reporterKeyMatches(ctx, s.db, id, receipt, token)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.New(apperr.Forbidden, "the link's token is not this report's").With("field", "token")
	}
	_, err = s.db.Exec(ctx, `UPDATE incident_reporter_contact SET opted_out_at = COALESCE(opted_out_at, now()) WHERE incident_id = $1`, id)
	return translate(err, "reporter contact")
}
