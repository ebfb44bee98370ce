package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/apperr"
	"streetchief/internal/database"
)

// Address is a recipient outside the registry: a citizen's email or mainland mobile number.
type Address struct {
	Channel string `json:"channel"`
	Address string `json:"address"`
}

// ParseContact reads a contact a citizen typed: an email address or an 11-digit mainland mobile
// number (spaces and dashes allowed, +86 or 86 before it).
func ParseContact(s string) (Address, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "@") {
		a := Address{Channel: "email", Address: s}
		return a, Reach{Channel: a.Channel, Address: a.Address}.check()
	}
	digits := strings.NewReplacer(" ", "", "-", "").Replace(s)
	digits = strings.TrimPrefix(strings.TrimPrefix(digits, "+"), "86")
	a := Address{Channel: "sms", Address: digits}
	if err := (Reach{Channel: a.Channel, Address: a.Address}).check(); err != nil {
		return a, apperr.New(apperr.Invalid, "contact %q is neither an email address nor a mainland mobile number", s).With("field", "contact")
	}
	return a, nil
}

// A citizen's address hears at most this often, however many reports name it: a number typed into
// other people's reports is not a way to flood its owner.
const (
	CitizenPerHour = 3
	CitizenPerDay  = 10
)

// EnqueueTo writes a message to an address outside the registry inside tx, with one delivery on
// its channel. It writes nothing, and answers false, when the deployment does not send on that
// channel, when the address has had its hour's or day's share, or when the dedupe key was seen.
// Secret is what the message's link carries; it is kept only until the message has left.
func (s *Store) EnqueueTo(ctx context.Context, tx database.Querier, to Address, n Notice) (bool, error) {
	if !s.channels[to.Channel] {
		return false, nil
	}
	if !kindPattern.MatchString(n.Kind) || !kindPattern.MatchString(n.Subject.Type) {
		return false, apperr.New(apperr.Invalid, "notice kind %q or subject %q is not a code", n.Kind, n.Subject.Type)
	}
	var hour, day int
	if err := tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE created_at > now() - interval '1 hour'), count(*)
		FROM notification WHERE recipient_address = $1 AND created_at > now() - interval '1 day'`, to.Address).Scan(&hour, &day); err != nil {
		return false, fmt.Errorf("citizen limit: %w", err)
	}
	if hour >= CitizenPerHour || day >= CitizenPerDay {
		return false, nil
	}
	raw, err := json.Marshal(n.Params)
	if err != nil {
		return false, fmt.Errorf("notice params: %w", err)
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO notification (recipient_channel, recipient_address, kind, subject_type, subject_id, params,
			dedupe_key, secret)
		VALUES ($1, $2, $3, $4, NULLIF($5, 0), COALESCE($6::jsonb, '{}'), NULLIF($7, ''), NULLIF($8, ''))
		ON CONFLICT (recipient_address, dedupe_key) WHERE recipient_address IS NOT NULL AND dedupe_key IS NOT NULL DO NOTHING
		RETURNING id`, to.Channel, to.Address, n.Kind, n.Subject.Type, n.Subject.ID, raw, n.DedupeKey, n.Secret).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("enqueue message: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO notification_delivery (notification_id, channel, address) VALUES ($1, $2, $3)`,
		id, to.Channel, to.Address); err != nil {
		return false, fmt.Errorf("enqueue message: %w", err)
	}
	return true, nil
}
