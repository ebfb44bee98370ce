package maptiles

import (
	"context"
	"log/slog"
	"strconv"
	"time"
)

// IncidentChannel is where migration 0005 announces every committed change to an incident.
const IncidentChannel = "incident_changed"

// incidentVersion is the incident part of a cache key: the notification count while the feed
// listens, else the current second, so a change shows within one second either way.
func (s *Service) incidentVersion() string {
	if s.incLive.Load() {
		return "n" + strconv.FormatUint(s.incVersion.Load(), 36)
	}
	return "t" + strconv.FormatInt(s.now().Unix(), 36)
}

// RunIncidentFeed keeps the incident tiles current until ctx ends: every notification on
// IncidentChannel moves the incident version on. After a lost connection it reconnects; meanwhile
// incident tiles live one second.
func (s *Service) RunIncidentFeed(ctx context.Context, logger *slog.Logger) {
	backoff := 100 * time.Millisecond
	for {
		err := s.listen(ctx)
		s.incLive.Store(false)
		if ctx.Err() != nil {
			return
		}
		logger.Warn("tile cache lost the incident change feed; reconnecting", "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (s *Service) listen(ctx context.Context) error {
	pooled, err := s.db.Acquire(ctx)
	if err != nil {
		return err
	}
	// A listening connection must not go back to the pool: it would keep receiving notifications.
	conn := pooled.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+IncidentChannel); err != nil {
		return err
	}
	// Whatever changed while nobody listened is behind the new version.
	s.incVersion.Add(1)
	s.incLive.Store(true)
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		s.incVersion.Add(1)
	}
}
