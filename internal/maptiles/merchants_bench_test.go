package maptiles_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/maptiles"
)

// benchShops is a dense district of 100,000 shops in a 0.1° square (about 10 × 11 km, a thousand
// shops a square kilometre): 90 % pledged, 95 % with an inspector, 30 % inspected today.
var (
	benchShopsOnce sync.Once
	benchShopsErr  error
	benchShopsBox  = orb.Bound{Min: orb.Point{111.0, 22.0}, Max: orb.Point{111.1, 22.1}}
)

func seedBenchShops(tb testing.TB) {
	tb.Helper()
	benchShopsOnce.Do(func() {
		ctx := context.Background()
		pool := dbtest.Pool(tb)
		_, benchShopsErr = pool.Exec(ctx, `
			INSERT INTO person (name, active) VALUES ('压测包户员', true);
			INSERT INTO merchant (source_key, name, location)
				SELECT 'bench:' || g, '压测店' || g, ST_SetSRID(ST_MakePoint(111.0 + random() * 0.1, 22.0 + random() * 0.1), 4326)
				FROM generate_series(1, 100000) g;
			INSERT INTO merchant_pledge (merchant_id, signed_on, valid)
				SELECT id, current_date - 30, daterange(current_date - 30, current_date + 335) FROM merchant
				WHERE source_key LIKE 'bench:%' AND id % 10 <> 0;
			INSERT INTO merchant_inspector (merchant_id, person_id, valid)
				SELECT m.id, (SELECT max(id) FROM person), tstzrange(now() - interval '60 days', NULL) FROM merchant m
				WHERE m.source_key LIKE 'bench:%' AND m.id % 20 <> 0;
			INSERT INTO merchant_inspection (merchant_id, at, visit_day, position, accuracy_m, distance_m, off_site_limit_m, off_site, results, violations)
				SELECT m.id, now() - interval '1 minute', current_date, m.location, 5, 0, 50, false, '[{"item":"order","ok":true}]', 0
				FROM merchant m WHERE m.source_key LIKE 'bench:%' AND m.id % 10 < 3;
`)
		// As autovacuum would have by the time anyone looks: statistics, and the visibility map that
		// index-only scans need.
		for _, t := range []string{"merchant", "merchant_pledge", "merchant_inspector", "merchant_inspection"} {
			if benchShopsErr == nil {
				_, benchShopsErr = pool.Exec(ctx, "VACUUM ANALYZE "+t)
			}
		}
	})
	if benchShopsErr != nil {
		tb.Fatal(benchShopsErr)
	}
}

// BenchmarkMerchantsTileZ15 draws the merchants layer's z15 tiles over the 100,000-shop district,
// uncached, as a district-wide caller: read the shops and their state, encode, gzip.
func BenchmarkMerchantsTileZ15(b *testing.B) {
	seedBenchShops(b)
	svc := newService(nil, dbtest.Pool(b), maptiles.Options{CacheBytes: -1})
	ts := tilesOver(benchShopsBox, 15)
	who := access.System("bench")
	ctx := context.Background()
	var per []time.Duration
	features := 0
	b.ResetTimer()
	i := 0
	for b.Loop() {
		t := ts[i%len(ts)]
		i++
		start := time.Now()
		tile, err := svc.Tile(ctx, who, maptiles.Request{Layer: maptiles.LayerMerchants, Tile: t})
		if err != nil {
			b.Fatal(err)
		}
		per = append(per, time.Since(start))
		features += len(tile.Gzipped)
	}
	slices.Sort(per)
	b.ReportMetric(float64(per[len(per)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(per[len(per)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(features)/float64(len(per))/1024, "KB-gz/tile")
	b.ReportMetric(float64(len(ts)), "tiles")
}
