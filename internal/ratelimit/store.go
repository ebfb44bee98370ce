package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store counts in rate_limit_window, so replicas on one database share every limit. One statement
// per hit: the upsert adds the hit only while the window is under the limit, so concurrent hits on
// several replicas never let more than limit through.
type Store struct {
	db     *pgxpool.Pool
	scope  string
	window time.Duration
}

var scopeName = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

// NewStore counts the hits of one scope (what is limited, e.g. "public_reports") in windows of the
// given length, at least a second.
func NewStore(db *pgxpool.Pool, scope string, window time.Duration) *Store {
	if !scopeName.MatchString(scope) || window < time.Second {
		panic(fmt.Sprintf("ratelimit.NewStore: scope %q must be 1-40 of [a-z0-9_] and window %s at least 1s", scope, window))
	}
	return &Store{db: db, scope: scope, window: window}
}

// Take counts one hit for key, or refuses it when the window already holds limit hits. A refused
// hit is not counted, so a client that keeps trying is let in again when the window ends.
func (s *Store) Take(ctx context.Context, key string, limit int) (Verdict, error) {
	if key == "" || len(key) > 200 {
		return Verdict{}, fmt.Errorf("rate limit key of %d bytes: want 1 to 200", len(key))
	}
	var start time.Time
	var hits int
	err := s.db.QueryRow(ctx, `WITH w AS (SELECT date_bin($3::interval, now(), TIMESTAMPTZ 'epoch') AS start)
		INSERT INTO rate_limit_window AS r (scope, key, window_start, hits) SELECT $1, $2, w.start, 1 FROM w WHERE $4 > 0
		ON CONFLICT (scope, key, window_start) DO UPDATE SET hits = r.hits + 1 WHERE r.hits < $4
		RETURNING r.window_start, r.hits`, s.scope, key, s.window, limit).Scan(&start, &hits)
	if errors.Is(err, pgx.ErrNoRows) {
		if err := s.db.QueryRow(ctx, `SELECT date_bin($1::interval, now(), TIMESTAMPTZ 'epoch')`, s.window).Scan(&start); err != nil {
			return Verdict{}, fmt.Errorf("rate limit window: %w", err)
		}
		return Verdict{Allowed: false, Reset: start.Add(s.window)}, nil
	}
	if err != nil {
		return Verdict{}, fmt.Errorf("rate limit %s: %w", s.scope, err)
	}
	return Verdict{Allowed: true, Remaining: limit - hits, Reset: start.Add(s.window)}, nil
}

// Forget deletes the windows of this scope that ended before the previous one began.
func (s *Store) Forget(ctx context.Context) (int64, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM rate_limit_window WHERE scope = $1 AND window_start < now() - 2 * $2::interval`, s.scope, s.window)
	if err != nil {
		return 0, fmt.Errorf("forget rate limit windows: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Run forgets closed windows every window until ctx ends. Every replica may run it: deleting what
// another replica deleted first deletes nothing.
func (s *Store) Run(ctx context.Context, logger *slog.Logger) {
	t := time.NewTicker(s.window)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := s.Forget(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("rate limits", "err", err)
		}
	}
}
