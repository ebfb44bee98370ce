package lookup

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"streetchief/internal/database"
	"streetchief/internal/registry"
)

const (
	// batchWindow gathers the notifications of one burst (a transaction that touched many rows) into
	// one update, well inside the one-second promise.
	batchWindow = 150 * time.Millisecond
	// fullReloadAbove is the size of a burst past which re-reading everything is cheaper than
	// patching (a bulk import).
	fullReloadAbove = 5000
	// compactAbove is how many incremental changes the index absorbs before it is rebuilt.
	compactAbove = 2000
)

// Run keeps the engine current until ctx ends from feed, a subscription to registry.ChangeChannel:
// each gap (listening began or resumed, so notifications may have been missed) reloads everything,
// and each burst of changes is applied as one update. After each update is swapped in, Run tells the
// engine's followers (Follow) what it covered.
func (e *Engine) Run(ctx context.Context, feed *database.Subscription, logger *slog.Logger) {
	backoff := 100 * time.Millisecond
	stale := false
	for {
		err := e.follow(ctx, feed, logger, stale, func() { backoff = 100 * time.Millisecond })
		if ctx.Err() != nil {
			return
		}
		// The change that failed to apply is gone from the feed, so the retry reloads everything.
		logger.Warn("lookup index could not apply a change; reloading", "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
		stale = true
	}
}

func (e *Engine) follow(ctx context.Context, feed *database.Subscription, logger *slog.Logger, stale bool, ok func()) error {
	if stale {
		changes, err := e.reload(ctx, logger)
		if err != nil {
			return err
		}
		e.publish(changes)
		ok()
	}
	for {
		n, err := feed.Next(ctx)
		if err != nil {
			return err
		}
		batch := []database.Notification{n}
		deadline := time.Now().Add(batchWindow)
		for len(batch) <= fullReloadAbove {
			wctx, cancel := context.WithDeadline(ctx, deadline)
			n, err := feed.Next(wctx)
			cancel()
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				break // the window closed
			}
			batch = append(batch, n)
		}
		changes, err := e.applyBurst(ctx, batch, logger)
		if err != nil {
			return fmt.Errorf("apply changes: %w", err)
		}
		e.publish(changes)
		ok()
	}
}

// applyBurst re-reads the rows a burst of notifications named and swaps in the updated snapshot. It
// returns the changes the new snapshot covers: the burst's own, or after a gap what the reload found.
func (e *Engine) applyBurst(ctx context.Context, batch []database.Notification, logger *slog.Logger) ([]string, error) {
	payloads := make([]string, 0, len(batch))
	reload := len(batch) > fullReloadAbove
	ids := map[string]map[int64]bool{}
	for _, n := range batch {
		if n.Gap {
			return e.reload(ctx, logger)
		}
		ch, ok := registry.ParseChange(n.Payload)
		if !ok {
			continue
		}
		payloads = append(payloads, n.Payload)
		if ch.Bulk() { // a bulk import announces its rows once, as a range
			reload = true
		}
		if ids[ch.Table] == nil {
			ids[ch.Table] = map[int64]bool{}
		}
		ids[ch.Table][ch.First] = true
	}
	if reload {
		return payloads, e.Load(ctx)
	}
	var c change
	var err error
	if c.areaIDs = keys(ids["area"]); len(c.areaIDs) > 0 {
		if c.areas, err = e.store.SpatialAreas(ctx, c.areaIDs); err != nil {
			return nil, err
		}
	}
	if c.unitIDs = keys(ids["admin_unit"]); len(c.unitIDs) > 0 {
		if c.units, err = e.store.SpatialUnits(ctx, c.unitIDs); err != nil {
			return nil, err
		}
	}
	c.postIDs = keys(ids["assignment"])
	c.personPostsFor = keys(ids["person"])
	if len(c.postIDs) > 0 || len(c.personPostsFor) > 0 {
		if c.posts, err = e.store.Posts(ctx, c.postIDs, c.personPostsFor); err != nil {
			return nil, err
		}
	}
	next := e.snap.Load().apply(c)
	if next.index.DeltaLen() > compactAbove {
		next = next.compacted()
	}
	e.snap.Store(next)
	return payloads, nil
}

// reload re-reads everything after notifications may have been missed and returns, as change
// payloads, what differs from the snapshot before it (nothing on the first load: there is no before).
func (e *Engine) reload(ctx context.Context, logger *slog.Logger) ([]string, error) {
	before := e.snap.Load()
	if err := e.loadLogged(ctx, logger); err != nil {
		return nil, err
	}
	return differences(before, e.snap.Load()), nil
}

func (e *Engine) loadLogged(ctx context.Context, logger *slog.Logger) error {
	start := time.Now()
	if err := e.Load(ctx); err != nil {
		return err
	}
	snap := e.snap.Load()
	logger.Info("lookup index loaded", "areas", len(snap.areas), "units", len(snap.units),
		"elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}

func keys(m map[int64]bool) []int64 {
	if len(m) == 0 {
		return nil
	}
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
