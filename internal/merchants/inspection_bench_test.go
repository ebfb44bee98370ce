package merchants_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/auth"
	"streetchief/internal/dbtest"
	"streetchief/internal/httpapi"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/merchants"
	"streetchief/internal/registry"
)

// benchCity is a district of 10 subdistricts of 10 communities each with STREETCHIEF_BENCH_SHOPS
// shops (default 100,000), nine in ten pledged and nineteen in twenty with an inspector, and a year of
// STREETCHIEF_BENCH_INSPECTIONS inspections up to now (default 3,000,000: a large district's year),
// 3 % off-site and 5 % with a violation. Built once per benchmark binary.
type benchCity struct {
	store  *merchants.Store
	server *httpapi.Server
	// async and asyncServer commit without waiting for the WAL flush: what is left of an
	// inspection's cost when the disk's fsync is taken out.
	async       *merchants.Store
	asyncServer *httpapi.Server
	shops       []int64
	points      []orb.Point
	admin       access.Principal
	token       string
	buildErr    error
}

var (
	benchOnce sync.Once
	bench     benchCity
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// benchShop is where shop k of the bench city stands: a grid over the 10 × 10 communities.
func benchShop(k, shops int) orb.Point {
	side := 1
	for side*side < shops {
		side++
	}
	return orb.Point{120 + 0.2*(float64(k%side)+0.5)/float64(side), 30 + 0.2*(float64(k/side)+0.5)/float64(side)}
}

func loadBenchCity(b *testing.B) *benchCity {
	b.Helper()
	benchOnce.Do(func() { bench.buildErr = buildBenchCity(b) })
	if bench.buildErr != nil {
		b.Fatal(bench.buildErr)
	}
	return &bench
}

func buildBenchCity(b *testing.B) error {
	ctx := context.Background()
	pool, url := dbtest.Pool(b), dbtest.URL(b)
	// STREETCHIEF_BENCH_INSPECTION_CITY names a database that already holds the bench city (built by
	// an earlier run of these benchmarks' steps), to measure again without six minutes of set-up.
	built := os.Getenv("STREETCHIEF_BENCH_INSPECTION_CITY")
	if built != "" {
		p, err := pgxpool.New(ctx, built)
		if err != nil {
			return err
		}
		pool, url = p, built
	}
	reg := registry.NewStore(pool)
	shops, inspections := envInt("STREETCHIEF_BENCH_SHOPS", 100_000), envInt("STREETCHIEF_BENCH_INSPECTIONS", 3_000_000)
	t0 := time.Now()
	if built == "" {
		if err := generateBenchCity(ctx, pool, reg, shops, inspections); err != nil {
			return err
		}
	}
	return openBenchCity(b, ctx, pool, url, reg, shops, inspections, t0)
}

func generateBenchCity(ctx context.Context, pool *pgxpool.Pool, reg *registry.Store, shops, inspections int) error {
	box := func(x, y, d float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}}
	}
	city, err := reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "city", Code: "bc", Name: "城", Boundary: box(120, 30, 0.2)})
	if err != nil {
		return err
	}
	dist, err := reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "district", ParentID: city.ID, Code: "bd", Name: "区", Boundary: box(120, 30, 0.2)})
	if err != nil {
		return err
	}
	for i := range 10 {
		sub, err := reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "subdistrict", ParentID: dist.ID, Code: fmt.Sprintf("bs%d", i),
			Name: fmt.Sprintf("第%d街道", i+1), Boundary: box(120, 30+0.02*float64(i), 0.02)})
		if err != nil {
			return err
		}
		for j := range 10 {
			if _, err := reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "community", ParentID: sub.ID, Code: fmt.Sprintf("bc%d-%d", i, j),
				Name: fmt.Sprintf("第%d-%d社区", i+1, j+1), Boundary: box(120+0.02*float64(j), 30+0.02*float64(i), 0.02)}); err != nil {
				return err
			}
		}
	}
	side := 1
	for side*side < shops {
		side++
	}
	steps := []string{
		`INSERT INTO person (name, active) SELECT '督查员' || g, true FROM generate_series(1, 1000) g`,
		fmt.Sprintf(`INSERT INTO merchant (name, location, status_since)
			SELECT '商户' || g, ST_SetSRID(ST_MakePoint(120 + 0.2 * ((g %% %[1]d) + 0.5) / %[1]d, 30 + 0.2 * ((g / %[1]d) + 0.5) / %[1]d), 4326), '2025-01-01'
			FROM generate_series(0, %[2]d - 1) g`, side, shops),
		`INSERT INTO merchant_pledge (merchant_id, signed_on, valid)
			SELECT id, '2025-01-01', daterange('2025-01-01', '2030-01-01') FROM merchant WHERE id % 10 <> 0`,
		`INSERT INTO merchant_inspector (merchant_id, person_id, valid)
			SELECT m.id, p.id, tstzrange('2025-01-01', NULL) FROM merchant m
			JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM person WHERE name LIKE '督查员%') p ON p.k = m.id % 1000
			WHERE m.id % 20 <> 0`,
		fmt.Sprintf(`INSERT INTO merchant_inspection (merchant_id, inspector_person_id, at, visit_day, received_at, position,
				accuracy_m, distance_m, off_site_limit_m, off_site, results, violations)
			SELECT m.id, NULL, a.at, (a.at AT TIME ZONE 'Asia/Shanghai')::date, a.at, m.location, 10,
				CASE WHEN g %% 33 = 0 THEN 250 ELSE 5 END, 60, g %% 33 = 0,
				CASE WHEN g %% 20 = 0 THEN '[{"item":"order","ok":false,"category":"street_occupying"}]'::jsonb
				     ELSE '[{"item":"sanitation","ok":true},{"item":"order","ok":true},{"item":"greenery","ok":true}]'::jsonb END,
				CASE WHEN g %% 20 = 0 THEN 1 ELSE 0 END
			FROM generate_series(0, %[1]d - 1) g
			CROSS JOIN LATERAL (SELECT now() - interval '365 days' + (g::float8 / %[1]d) * interval '365 days' AS at) a
			JOIN merchant m ON m.id = (SELECT min(id) FROM merchant) + (g::bigint * 7919) %% %[2]d`, inspections, shops),
		`VACUUM ANALYZE merchant`, `VACUUM ANALYZE merchant_pledge`, `VACUUM ANALYZE merchant_inspector`, `VACUUM ANALYZE merchant_inspection`,
	}
	for _, q := range steps {
		if _, err := pool.Exec(ctx, q); err != nil {
			return fmt.Errorf("%.80s: %w", q, err)
		}
	}
	return nil
}

