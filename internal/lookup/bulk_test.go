package lookup_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/dbtest"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

// A bulk import pauses the per-row notify trigger and announces its rows once, as a range
// ("area:insert:<first>-<last>", registry.Import); the index must take them all in within a second.
func TestBulkAnnouncementReachesTheIndexWithinOneSecond(t *testing.T) {
	pool := dbtest.Pool(t)
	e := lookup.New(registry.NewStore(pool))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runLive(ctx, e, pool)
	waitFor(t, 10*time.Second, "initial load", func() bool { return e.Ready() })

	west, east := orb.Point{119.5005, 27.5005}, orb.Point{119.5105, 27.5005}
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var first, last int64
		if _, err := tx.Exec(ctx, `ALTER TABLE area DISABLE TRIGGER area_notify`); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `WITH ins AS (INSERT INTO area (kind, name, geom) VALUES
				('square', '西广场', ST_Multi(ST_MakeEnvelope(119.5, 27.5, 119.501, 27.501, 4326))),
				('square', '东广场', ST_Multi(ST_MakeEnvelope(119.51, 27.5, 119.511, 27.501, 4326))) RETURNING id)
			SELECT min(id), max(id) FROM ins`).Scan(&first, &last)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `ALTER TABLE area ENABLE TRIGGER area_notify`); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `SELECT pg_notify($1, 'area:insert:' || $2::bigint || '-' || $3::bigint)`, registry.ChangeChannel, first, last)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	waitFor(t, time.Second, "bulk-loaded areas", func() bool {
		return len(answer(t, e, west).Areas) == 1 && len(answer(t, e, east).Areas) == 1
	})
	t.Logf("bulk-loaded areas visible after %s", time.Since(start).Round(time.Millisecond))
}
