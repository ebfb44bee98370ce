package maptiles_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb/maptile"

	"streetchief/internal/dbtest"
	"streetchief/internal/maptiles"
)

// areasMVTSQL is the one-statement PostGIS tile of the areas layer with the same attributes: the
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
)
SELECT ST_AsMVT(rows.*, 'areas', 4096, 'geom', 'id') FROM rows WHERE geom IS NOT NULL`

// tileBench renders every tile with draw b.N times and reports the median and 95th percentile per
// tile, the mean raw (uncompressed) size and the mean gzipped size.
func tileBench(b *testing.B, ts []maptile.Tile, draw func(maptile.Tile) (raw, gz int)) {
	var per []time.Duration
	var rawSum, gzSum, n int
	b.ResetTimer()
	for range b.N {
		for _, t := range ts {
			start := time.Now()
			raw, gz := draw(t)
			per = append(per, time.Since(start))
			rawSum, gzSum, n = rawSum+raw, gzSum+gz, n+1
		}
	}
	b.StopTimer()
	slices.Sort(per)
	b.ReportMetric(float64(per[len(per)/2].Microseconds()), "median-µs/tile")
	b.ReportMetric(float64(per[len(per)*95/100].Microseconds()), "p95-µs/tile")
	b.ReportMetric(float64(rawSum/n), "raw-B/tile")
	b.ReportMetric(float64(gzSum/n), "gzip-B/tile")
	b.ReportMetric(float64(len(ts)), "tiles")
}

// BenchmarkAreasZ14 draws every zoom-14 tile over the demo city without a cache, through the Go
// path (in-memory snapshot → tiles → gzip, as the server does) and through PostGIS's ST_AsMVT.
func BenchmarkAreasZ14(b *testing.B) {
	c := demoCity(b)
	pool := dbtest.Pool(b)
	ts := tilesOver(cityBound(c), 14)
	ctx := context.Background()
	b.Run("go", func(b *testing.B) {
		svc := maptiles.NewService(loadedEngine(b), pool, maptiles.Options{CacheBytes: -1})
		tileBench(b, ts, func(t maptile.Tile) (int, int) {
			got, err := svc.Tile(ctx, admin, maptiles.Request{Layer: maptiles.LayerAreas, Tile: t})
			if err != nil {
				b.Fatal(err)
			}
			return gunzippedLen(b, got.Gzipped), len(got.Gzipped)
		})
	})
	b.Run("postgis", func(b *testing.B) {
		tileBench(b, ts, func(t maptile.Tile) (int, int) {
			var mvt []byte
			if err := pool.QueryRow(ctx, areasMVTSQL, int(t.Z), int(t.X), int(t.Y)).Scan(&mvt); err != nil {
				b.Fatal(err)
			}
			return len(mvt), gzippedLen(b, mvt)
		})
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
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Len()
}
