package lookup_test

import (
	"context"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"streetchief/internal/database"
	"streetchief/internal/dbtest"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

// The benchmarks run over two cities: the demo city (Scale 1, ~2,500 areas) in the package's test
// database, and the ~100,000-area city that scripts/bench.sh loads into the database named by
// STREETCHIEF_BENCH_DATABASE_URL (skipped without it).

type benchCity struct {
	pool   *pgxpool.Pool
	engine *lookup.Engine
	bound  orb.Bound
}

func openBenchCity(b *testing.B, name string) benchCity {
	b.Helper()
	var pool *pgxpool.Pool
	switch name {
	case "demo":
		demoCity(b)
		pool = dbtest.Pool(b)
	case "100k":
		url := os.Getenv("STREETCHIEF_BENCH_DATABASE_URL")
		if url == "" {
			b.Skip("STREETCHIEF_BENCH_DATABASE_URL not set: make bench loads the 100,000-area city")
		}
		var err error
		if pool, err = database.Open(context.Background(), url, database.Options{MaxConns: 4}); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(pool.Close)
	}
	e := lookup.New(registry.NewStore(pool))
	if err := e.Load(context.Background()); err != nil {
		b.Fatal(err)
	}
	var bound orb.Bound
	err := pool.QueryRow(context.Background(), `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
		FROM (SELECT ST_Extent(geom)::geometry AS e FROM area) x`).Scan(&bound.Min[0], &bound.Min[1], &bound.Max[0], &bound.Max[1])
	if err != nil {
		b.Fatal(err)
	}
	return benchCity{pool: pool, engine: e, bound: bound}
}

func randomPoints(bound orb.Bound, n int) []orb.Point {
	rng := rand.New(rand.NewPCG(42, 7))
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{bound.Min[0] + rng.Float64()*(bound.Max[0]-bound.Min[0]), bound.Min[1] + rng.Float64()*(bound.Max[1]-bound.Min[1])}
	}
	return pts
}

// BenchmarkLookupInProcess is one full answer (covering areas, their people, the chain of chiefs)
// per op on one goroutine, built in reused storage as the lookup handlers build theirs.
func BenchmarkLookupInProcess(b *testing.B) {
	for _, name := range []string{"demo", "100k"} {
		b.Run(name, func(b *testing.B) {
			c := openBenchCity(b, name)
			pts := randomPoints(c.bound, 1<<16)
			var sc lookup.Scratch
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if _, err := c.engine.AnswerWith(lookup.Query{Point: pts[i&(len(pts)-1)]}, &sc); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
		})
	}
}

// BenchmarkLookupPostGIS asks PostGIS the same question, one ST_Covers query per point over the GiST
// index: the baseline the in-process engine must beat 50-fold.
func BenchmarkLookupPostGIS(b *testing.B) {
	for _, name := range []string{"demo", "100k"} {
		b.Run(name, func(b *testing.B) {
			c := openBenchCity(b, name)
			pts := randomPoints(c.bound, 1<<16)
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				p := pts[i&(len(pts)-1)]
				var ids []int64
				if err := c.pool.QueryRow(ctx, `SELECT COALESCE(array_agg(id), '{}') FROM area
					WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))`, p[0], p[1]).Scan(&ids); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
		})
	}
}

// BenchmarkLookupBatch1M answers a million scattered points in process on one goroutine: "input
// order" one after another as given, "spatial order" through AnswerEach, as the batch endpoint does.
func BenchmarkLookupBatch1M(b *testing.B) {
	for _, name := range []string{"demo", "100k"} {
		b.Run(name+"/input-order", func(b *testing.B) {
			c := openBenchCity(b, name)
			pts := randomPoints(c.bound, 1_000_000)
			var sc lookup.Scratch
			b.ResetTimer()
			for b.Loop() {
				for _, p := range pts {
					if _, err := c.engine.AnswerWith(lookup.Query{Point: p}, &sc); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/1M-points")
		})
		b.Run(name+"/spatial-order", func(b *testing.B) {
			c := openBenchCity(b, name)
			pts := randomPoints(c.bound, 1_000_000)
			b.ResetTimer()
			for b.Loop() {
				areas := 0
				err := c.engine.AnswerEach(lookup.Query{}, pts, func(_ int, a lookup.Answer) error {
					areas += len(a.Areas)
					return nil
				})
				if err != nil || areas == 0 {
					b.Fatal(err, areas)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/1M-points")
		})
	}
}

// BenchmarkLoadFromPostGIS builds the whole index from the database and reports the memory it keeps.
func BenchmarkLoadFromPostGIS(b *testing.B) {
	for _, name := range []string{"demo", "100k"} {
		b.Run(name, func(b *testing.B) {
			c := openBenchCity(b, name)
			var retained float64
			for b.Loop() {
				var before, after runtime.MemStats
				c.engine = nil
				runtime.GC()
				runtime.ReadMemStats(&before)
				e := lookup.New(registry.NewStore(c.pool))
				start := time.Now()
				if err := e.Load(context.Background()); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(time.Since(start).Seconds(), "s/load")
				runtime.GC()
				runtime.ReadMemStats(&after)
				retained = float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
				runtime.KeepAlive(e)
			}
			b.ReportMetric(retained, "MB-retained")
		})
	}
}

// BenchmarkIndexMemory loads the snapshot once and reports what it keeps: live heap (HeapInuse) and
// resident memory (VmRSS from /proc/self/status), both as the growth over the process before the
// load, after a forced collection that returns freed pages to the kernel, per area of the city. Run
// it alone (-bench IndexMemory) so that nothing else in the process has grown its heap.
func BenchmarkIndexMemory(b *testing.B) {
	for _, name := range []string{"demo", "100k"} {
		b.Run(name, func(b *testing.B) {
			c := openBenchCity(b, name)
			var areas int
			if err := c.pool.QueryRow(context.Background(), `SELECT count(*) FROM area`).Scan(&areas); err != nil {
				b.Fatal(err)
			}
			c.engine = nil
			var heap, rss float64
			for b.Loop() {
				heap0, rss0 := settledMemory(b)
				e := lookup.New(registry.NewStore(c.pool))
				if err := e.Load(context.Background()); err != nil {
					b.Fatal(err)
				}
				heap1, rss1 := settledMemory(b)
				heap, rss = float64(heap1)-float64(heap0), float64(rss1)-float64(rss0)
				runtime.KeepAlive(e)
			}
			b.ReportMetric(heap/float64(areas), "heap-B/area")
			b.ReportMetric(rss/float64(areas), "RSS-B/area")
			b.ReportMetric(heap/(1<<20), "heap-MiB")
			b.ReportMetric(rss/(1<<20), "RSS-MiB")
		})
	}
}

// settledMemory collects garbage, hands freed pages back to the kernel and reads HeapInuse and VmRSS.
func settledMemory(b *testing.B) (heapInuse, vmRSS uint64) {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if kb, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return ms.HeapInuse, n << 10
		}
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0, 0
}
