package lookup

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

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

// Run keeps the engine current until ctx ends: it listens for registry changes, loads everything
// once listening (so nothing committed in between is missed), then applies each burst of changes.
// After a lost connection it reconnects and reloads in full, since notifications may have been lost.
func (e *Engine) Run(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) {
	backoff := 100 * time.Millisecond
	for {
		err := e.listen(ctx, pool, logger)
		if ctx.Err() != nil {
			return
		}
		logger.Warn("lookup index lost its change feed; reconnecting", "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (e *Engine) listen(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) error {
	pooled, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// A listening connection must not go back to the pool: it would keep receiving notifications.
	pgc := pooled.Hijack()
	defer pgc.Close(context.WithoutCancel(ctx))
	if _, err := pgc.Exec(ctx, "LISTEN "+registry.ChangeChannel); err != nil {
		return err
	}
	start := time.Now()
	if err := e.Load(ctx); err != nil {
		return err
	}
	logger.Info("lookup index loaded", "areas", len(e.snap.Load().areas), "units", len(e.snap.Load().units),
		"elapsed", time.Since(start).Round(time.Millisecond))
	for {
		n, err := pgc.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		batch := []string{n.Payload}
		deadline := time.Now().Add(batchWindow)
		for len(batch) <= fullReloadAbove {
			wctx, cancel := context.WithDeadline(ctx, deadline)
			n, err := pgc.WaitForNotification(wctx)
			cancel()
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if wctx.Err() != nil {
					break // the window closed
				}
				return err
			}
			batch = append(batch, n.Payload)
		}
		if err := e.applyBurst(ctx, batch); err != nil {
			return fmt.Errorf("apply changes: %w", err)
		}
	}
}

// applyBurst re-reads the rows a burst of notifications named and swaps in the updated snapshot.
func (e *Engine) applyBurst(ctx context.Context, payloads []string) error {
	if len(payloads) > fullReloadAbove {
		return e.Load(ctx)
	}
	ids := map[string]map[int64]bool{}
	for _, p := range payloads {
		ch, ok := registry.ParseChange(p)
		if !ok {
			continue
		}
		if ch.Bulk() { // a bulk import announces its rows once, as a range
			return e.Load(ctx)
		}
		if ids[ch.Table] == nil {
			ids[ch.Table] = map[int64]bool{}
		}
		ids[ch.Table][ch.First] = true
	}
	var c change
	var err error
	if c.areaIDs = keys(ids["area"]); len(c.areaIDs) > 0 {
		if c.areas, err = e.store.SpatialAreas(ctx, c.areaIDs); err != nil {
			return err
		}
	}
	if c.unitIDs = keys(ids["admin_unit"]); len(c.unitIDs) > 0 {
		if c.units, err = e.store.SpatialUnits(ctx, c.unitIDs); err != nil {
			return err
		}
	}
	c.postIDs = keys(ids["assignment"])
	c.personPostsFor = keys(ids["person"])
	if len(c.postIDs) > 0 || len(c.personPostsFor) > 0 {
		if c.posts, err = e.store.Posts(ctx, c.postIDs, c.personPostsFor); err != nil {
			return err
		}
	}
	next := e.snap.Load().apply(c)
	if next.index.DeltaLen() > compactAbove {
		next = next.compacted()
	}
	e.snap.Store(next)
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
