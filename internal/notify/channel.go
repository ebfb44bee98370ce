package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// Message is one delivery as a channel sends it. ID is stable for the delivery (the same on a second
// attempt), so a receiving system can drop a repeat.
type Message struct {
	ID      string
	To      string
	Subject string
	Body    string
}

// Channel sends messages over one medium. Send answers a *Permanent error when retrying cannot help
// (the provider refused the address or the request), any other error to be retried with backoff.
type Channel interface {
	Name() string
	Send(ctx context.Context, m Message) error
}

// Permanent is a refusal that retrying would only repeat.
type Permanent struct{ Err error }

func (p *Permanent) Error() string { return "permanent: " + p.Err.Error() }
func (p *Permanent) Unwrap() error { return p.Err }

// IsPermanent reports whether err is a Permanent refusal.
func IsPermanent(err error) bool {
	var p *Permanent
	return errors.As(err, &p)
}

// Reach is a person's address on a channel and their quiet hours ("22:00"–"07:00", both or none).
type Reach struct {
	Channel    string `json:"channel"`
	Address    string `json:"address"`
	Enabled    bool   `json:"enabled"`
	QuietFrom  string `json:"quiet_from,omitempty"`
	QuietUntil string `json:"quiet_until,omitempty"`
	// DigestOnly has the channel carry only the morning digest, not each notice as it comes.
	DigestOnly bool `json:"digest_only,omitempty"`
}

func (r Reach) check() error {
	switch r.Channel {
	case "email":
		at := strings.LastIndexByte(r.Address, '@')
		domain := r.Address[at+1:]
		if at < 1 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
			strings.ContainsAny(r.Address, " \t\r\n<>,;()[]\\\"") {
			return apperr.New(apperr.Invalid, "%q is not an email address", r.Address).With("field", "address")
		}
	case "sms":
		if len(r.Address) != 11 || r.Address[0] != '1' || strings.Trim(r.Address, "0123456789") != "" {
			return apperr.New(apperr.Invalid, "%q is not a mainland mobile number (11 digits)", r.Address).With("field", "address")
		}
	case "wecom":
		if r.Address == "" || len(r.Address) > 64 || strings.ContainsAny(r.Address, " |\r\n") {
			return apperr.New(apperr.Invalid, "%q is not a WeChat Work user id", r.Address).With("field", "address")
		}
	default:
		return apperr.New(apperr.Invalid, "channel %q is not one of email, wecom, sms", r.Channel).With("field", "channel")
	}
	if (r.QuietFrom == "") != (r.QuietUntil == "") {
		return apperr.New(apperr.Invalid, "quiet hours need both quiet_from and quiet_until").With("field", "quiet_from")
	}
	for _, t := range []string{r.QuietFrom, r.QuietUntil} {
		var h, m int
		if t != "" {
			if n, err := fmt.Sscanf(t, "%2d:%2d", &h, &m); n != 2 || err != nil || len(t) != 5 || h > 23 || m > 59 || h < 0 || m < 0 {
				return apperr.New(apperr.Invalid, "quiet hour %q is not HH:MM", t).With("field", "quiet_from")
			}
		}
	}
	return nil
}

// SetReach records where the caller wants to hear on a channel; a person sets their own.
func (s *Store) SetReach(ctx context.Context, who access.Principal, r Reach) error {
	if who.PersonID == 0 {
		return apperr.New(apperr.Forbidden, "this account is not linked to a person")
	}
	if err := r.check(); err != nil {
		return err
	}
	if r.Enabled && !s.channels[r.Channel] {
		return apperr.New(apperr.Invalid, "this deployment sends no %s messages", r.Channel).With("field", "channel")
	}
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `INSERT INTO notification_channel (person_id, channel, address, enabled, quiet_from, quiet_until, digest_only)
		VALUES ($1, $2, $3, $4, NULLIF($5, '')::time, NULLIF($6, '')::time, $7)
		ON CONFLICT (person_id, channel) DO UPDATE SET address = EXCLUDED.address, enabled = EXCLUDED.enabled,
			quiet_from = EXCLUDED.quiet_from, quiet_until = EXCLUDED.quiet_until, digest_only = EXCLUDED.digest_only, updated_at = now()`,
		who.PersonID, r.Channel, r.Address, r.Enabled, r.QuietFrom, r.QuietUntil, r.DigestOnly); err != nil {
		return fmt.Errorf("set reach: %w", err)
	}
	if err := audit.Record(ctx, tx, who, audit.Update, "notification_channel", who.PersonID, nil, r); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
