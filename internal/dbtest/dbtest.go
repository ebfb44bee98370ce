// Package dbtest gives each test package its own freshly migrated PostGIS database, cloned from a
// template that is migrated once per set of migrations, so packages run in parallel and never see each
// other's rows. It is imported by tests only.
//
// STREETCHIEF_TEST_DATABASE_URL names the maintenance database of the cluster (make test sets it).
// Without it the tests that need a database skip, except when STREETCHIEF_REQUIRE_DB=1 (make test),
// where a skip would hide untested code and so fails instead.
package dbtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/database"
)

// createLock serialises CREATE DATABASE across test packages: a template may not be cloned while
// another session is connected to it.
const createLock = 0x5354_5445_5354 // "STTEST"

var (
	once      sync.Once
	shared    *pgxpool.Pool
	sharedURL string
	initErr   error
)

// Pool returns a pool on this test package's database, creating it on first use. Call it from tests;
// the database is dropped by Main when the package's tests end.
func Pool(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	once.Do(func() { shared, sharedURL, initErr = create(context.Background()) })
	if initErr != nil {
		if initErr == errNoDatabase && os.Getenv("STREETCHIEF_REQUIRE_DB") != "1" {
			tb.Skip("no test database: set STREETCHIEF_TEST_DATABASE_URL or run make test")
		}
		tb.Fatalf("test database: %v", initErr)
	}
	return shared
}

// URL returns the connection string of this package's database (for servers started by a test).
func URL(tb testing.TB) string {
	tb.Helper()
	Pool(tb)
	return sharedURL
}

// Main runs the package's tests and then drops its database. Use it as TestMain's body:
//
//	func TestMain(m *testing.M) { dbtest.Main(m) }
func Main(m *testing.M, after ...func()) {
	code := m.Run()
	for _, f := range after {
		f()
	}
	if shared != nil {
		shared.Close()
		if err := drop(context.Background(), sharedURL); err != nil {
			fmt.Fprintln(os.Stderr, "dbtest:", err)
		}
	}
	os.Exit(code)
}

var errNoDatabase = fmt.Errorf("STREETCHIEF_TEST_DATABASE_URL is not set")

func create(ctx context.Context) (*pgxpool.Pool, string, error) {
	adminURL := os.Getenv("STREETCHIEF_TEST_DATABASE_URL")
	if adminURL == "" {
		return nil, "", errNoDatabase
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return nil, "", fmt.Errorf("connect maintenance database: %w", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock($1)`, createLock); err != nil {
		return nil, "", err
	}
	defer admin.Exec(ctx, `SELECT pg_advisory_unlock($1)`, createLock) //nolint:errcheck // session ends anyway

	template, err := ensureTemplate(ctx, admin, adminURL)
	if err != nil {
		return nil, "", err
	}
	name := fmt.Sprintf("sc_test_%d_%d", os.Getpid(), time.Now().UnixNano()%1_000_000)
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s",
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{template}.Sanitize())); err != nil {
		return nil, "", fmt.Errorf("clone template: %w", err)
	}
	dbURL := withDatabase(adminURL, name)
	pool, err := database.Open(context.Background(), dbURL, database.Options{MaxConns: 20})
	if err != nil {
		return nil, "", err
	}
	return pool, dbURL, nil
}

// ensureTemplate returns the name of a template database migrated with the current migrations,
// creating it when the migrations changed.
func ensureTemplate(ctx context.Context, admin *pgx.Conn, adminURL string) (string, error) {
	all, err := database.Migrations()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, m := range all {
		h.Write([]byte(m.Name))
		h.Write([]byte(m.SQL))
	}
	name := "sc_template_" + hex.EncodeToString(h.Sum(nil))[:12]
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{building}.Sanitize()); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{building}.Sanitize()); err != nil {
		return "", fmt.Errorf("create template: %w", err)
	}
	pool, err := database.Open(ctx, withDatabase(adminURL, building), database.Options{MaxConns: 2})
	if err != nil {
		return "", err
	}
	_, err = database.Migrate(ctx, pool)
	pool.Close()
	if err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	// Renaming last means a half-built template is never mistaken for a finished one.
	if _, err := admin.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s",
		pgx.Identifier{building}.Sanitize(), pgx.Identifier{name}.Sanitize())); err != nil {
		return "", err
	}
	return name, nil
}

func drop(ctx context.Context, dbURL string) error {
	adminURL := os.Getenv("STREETCHIEF_TEST_DATABASE_URL")
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer admin.Close(ctx)
	name := strings.TrimPrefix(mustParse(dbURL).Path, "/")
	_, err = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

func withDatabase(raw, name string) string {
	u := mustParse(raw)
	u.Path = "/" + name
	return u.String()
}

func mustParse(raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		panic(fmt.Sprintf("dbtest: bad database url: %v", err))
	}
	return u
}

// Own returns a database of the calling test's own, cloned from the migrated template and dropped
// when the test ends: for a test that needs the registry empty (loading the demo city) in a package
// whose other tests fill the shared one.
func Own(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	pool, dbURL, err := create(context.Background())
	if err == errNoDatabase && os.Getenv("STREETCHIEF_REQUIRE_DB") != "1" {
		tb.Skip("no test database: set STREETCHIEF_TEST_DATABASE_URL or run make test")
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		pool.Close()
		if err := drop(context.Background(), dbURL); err != nil {
			tb.Log("dbtest:", err)
		}
	})
	return pool
}
