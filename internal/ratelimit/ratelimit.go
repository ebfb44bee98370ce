// Package ratelimit counts requests per key in fixed windows, either in the database, shared by every
// replica of the server (Store, which owns rate_limit_window), or in this process only (Memory, for
// a single server and tests). The HTTP layer decides what to count and answers 429; this package
// knows nothing of HTTP and imports pgx only.
package ratelimit

import (
	"context"
	"time"
)

// Counter takes one hit for key under limit, in the window that holds now.
type Counter interface {
	Take(ctx context.Context, key string, limit int) (Verdict, error)
}

// Verdict is the answer to one hit.
type Verdict struct {
	Allowed bool
	// Remaining is how many more hits the window allows after this one (0 when refused).
	Remaining int
	// Reset is when the window ends and the count starts again.
	Reset time.Time
}

// RetryAfter is how long a refused caller should wait, rounded up to whole seconds, at least 1.
func (v Verdict) RetryAfter(now time.Time) int {
	secs := int((v.Reset.Sub(now) + time.Second - 1) / time.Second)
	return max(secs, 1)
}

var (
	_ Counter = (*Store)(nil)
	_ Counter = (*Memory)(nil)
)
