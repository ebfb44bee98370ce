package database

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Replay tells when the reads pool, which may be on a standby, has applied what the primary has
// committed. Both pools the same (no standby configured) means always.
type Replay struct {
	Primary, Reads *pgxpool.Pool
}

// Separate reports whether reads go to a pool of their own.
func (r Replay) Separate() bool { return r.Reads != nil && r.Reads != r.Primary }

// Wait returns once the reads pool's server has replayed every commit the primary had made when
// Wait was called, or false when within has passed first. A reads session on a primary (a standby
// that died and prefer-standby fell back) has nothing to replay: pg_last_wal_replay_lsn() is NULL.
func (r Replay) Wait(ctx context.Context, within time.Duration) (bool, error) {
	if !r.Separate() {
		return true, nil
	}
	var lsn string
	if err := r.Primary.QueryRow(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&lsn); err != nil {
		return false, fmt.Errorf("primary's WAL position: %w", err)
	}
	deadline := time.Now().Add(within)
	for {
		var applied bool
		err := r.Reads.QueryRow(ctx, `SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, true)`, lsn).Scan(&applied)
		if err == nil && applied {
			return true, nil
		}
		if time.Now().After(deadline) {
			if err != nil {
				return false, fmt.Errorf("reads' replay position: %w", err)
			}
			return false, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}
