package maptiles

import (
	"context"
	"strconv"

	"streetchief/internal/database"
)

// incidentVersion is the incident part of a cache key: the notification count while the feed
// listens, else the current second, so a change shows within one second either way.
func (s *Service) incidentVersion() string {
	if feed := s.incFeed.Load(); feed != nil && feed.Live() {
		return "n" + strconv.FormatUint(s.incVersion.Load(), 36)
	}
	return "t" + strconv.FormatInt(s.now().Unix(), 36)
}

// FollowIncidents keeps the incident tiles current until ctx ends: every notification of feed, a
// subscription to incidents.ChangeChannel, moves the incident version on — a gap too, since whatever
// changed while nobody listened is behind it. Call it once, before serving tiles.
func (s *Service) FollowIncidents(ctx context.Context, feed *database.Subscription) {
	s.incFeed.Store(feed)
	for {
		if _, err := feed.Next(ctx); err != nil {
			return
		}
		s.incVersion.Add(1)
	}
}
