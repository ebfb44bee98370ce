package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Worker drains the outbox. Any number of workers, in any number of replicas, share it: each claims
// due deliveries with FOR UPDATE SKIP LOCKED for a lease, sends them one by one and marks each sent
// as soon as its channel accepted it.
type Worker struct {
	db       *pgxpool.Pool
	channels map[string]Channel
	// BaseURL starts the links in messages (the dashboard's address as people reach it).
	BaseURL string
	// Lease is how long a claimed delivery is this worker's before another may take it.
	Lease time.Duration
	// Batch is how many deliveries one claim takes.
	Batch int
	// MaxAttempts is how often a delivery is tried before it is marked failed.
	MaxAttempts int
	// Poll is the pause when nothing is due.
	Poll time.Duration
	Log  *slog.Logger
}

// NewWorker returns a worker over the given channels with the defaults in its fields.
func NewWorker(db *pgxpool.Pool, channels ...Channel) *Worker {
	w := &Worker{db: db, channels: map[string]Channel{}, Lease: time.Minute, Batch: 50, MaxAttempts: 8,
		Poll: time.Second, Log: slog.Default()}
	for _, c := range channels {
		w.channels[c.Name()] = c
	}
	return w
}

// Backoff is the wait before attempt n+1 after n failed: 30 s, 1 min, 2 min … at most 6 h.
func Backoff(n int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < n && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}

// Run delivers until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	for ctx.Err() == nil {
		n, err := w.DeliverDue(ctx)
		if err != nil && ctx.Err() == nil {
			w.Log.Error("notification delivery", "err", err)
		}
		if n == 0 || err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(w.Poll):
			}
		}
	}
}

type claimed struct {
	id, notification int64
	channel, address string
	attempts         int
	kind, subject    string
	subjectID        int64
	params           []byte
	secret           string
}

// DeliverDue claims one batch of due deliveries on this worker's channels, sends them and answers
// how many it claimed.
func (w *Worker) DeliverDue(ctx context.Context) (int, error) {
	names := make([]string, 0, len(w.channels))
	for n := range w.channels {
		names = append(names, n)
	}
	rows, err := w.db.Query(ctx, `WITH due AS (
			SELECT id FROM notification_delivery
			 WHERE channel = ANY($1) AND next_attempt_at <= now()
			   AND (state = 'pending' OR (state = 'sending' AND lease_until < now()))
			 ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
		UPDATE notification_delivery d SET state = 'sending', lease_until = now() + $3::interval, attempts = d.attempts + 1
		  FROM due, notification n
		 WHERE d.id = due.id AND n.id = d.notification_id
		RETURNING d.id, d.notification_id, d.channel, d.address, d.attempts, n.kind, n.subject_type,
			COALESCE(n.subject_id, 0), n.params, COALESCE(n.secret, '')`, names, w.Batch, w.Lease.String())
	if err != nil {
		return 0, fmt.Errorf("claim deliveries: %w", err)
	}
	batch, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (claimed, error) {
		var c claimed
		err := r.Scan(&c.id, &c.notification, &c.channel, &c.address, &c.attempts, &c.kind, &c.subject, &c.subjectID, &c.params, &c.secret)
		return c, err
	})
	if err != nil {
		return 0, fmt.Errorf("claim deliveries: %w", err)
	}
	for _, c := range batch {
		if ctx.Err() != nil {
			break // the lease hands the rest to whoever runs next
		}
		if err := w.deliver(ctx, c); err != nil {
			return len(batch), err
		}
	}
	return len(batch), nil
}

func (w *Worker) deliver(ctx context.Context, c claimed) error {
	var params map[string]any
	if err := json.Unmarshal(c.params, &params); err != nil {
		return fmt.Errorf("delivery %d: %w", c.id, err)
	}
	if params == nil {
		params = map[string]any{}
	}
	params["base"], params["secret"] = w.BaseURL, c.secret
	title := Title("zh", c.kind, params)
	body := title + "\n"
	if link := w.link(c.subject, c.subjectID); link != "" {
		body = title + "\n\n" + link + "\n"
	}
	m := Message{ID: fmt.Sprintf("%d.%s", c.notification, c.channel), To: c.address, Subject: title, Body: body}
	sendCtx, cancel := context.WithTimeout(ctx, w.Lease/2)
	sendErr := w.channels[c.channel].Send(sendCtx, m)
	cancel()
	var err error
	switch {
	case sendErr == nil:
		_, err = w.db.Exec(ctx, `UPDATE notification_delivery SET state = 'sent', sent_at = now(), lease_until = NULL, last_error = NULL
			WHERE id = $1`, c.id)
	case IsPermanent(sendErr) || c.attempts >= w.MaxAttempts:
		_, err = w.db.Exec(ctx, `UPDATE notification_delivery SET state = 'failed', lease_until = NULL, last_error = $2 WHERE id = $1`,
			c.id, truncate(sendErr.Error(), 1000))
	default:
		_, err = w.db.Exec(ctx, `UPDATE notification_delivery SET state = 'pending', lease_until = NULL, last_error = $2,
			next_attempt_at = now() + $3::interval WHERE id = $1`, c.id, truncate(sendErr.Error(), 1000), Backoff(c.attempts).String())
	}
	if err != nil {
		return fmt.Errorf("delivery %d: %w", c.id, err)
	}
	if c.secret != "" {
		// Once the message has left (or will never), its link's key need not be kept.
		if _, err := w.db.Exec(ctx, `UPDATE notification SET secret = NULL WHERE id = $1 AND NOT EXISTS (
			SELECT 1 FROM notification_delivery WHERE notification_id = $1 AND state IN ('pending', 'sending'))`, c.notification); err != nil {
			return fmt.Errorf("delivery %d: %w", c.id, err)
		}
	}
	return nil
}

// link is where the message sends its reader: the dashboard opened on the subject.
func (w *Worker) link(subject string, id int64) string {
	if subject == "tracking" {
		return "" // a citizen's message carries its own link in its words
	}
	if id == 0 {
		return w.BaseURL + "/"
	}
	return fmt.Sprintf("%s/#%s=%d", w.BaseURL, subject, id)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
