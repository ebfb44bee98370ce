package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Memory counts in this process: one server alone, or a test. Behind a load balancer each replica
// would allow the limit on its own, so `streetchief serve` uses Store.
type Memory struct {
	window time.Duration
	now    func() time.Time

	mu    sync.Mutex
	start time.Time // the current window; older counts are dropped when it moves on
	hits  map[string]int
}

// NewMemory counts in windows of the given length (aligned to the clock, like Store's).
func NewMemory(window time.Duration) *Memory {
	return &Memory{window: window, now: time.Now, hits: map[string]int{}}
}

func (m *Memory) Take(_ context.Context, key string, limit int) (Verdict, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	start := m.now().Truncate(m.window)
	if !start.Equal(m.start) {
		m.start, m.hits = start, map[string]int{}
	}
	reset := start.Add(m.window)
	if m.hits[key] >= limit {
		return Verdict{Reset: reset}, nil
	}
	m.hits[key]++
	return Verdict{Allowed: true, Remaining: limit - m.hits[key], Reset: reset}, nil
}
