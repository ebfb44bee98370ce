// Package notify tells people of the work that arrives for them and records that they saw it: an
// inbox per person, written in the transaction of the change that causes it, and an outbox of
// deliveries by email, WeChat Work (企业微信) or SMS that a worker drains exactly once per recipient
// and channel, across replicas. It owns notification, notification_channel and
// notification_delivery. The rules that decide who hears of what live with the domain that knows the
// change (incidents, merchants…), which calls Enqueue inside its own transaction.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/apperr"
	"streetchief/internal/database"
)

// Notice is one thing a person must hear of. Kind says what happened (case_assigned, …) and chooses
// the words (text.go); Subject is what it is about, for the link; Params fill the words. DedupeKey,
// when set, makes a second notice with the same key for the same person a no-op.
type Notice struct {
	PersonID  int64
	Kind      string
	Subject   Subject
	Params    map[string]any
	DedupeKey string
	// At is when it happened, for a notice recorded after the fact (the demo city's history); zero
	// is now.
	At time.Time
	// Secret is the key a message to a citizen carries in its link ({secret} in its words), kept
	// until the message has left (EnqueueTo only).
	Secret string
}

// Subject is what a notification links to: a case, a shop, an operation…
type Subject struct {
	Type string `json:"type"`
	ID   int64  `json:"id,omitempty"`
}

var kindPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

func (n Notice) check() error {
	if n.PersonID <= 0 {
		return apperr.New(apperr.Invalid, "a notice needs its recipient")
	}
	if !kindPattern.MatchString(n.Kind) || !kindPattern.MatchString(n.Subject.Type) {
		return apperr.New(apperr.Invalid, "notice kind %q or subject %q is not a code", n.Kind, n.Subject.Type)
	}
	if len(n.DedupeKey) > 200 {
		return apperr.New(apperr.Invalid, "dedupe key longer than 200 bytes")
	}
	return nil
}

// Store is the notifications of the deployment; Channels are the delivery channels it is configured
// with (a person's address on a channel the deployment lacks gets nothing sent).
type Store struct {
	db       *pgxpool.Pool
	channels map[string]bool
	now      func() time.Time
}

// NewStore returns the store; channels names the configured channels (email, wecom, sms).
func NewStore(db *pgxpool.Pool, channels ...string) *Store {
	s := &Store{db: db, channels: map[string]bool{}, now: time.Now}
	for _, c := range channels {
		s.channels[c] = true
	}
	return s
}

// Sends reports whether the deployment delivers on channel.
func (s *Store) Sends(channel string) bool { return s != nil && s.channels[channel] }

// Channels are the channels the deployment delivers on, sorted.
func (s *Store) Channels() []string {
	out := []string{}
	for _, c := range []string{"email", "sms", "wecom"} {
		if s.Sends(c) {
			out = append(out, c)
		}
	}
	return out
}

// Enqueue writes the notice to its recipient's inbox and one delivery per channel the person enabled
// (only channels the deployment offers can be enabled, see SetReach), inside tx — the transaction of
// the change that causes it, so a change rolled back tells nobody. It answers whether the notice is
// new (false when its dedupe key was seen). It is a function, not a method, so that any domain's
// write path can call it with nothing but its transaction.
func Enqueue(ctx context.Context, tx database.Querier, n Notice) (bool, error) {
	if err := n.check(); err != nil {
		return false, err
	}
	params := n.Params
	if params == nil {
		params = map[string]any{}
	}
	raw, err := json.Marshal(params)
	if err != nil {
		return false, fmt.Errorf("notice params: %w", err)
	}
	var id int64
	var at *time.Time
	if !n.At.IsZero() {
		at = &n.At
	}
	err = tx.QueryRow(ctx, `INSERT INTO notification (person_id, kind, subject_type, subject_id, params, dedupe_key, created_at)
		VALUES ($1, $2, $3, NULLIF($4, 0), $5, NULLIF($6, ''), COALESCE($7, now()))
		ON CONFLICT (person_id, dedupe_key) DO NOTHING RETURNING id`,
		n.PersonID, n.Kind, n.Subject.Type, n.Subject.ID, raw, n.DedupeKey, at).Scan(&id)
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return false, nil
		}
		return false, fmt.Errorf("enqueue notice: %w", err)
	}
	// A delivery in the person's quiet hours waits for them to end (wall clock of Beijing).
	_, err = tx.Exec(ctx, `INSERT INTO notification_delivery (notification_id, channel, address, next_attempt_at)
		SELECT $1, c.channel, c.address, CASE WHEN `+inQuiet+` THEN `+quietEnds+` ELSE now() END
		  FROM notification_channel c
		 WHERE c.person_id = $2 AND c.enabled AND (NOT c.digest_only OR $3 = '`+DigestKind+`')`, id, n.PersonID, n.Kind)
	if err != nil {
		return false, fmt.Errorf("enqueue deliveries: %w", err)
	}
	return true, nil
}

// DigestKind is the morning digest's kind: the one notice a digest-only channel carries.
const DigestKind = "daily_digest"

// localNow is the deployment's wall clock; quiet hours may wrap midnight (22:00–07:00).
const localNow = `(now() AT TIME ZONE 'Asia/Shanghai')`

const inQuiet = `c.quiet_from IS NOT NULL AND CASE WHEN c.quiet_from <= c.quiet_until
	THEN ` + localNow + `::time >= c.quiet_from AND ` + localNow + `::time < c.quiet_until
	ELSE ` + localNow + `::time >= c.quiet_from OR ` + localNow + `::time < c.quiet_until END`

const quietEnds = `((date_trunc('day', ` + localNow + `) + c.quiet_until
	+ CASE WHEN ` + localNow + `::time >= c.quiet_until THEN interval '1 day' ELSE interval '0' END) AT TIME ZONE 'Asia/Shanghai')`
