package maptiles_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"streetchief/internal/database"
	"streetchief/internal/dbtest"
	"streetchief/internal/lookup"
	"streetchief/internal/maptiles"
	"streetchief/internal/registry"
	"streetchief/tiles"
)

// areasMVTSQL is the one-statement PostGIS tile of the areas layer with the same attributes and the
// same generalisation ($4: below zoom $5 areas under $4 square tile units are left out): the
// baseline pg_tileserv-style servers use. The envelope is taken to 4326 so the GiST index is used.
const areasMVTSQL = `
WITH env AS (
    SELECT ST_TileEnvelope($1, $2, $3) AS merc,
           ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326) AS wgs
), rows AS (
    SELECT a.id, a.kind, a.name, COALESCE(a.subdistrict_id, 0) AS subdistrict_id, COALESCE(a.community_id, 0) AS community_id,
           COALESCE(h.names, '') AS responsible, h.names IS NOT NULL AS covered,
           ST_AsMVTGeom(ST_Transform(a.geom, 3857), env.merc, 4096, 64, true) AS geom
    FROM area a CROSS JOIN env
    LEFT JOIN LATERAL (
        SELECT string_agg(p.name, '、' ORDER BY s.is_primary DESC, s.id) AS names
        FROM assignment s JOIN person p ON p.id = s.person_id
        WHERE s.area_id = a.id AND s.valid @> now()
    ) h ON true
    WHERE a.geom && env.wgs
      AND ($1 >= $5 OR ST_Area(ST_Transform(a.geom, 3857)) >= $4::float8 * (40075016.68557849 / (4096 * 2 ^ $1)) ^ 2)
)
SELECT ST_AsMVT(rows.*, 'areas', 4096, 'geom', 'id') FROM rows WHERE geom IS NOT NULL`

// drawFunc makes one tile and returns its bytes and whether they are gzipped.
type drawFunc func(maptile.Tile) (out []byte, gzipped bool)

// pathStats collects one path's per-tile times and sizes.
type pathStats struct {
	per           []time.Duration
	rawLen, gzLen []int
	prefix        string
	draw          drawFunc
	tb            testing.TB
}

func (p *pathStats) measureSizes(ts []maptile.Tile) {
	for _, t := range ts { // also warms the path up: plans, buffers, pools; the tile cache stays off
		out, gzipped := p.draw(t)
		if gzipped {
			p.rawLen, p.gzLen = append(p.rawLen, gunzippedLen(p.tb, out)), append(p.gzLen, len(out))
		} else {
			p.rawLen, p.gzLen = append(p.rawLen, len(out)), append(p.gzLen, gzippedLen(p.tb, out))
		}
	}
}

func (p *pathStats) time(t maptile.Tile) {
	start := time.Now()
	p.draw(t)
	p.per = append(p.per, time.Since(start))
}

func (p *pathStats) report(b *testing.B) (median, p95 time.Duration) {
	slices.Sort(p.per)
	median, p95 = p.per[len(p.per)/2], p.per[len(p.per)*95/100]
	mean := func(xs []int) float64 {
		s := 0
		for _, x := range xs {
			s += x
		}
		return float64(s / len(xs))
	}
	b.ReportMetric(float64(median.Microseconds()), p.prefix+"median-µs/tile")
	b.ReportMetric(float64(p95.Microseconds()), p.prefix+"p95-µs/tile")
	b.ReportMetric(mean(p.rawLen), p.prefix+"raw-B/tile")
	b.ReportMetric(mean(p.gzLen), p.prefix+"gzip-B/tile")
	b.ReportMetric(float64(slices.Max(p.rawLen)), p.prefix+"max-raw-B")
	b.ReportMetric(float64(slices.Max(p.gzLen)), p.prefix+"max-gzip-B")
	return median, p95
}

// compareTiles draws every tile b.N times with the Go path and the SQL path in turn, tile by tile,
// so both see the same machine load, and reports for each path the median and 95th percentile
// time per tile and the mean and largest raw and gzipped sizes, and the SQL/Go time ratios.
func compareTiles(b *testing.B, ts []maptile.Tile, goDraw, sqlDraw drawFunc) {
	paths := []*pathStats{{prefix: "go-", draw: goDraw, tb: b}, {prefix: "sql-", draw: sqlDraw, tb: b}}
	for _, p := range paths {
		p.measureSizes(ts)
	}
	for b.Loop() {
		for _, t := range ts {
			for _, p := range paths {
				p.time(t)
			}
		}
	}
	goMedian, goP95 := paths[0].report(b)
	sqlMedian, sqlP95 := paths[1].report(b)
	b.ReportMetric(float64(sqlMedian)/float64(goMedian), "sql/go-median")
	b.ReportMetric(float64(sqlP95)/float64(goP95), "sql/go-p95")
	b.ReportMetric(float64(len(ts)), "tiles")
}

