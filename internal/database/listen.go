package database

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Notification is one event of a subscription, in the order the database sent it.
type Notification struct {
	// Payload is the NOTIFY payload; empty on a gap.
	Payload string
	// Gap means notifications may have been missed just before this one: the listener (re)connected,
	// or the subscriber fell so far behind that its queue was dropped. Whatever the subscriber derived
	// from earlier notifications may be stale and should be re-read.
	Gap bool
}

// maxQueued bounds what a slow subscriber can hold: past it the queue is replaced by one gap, which
// costs the subscriber a full re-read instead of the server unbounded memory.
const maxQueued = 100_000

// Listener holds the process's one listening connection and hands each channel's notifications to
// its subscribers. Every subscriber first receives a gap, once listening has begun, so "load
// everything, then apply changes" misses nothing committed in between.
type Listener struct {
	pool    *pgxpool.Pool
	logger  *slog.Logger
	mu      sync.Mutex
	subs    map[string][]*Subscription
	started bool
	live    atomic.Bool
	pid     atomic.Uint32 // the listening backend's process id, for tests that cut the connection
}

// NewListener returns a listener on pool; Subscribe to its channels, then Run it.
func NewListener(pool *pgxpool.Pool, logger *slog.Logger) *Listener {
	if logger == nil {
		logger = slog.Default()
	}
	return &Listener{pool: pool, logger: logger, subs: map[string][]*Subscription{}}
}

// Subscribe returns a subscription to channel. All subscriptions are made before Run: the
// connection listens on the channels known when it connects.
func (l *Listener) Subscribe(channel string) *Subscription {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started {
		panic("database: Subscribe(" + channel + ") after the listener started")
	}
	s := &Subscription{listener: l, ready: make(chan struct{}, 1)}
	l.subs[channel] = append(l.subs[channel], s)
	return s
}

// Live reports whether the listener is connected and listening now.
func (l *Listener) Live() bool { return l.live.Load() }

// BackendPID is the process id of the listening connection's backend (0 when not connected).
func (l *Listener) BackendPID() uint32 { return l.pid.Load() }

// Run listens until ctx ends. After a lost connection it reconnects with a growing delay and gives
// every subscriber a gap.
func (l *Listener) Run(ctx context.Context) {
	l.mu.Lock()
	l.started = true
	l.mu.Unlock()
	backoff := 100 * time.Millisecond
	for {
		err := l.listen(ctx, func() { backoff = 100 * time.Millisecond })
		l.live.Store(false)
		l.pid.Store(0)
		if ctx.Err() != nil {
			return
		}
		l.logger.Warn("database change feed lost; reconnecting", "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (l *Listener) listen(ctx context.Context, connected func()) error {
	pooled, err := l.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// A listening connection must not go back to the pool: it would keep receiving notifications.
	conn := pooled.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	for channel := range l.subs {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
			return err
		}
	}
	connected()
	l.pid.Store(conn.PgConn().PID())
	l.live.Store(true)
	for _, subs := range l.subs {
		for _, s := range subs {
			s.push(Notification{Gap: true})
		}
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		for _, s := range l.subs[n.Channel] {
			s.push(Notification{Payload: n.Payload})
		}
	}
}

// Subscription is one consumer's queue of a channel's notifications.
type Subscription struct {
	listener *Listener
	mu       sync.Mutex
	queue    []Notification
	ready    chan struct{} // holds a token while the queue is not empty
}

// Live reports whether notifications are arriving now: while it is false, changes may be missed,
// and a gap will follow when listening resumes.
func (s *Subscription) Live() bool { return s.listener.Live() }

func (s *Subscription) push(n Notification) {
	s.mu.Lock()
	if len(s.queue) >= maxQueued {
		s.queue = append(s.queue[:0], Notification{Gap: true})
	} else {
		s.queue = append(s.queue, n)
	}
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// Skip drops the notifications queued now and says how many, for a follower that acts once on
// "something changed" however many changes arrived while it was busy.
func (s *Subscription) Skip() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.queue)
	clear(s.queue)
	s.queue = s.queue[:0]
	return n
}

// ErrNoNotification is Next's answer when its context ends first.
var ErrNoNotification = errors.New("no notification before the context ended")

// Next waits for the subscription's next notification until ctx ends.
func (s *Subscription) Next(ctx context.Context) (Notification, error) {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			n := s.queue[0]
			s.queue[0] = Notification{}
			s.queue = s.queue[1:]
			if len(s.queue) > 0 {
				select {
				case s.ready <- struct{}{}:
				default:
				}
			}
			s.mu.Unlock()
			return n, nil
		}
		s.mu.Unlock()
		select {
		case <-s.ready:
		case <-ctx.Done():
			return Notification{}, errors.Join(ErrNoNotification, ctx.Err())
		}
	}
}
