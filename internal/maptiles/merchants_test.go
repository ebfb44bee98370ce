package maptiles_test

import (
	"context"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/maptiles"
	"streetchief/internal/merchants"
)

// shopsSum is what the demo's 门前三包 register wrote (demoCity seeds it).
var shopsSum merchants.DemoSummary

func demoShops(tb testing.TB) merchants.DemoSummary {
	tb.Helper()
	demoCity(tb)
	return shopsSum
}

// The demo city's register: at least 2,000 shops, most of them pledged and checked, a few
// deliberate gaps, and the demo inspector's own set.
func TestDemoRegisterLinesTheStreets(t *testing.T) {
	sum := demoShops(t)
	t.Logf("demo register: %s", sum)
	if sum.Shops < 2000 || sum.Pledged < sum.Shops*85/100 || sum.Pledged == sum.Shops ||
		sum.WithInspector < sum.Shops*95/100 || sum.WithInspector == sum.Shops || sum.InspectorShops == 0 {
		t.Fatalf("demo register: %+v", sum)
	}
	ctx := context.Background()
	var communities, bad int
	err := dbtest.Pool(t).QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE n NOT BETWEEN 1 AND 4) FROM (
		SELECT m.community_id, count(DISTINCT i.person_id) AS n FROM merchant m JOIN merchant_inspector i ON i.merchant_id = m.id
		WHERE m.community_id IS NOT NULL GROUP BY m.community_id) x`).Scan(&communities, &bad)
	if err != nil || communities < 10 || bad != 0 {
		t.Fatalf("%d communities with shops, %d without 1–3 inspectors (and the demo inspector): %v", communities, bad, err)
	}
}

func merchantFeatures(ls mvt.Layers) []map[string]any {
	var out []map[string]any
	for _, l := range ls {
		if l.Name != maptiles.LayerMerchants {
			continue
		}
		for _, f := range l.Features {
			out = append(out, f.Properties)
		}
	}
	return out
}

func TestMerchantTilesShowStatesOnlyInScopeAndNoNames(t *testing.T) {
	demoShops(t)
	ctx := context.Background()
	pool := dbtest.Pool(t)
	svc := newService(loadedEngine(t), pool, maptiles.Options{CacheBytes: -1})
	var at orb.Point
	var sub, com int64
	if err := pool.QueryRow(ctx, `SELECT ST_X(location), ST_Y(location), subdistrict_id, community_id FROM merchant
		WHERE community_id IS NOT NULL ORDER BY id LIMIT 1`).Scan(&at[0], &at[1], &sub, &com); err != nil {
		t.Fatal(err)
	}
	admin := access.System("test")
	tile := maptile.At(at, 16)
	_, ls := mustTile(t, svc, admin, maptiles.LayerMerchants, tile, maptiles.Filter{})
	feats := merchantFeatures(ls)
	if len(feats) == 0 {
		t.Fatalf("no shops in %v around %v", tile, at)
	}
	for _, p := range feats {
		if _, named := p["name"]; named || p["state"] == nil {
			t.Fatalf("tile feature %v", p)
		}
	}
	// A lane chief of another community sees none of this community's shops.
	var other int64
	if err := pool.QueryRow(ctx, `SELECT id FROM unit_directory WHERE level = 'community' AND id <> $1 ORDER BY id LIMIT 1`, com).Scan(&other); err != nil {
		t.Fatal(err)
	}
	lane := access.Principal{Username: "lane", Role: access.LaneChief, Scope: access.Scope{Communities: []int64{other}}}
	_, ls = mustTile(t, svc, lane, maptiles.LayerMerchants, tile, maptiles.Filter{})
	for _, p := range merchantFeatures(ls) {
		var c int64
		if err := pool.QueryRow(ctx, `SELECT COALESCE(community_id, 0) FROM merchant WHERE id = $1`, int64(p["id"].(float64))).Scan(&c); err != nil || c != other {
			t.Fatalf("lane chief of %d sees shop %v of community %d", other, p["id"], c)
		}
	}
	// Anonymous callers get nothing.
	if _, err := svc.Tile(ctx, access.Anonymous(""), maptiles.Request{Layer: maptiles.LayerMerchants, Tile: tile}); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("anonymous: %v", err)
	}
	// Zoomed out they cluster, with counts by state.
	_, ls = mustTile(t, svc, admin, maptiles.LayerMerchants, maptile.At(at, 12), maptiles.Filter{})
	clustered := false
	for _, p := range merchantFeatures(ls) {
		if n, _ := p["count"].(float64); n > 1 {
			clustered = true
		}
	}
	if !clustered {
		t.Fatal("no clusters at zoom 12")
	}
	// A change shows within a second.
	before, _ := mustTile(t, svc, admin, maptiles.LayerMerchants, tile, maptiles.Filter{})
	if _, err := pool.Exec(ctx, `UPDATE merchant_inspector SET voided_at = now(), void_reason = 'test' WHERE merchant_id IN
		(SELECT id FROM merchant WHERE location && ST_MakeEnvelope($1 - 0.0005, $2 - 0.0005, $1 + 0.0005, $2 + 0.0005, 4326))`, at[0], at[1]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	after, _ := mustTile(t, svc, admin, maptiles.LayerMerchants, tile, maptiles.Filter{})
	if string(before.Gzipped) == string(after.Gzipped) {
		t.Fatal("the tile did not change after its shops lost their inspectors")
	}
}