// benchAreas compares the two ways of producing the areas layer's tiles, uncached: to raw MVT
// bytes (what ST_AsMVT returns), and to the gzipped bytes the cache stores (Go: the server's own
// path with gzip and SHA-256 ETag; SQL: the statement, then the same gzip). skipped counts the
// sampled tiles left out as empty on both paths, for the report.
func benchAreas(b *testing.B, engine *lookup.Engine, pool *pgxpool.Pool, ts []maptile.Tile, skipped int) {
	ctx := context.Background()
	svc := newService(engine, pool, maptiles.Options{CacheBytes: -1})
	minArea, fullZoom := maptiles.AreasGeneralisation()
	postgis := func(t maptile.Tile) []byte {
		var mvt []byte
		if err := pool.QueryRow(ctx, areasMVTSQL, int(t.Z), int(t.X), int(t.Y), minArea, int(fullZoom)).Scan(&mvt); err != nil {
			b.Fatal(err)
		}
		return mvt
	}
	b.Run("raw", func(b *testing.B) {
		defer b.ReportMetric(float64(skipped), "skipped-tiles") // after b.Loop, which clears metrics
		compareTiles(b, ts, func(t maptile.Tile) ([]byte, bool) {
			raw, err := svc.RawTerritoryTile(maptiles.LayerAreas, t)
			if err != nil {
				b.Fatal(err)
			}
			return raw, false
		}, func(t maptile.Tile) ([]byte, bool) { return postgis(t), false })
	})
	b.Run("gzip", func(b *testing.B) {
		defer b.ReportMetric(float64(skipped), "skipped-tiles")
		compareTiles(b, ts, func(t maptile.Tile) ([]byte, bool) {
			got, err := svc.Tile(ctx, admin, maptiles.Request{Layer: maptiles.LayerAreas, Tile: t})
			if err != nil {
				b.Fatal(err)
			}
			return got.Gzipped, true
		}, func(t maptile.Tile) ([]byte, bool) {
			gz, err := tiles.Gzip(postgis(t))
			if err != nil {
				b.Fatal(err)
			}
			return gz, true
		})
	})
}

// BenchmarkAreasZ14 draws every zoom-14 tile over the demo city.
func BenchmarkAreasZ14(b *testing.B) {
	c := demoCity(b)
	pool := dbtest.Pool(b)
	// The test database was just loaded: without statistics the planner's first plans for the SQL
	// path are poor until autovacuum happens to analyse, which made its times swing tenfold.
	if _, err := pool.Exec(context.Background(), "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	benchAreas(b, loadedEngine(b), pool, tilesOver(cityBound(c), 14), 0)
}

// BenchmarkAreasRandom100k draws 200 random tiles of zooms 10–16 over the ~100,000-area city that
// make bench loads into STREETCHIEF_BENCH_DATABASE_URL (skipped without it). Tiles below the
// areas layer's minzoom are empty on both paths (a tile server with that minzoom runs no query),
// so they are left out of the figures; the log says how many there were.
func BenchmarkAreasRandom100k(b *testing.B) {
	url := os.Getenv("STREETCHIEF_BENCH_DATABASE_URL")
	if url == "" {
		b.Skip("STREETCHIEF_BENCH_DATABASE_URL not set: make bench loads the 100,000-area city")
	}
	ctx := context.Background()
	pool, err := database.Open(ctx, url, database.Options{MaxConns: 4})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	engine := lookup.New(registry.NewStore(pool))
	if err := engine.Load(ctx); err != nil {
		b.Fatal(err)
	}
	var bound orb.Bound
	err = pool.QueryRow(ctx, `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
		FROM (SELECT ST_Extent(geom)::geometry AS e FROM area) x`).Scan(&bound.Min[0], &bound.Min[1], &bound.Max[0], &bound.Max[1])
	if err != nil {
		b.Fatal(err)
	}
	minZoom := maptile.Zoom(0)
	if info, ok := maptiles.Layer(maptiles.LayerAreas); ok {
		minZoom = maptile.Zoom(info.MinZoom)
	}
	rng := rand.New(rand.NewPCG(42, 14))
	var ts []maptile.Tile
	below := 0
	for range 200 {
		z := maptile.Zoom(10 + rng.IntN(7))
		p := orb.Point{bound.Min[0] + rng.Float64()*(bound.Max[0]-bound.Min[0]), bound.Min[1] + rng.Float64()*(bound.Max[1]-bound.Min[1])}
		if z < minZoom {
			below++
			continue
		}
		ts = append(ts, maptile.At(p, z))
	}
	benchAreas(b, engine, pool, ts, below)
	// The 500 KB ceiling is about the worst tile, which a random sample may miss: every tile from
	// the minzoom to 14 (deeper tiles cover a quarter of the ground per zoom, with the same
	// features at full detail from 13 on), Go path only.
	b.Run("largest", func(b *testing.B) {
		var all []maptile.Tile
		for z := minZoom; z <= 14; z++ {
			all = append(all, tilesOver(bound, z)...)
		}
		svc := newService(engine, pool, maptiles.Options{CacheBytes: -1})
		var rawMax, gzMax int
		for b.Loop() {
			for _, t := range all {
				raw, err := svc.RawTerritoryTile(maptiles.LayerAreas, t)
				if err != nil {
					b.Fatal(err)
				}
				rawMax = max(rawMax, len(raw))
				gzMax = max(gzMax, gzippedLen(b, raw))
			}
		}
		b.ReportMetric(float64(len(all)), "tiles")
		b.ReportMetric(float64(rawMax), "go-max-raw-B")
		b.ReportMetric(float64(gzMax), "go-max-gzip-B")
	})
}

func gunzippedLen(tb testing.TB, gz []byte) int {
	if gz == nil {
		return 0
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		tb.Fatal(err)
	}
	n, err := io.Copy(io.Discard, zr)
	if err != nil {
		tb.Fatal(err)
	}
	return int(n)
}

func gzippedLen(tb testing.TB, b []byte) int {
	if b == nil {
		return 0
	}
	gz, err := tiles.Gzip(b)
	if err != nil {
		tb.Fatal(err)
	}
	return len(gz)
}
