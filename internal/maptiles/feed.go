package maptiles

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"streetchief/internal/database"
)

// replayWithin is how long a change notification waits for the standby the incident tiles read
// from; past it the tiles stop caching until the standby has caught up.
const replayWithin = 5 * time.Second

// incidentVersion is the incident part of a cache key: the notification count while the feed
// listens, else the current second, so a change shows within one second either way.
func (s *Service) incidentVersion() string {
	if feed := s.incFeed.Load(); feed != nil && feed.Live() && !s.replayBehind.Load() {
		return "n" + strconv.FormatUint(s.incVersion.Load(), 36)
	}
	return "t" + strconv.FormatInt(s.now().Unix(), 36)
}

// FollowIncidents keeps the incident tiles current until ctx ends: every notification of feed, a
// subscription to incidents.ChangeChannel, moves the incident version on — a gap too, since whatever
// changed while nobody listened is behind it. Call it once, before serving tiles.
//
// The notification comes from the primary after the commit. When the tiles read from a standby,
// a tile drawn under the new version before the standby replayed that commit would be cached
// stale until the next change; so the version moves on only once the standby's replay position
// has reached the primary's WAL position taken after the notification arrived.
func (s *Service) FollowIncidents(ctx context.Context, feed *database.Subscription) {
	s.incFeed.Store(feed)
	for {
		if _, err := feed.Next(ctx); err != nil {
			return
		}
		// One move of the version covers every change queued behind this one: the primary's WAL
		// position awaitReplay takes now is past all their commits.
		feed.Skip()
		s.awaitReplay(ctx)
		s.incVersion.Add(1)
	}
}

// awaitReplay waits until the reads pool has applied what the primary committed so far. While it
// cannot tell, or the standby is behind by more than replayWithin, incident tiles live a second.
func (s *Service) awaitReplay(ctx context.Context) {
	if !s.replay.Separate() {
		return
	}
	for {
		ok, err := s.replay.Wait(ctx, replayWithin)
		if ok || ctx.Err() != nil {
			s.replayBehind.Store(false)
			return
		}
		if !s.replayBehind.Swap(true) {
			slog.Default().Warn("incident tiles read from a standby that is behind; caching them a second only",
				"within", replayWithin, "err", err)
		}
	}
}
