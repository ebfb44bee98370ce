package maptiles_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"streetchief/internal/database"
	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/maptiles"
	"streetchief/internal/registry"
)

// within polls f until it holds or the deadline passes.
func within(t *testing.T, d time.Duration, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCommittedChangesReachCachedTilesWithinASecond(t *testing.T) {
	demoCity(t)
	pool := dbtest.Pool(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	engine := lookup.New(registry.NewStore(pool))
	listener := database.NewListener(pool, slog.New(slog.DiscardHandler))
	territoryFeed, incidentFeed := listener.Subscribe(registry.ChangeChannel), listener.Subscribe(incidents.ChangeChannel)
	go engine.Run(ctx, territoryFeed, slog.New(slog.DiscardHandler))
	svc := newService(engine, pool, maptiles.Options{})
	go svc.FollowIncidents(ctx, incidentFeed)
	go listener.Run(ctx)
	within(t, 10*time.Second, "engine loaded", engine.Ready)

	// An area: rename it and watch its tile.
	var areaID int64
	var at orb.Point
	if err := pool.QueryRow(ctx, `SELECT id, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM area
		WHERE kind = 'park' ORDER BY id LIMIT 1`).Scan(&areaID, &at[0], &at[1]); err != nil {
		t.Fatal(err)
	}
	tile := maptile.At(at, 15)
	nameIn := func(layer string) map[float64]geojson.Properties {
		_, ls := mustTile(t, svc, admin, layer, tile, maptiles.Filter{})
		out := map[float64]geojson.Properties{}
		for _, l := range ls {
			for _, f := range l.Features {
				if id, ok := f.ID.(float64); ok { // orb decodes the MVT feature id as a float64
					out[id] = f.Properties
				}
			}
		}
		return out
	}
	if nameIn(maptiles.LayerAreas)[float64(areaID)] == nil {
		t.Fatalf("area %d is not in tile %v", areaID, tile)
	}
	if _, err := pool.Exec(ctx, `UPDATE area SET name = '改名公园' WHERE id = $1`, areaID); err != nil {
		t.Fatal(err)
	}
	committed := time.Now()
	within(t, time.Second, "renamed area in the tile", func() bool {
		return nameIn(maptiles.LayerAreas)[float64(areaID)]["name"] == "改名公园"
	})
	t.Logf("area rename visible after %v", time.Since(committed).Round(time.Millisecond))

	// An incident: close it and watch it leave the open incidents of its tile.
	time.Sleep(200 * time.Millisecond) // let the incident feed LISTEN: it has no readiness signal
	var incID int64
	if err := pool.QueryRow(ctx, `SELECT id, ST_X(location), ST_Y(location) FROM incident
		WHERE status NOT IN ('resolved', 'closed', 'rejected', 'duplicate') ORDER BY id LIMIT 1`).Scan(&incID, &at[0], &at[1]); err != nil {
		t.Fatal(err)
	}
	tile = maptile.At(at, 16)
	present := func() bool {
		_, ls := mustTile(t, svc, admin, maptiles.LayerIncidents, tile, maptiles.Filter{})
		for _, l := range ls {
			for _, f := range l.Features {
				if f.Properties["id"] == float64(incID) {
					return true
				}
			}
		}
		return false
	}
	if !present() {
		t.Fatalf("open incident %d not in tile %v", incID, tile)
	}
	if _, err := pool.Exec(ctx, `UPDATE incident SET status = 'closed' WHERE id = $1`, incID); err != nil {
		t.Fatal(err)
	}
	committed = time.Now()
	within(t, time.Second, "closed incident gone from the open incidents tile", func() bool { return !present() })
	t.Logf("incident close visible after %v", time.Since(committed).Round(time.Millisecond))
	if st := svc.CacheStats(); st.Hits == 0 {
		t.Fatalf("the cache never hit: %+v", st)
	}
}

func TestCacheKeepsToItsByteBudget(t *testing.T) {
	c := demoCity(t)
	svc := newService(loadedEngine(t), dbtest.Pool(t), maptiles.Options{CacheBytes: 64 << 10})
	for _, tile := range tilesOver(cityBound(c), 14) {
		mustTile(t, svc, admin, maptiles.LayerAreas, tile, maptiles.Filter{})
	}
	st := svc.CacheStats()
	if st.Bytes > st.Budget || st.Entries == 0 {
		t.Fatalf("cache holds %d bytes in %d entries over a %d budget", st.Bytes, st.Entries, st.Budget)
	}
	// The most recent tile is still there.
	last := tilesOver(cityBound(c), 14)
	mustTile(t, svc, admin, maptiles.LayerAreas, last[len(last)-1], maptiles.Filter{})
	if after := svc.CacheStats(); after.Hits != st.Hits+1 {
		t.Fatalf("most recent tile was evicted: %+v → %+v", st, after)
	}
}