func openBenchCity(b *testing.B, ctx context.Context, pool *pgxpool.Pool, url string, reg *registry.Store, shops, inspections int, t0 time.Time) error {
	engine := lookup.New(reg)
	if err := engine.Load(ctx); err != nil {
		return err
	}
	inc := incidents.NewService(pool, engine, incidents.Options{})
	bench.store = merchants.NewStore(pool, reg, inc, nil, merchants.Rules{})
	bench.admin = access.Principal{Role: access.Admin, Username: "bench", Scope: access.Scope{All: true}}
	rows, err := pool.Query(ctx, `SELECT id FROM merchant ORDER BY id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		bench.shops = append(bench.shops, id)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for k := range bench.shops {
		bench.points = append(bench.points, benchShop(k, shops))
	}
	svc := auth.NewService(pool, auth.Options{})
	u, err := svc.AddUser(ctx, system, auth.UserInput{Username: "bench-admin-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		Password: "correct horse battery", Role: access.Admin})
	if err != nil {
		return err
	}
	if bench.token, _, err = svc.IssueToken(ctx, system, u.ID, "bench", time.Hour); err != nil {
		return err
	}
	bench.server = httpapi.New(httpapi.Deps{DB: pool, Registry: reg, Auth: svc, Incidents: inc, Merchants: bench.store, Lookup: engine})
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return err
	}
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
	asyncPool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	asyncInc := incidents.NewService(asyncPool, engine, incidents.Options{})
	bench.async = merchants.NewStore(asyncPool, reg, asyncInc, nil, merchants.Rules{})
	bench.asyncServer = httpapi.New(httpapi.Deps{DB: asyncPool, Registry: reg, Auth: auth.NewService(asyncPool, auth.Options{}),
		Incidents: asyncInc, Merchants: bench.async, Lookup: engine})
	b.Logf("bench city: %d shops, %d inspections, built in %s", len(bench.shops), inspections, time.Since(t0).Round(time.Second))
	return nil
}

// BenchmarkCoverageDistrictDay counts the whole district's coverage for one day, by community.
func BenchmarkCoverageDistrictDay(b *testing.B) {
	c := loadBenchCity(b)
	ctx := context.Background()
	p, err := merchants.ParseCoveragePeriod("day", time.Now().AddDate(0, 0, -3).In(incidents.Beijing).Format(time.DateOnly), time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		cov, err := c.store.Coverage(ctx, c.admin, merchants.ByCommunity, p)
		if err != nil {
			b.Fatal(err)
		}
		if cov.Total.Shops != len(c.shops) || len(cov.Rows) < 100 {
			b.Fatalf("coverage of %d shops in %d rows", cov.Total.Shops, len(cov.Rows))
		}
	}
}

// benchBody is an inspection of shop k with a violation, so the repeat-offender rule counts.
func (c *benchCity) body(k int) string {
	p := c.points[k]
	return fmt.Sprintf(`{"merchant_id":%d,"at":%q,"lon":%.7f,"lat":%.7f,"accuracy_m":12,"results":[{"item":"sanitation","ok":true},
		{"item":"order","ok":false,"category":"street_occupying"},{"item":"greenery","ok":true}],"note":"门前堆放货物,已劝导"}`,
		c.shops[k], time.Now().Add(-time.Minute).Format(time.RFC3339), p[0]+0.0001, p[1])
}

// BenchmarkInspectionAccepted decodes, checks, locates, judges off-site and runs the repeat-offender
// rule for one inspection of a different shop each time, through the Store; commit=sync waits for
// the WAL flush as the server does, commit=async shows the cost without the disk's fsync.
func BenchmarkInspectionAccepted(b *testing.B) {
	c := loadBenchCity(b)
	ctx := context.Background()
	for _, mode := range []struct {
		name  string
		store *merchants.Store
	}{{"commit=sync", c.store}, {"commit=async", c.async}} {
		b.Run(mode.name, func(b *testing.B) {
			k := 0
			for b.Loop() {
				k = (k + 7) % len(c.shops)
				in, err := merchants.DecodeInspectionJSON([]byte(c.body(k)), time.Now())
				if err != nil {
					b.Fatal(err)
				}
				if _, _, err := mode.store.Inspect(ctx, c.admin, in, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkInspectionAcceptedHTTP is the same through POST /api/v1/inspections with a token.
func BenchmarkInspectionAcceptedHTTP(b *testing.B) {
	c := loadBenchCity(b)
	for _, mode := range []struct {
		name   string
		server *httpapi.Server
	}{{"commit=sync", c.server}, {"commit=async", c.asyncServer}} {
		b.Run(mode.name, func(b *testing.B) {
			srv := httptest.NewServer(mode.server)
			defer srv.Close()
			k := 3
			for b.Loop() {
				k = (k + 7) % len(c.shops)
				req, err := http.NewRequest("POST", srv.URL+"/api/v1/inspections", strings.NewReader(c.body(k)))
				if err != nil {
					b.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer "+c.token)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}
