package httpapi_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/auth"
	"streetchief/internal/dbtest"
	"streetchief/internal/httpapi"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/objectstore"
	"streetchief/internal/photorows/photorowstest"
	"streetchief/internal/registry"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// incidentService is the incident service a test server runs on: the real one, routing reports with
// engine, or with an engine loaded from the test's database now when engine is nil.
func incidentService(t testing.TB, pool *pgxpool.Pool, engine *lookup.Engine) *incidents.Service {
	t.Helper()
	if engine == nil {
		engine = routingEngine(t, pool)
	}
	return incidents.NewService(pool, engine, incidents.Options{Photos: photorowstest.NewStore(t)})
}

// photoInStore asserts that b's row in table keeps its size and no bytes: a read that answers b came from the store.
func photoInStore(t testing.TB, table string, b []byte) {
	t.Helper()
	key := objectstore.KeyOf(b)
	var inRow, size int
	err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT COALESCE(octet_length(bytes), 0), COALESCE(size_bytes, 0) FROM `+table+
		` WHERE sha256 = $1`, key[:]).Scan(&inRow, &size)
	if err != nil || inRow != 0 || size != len(b) {
		t.Fatalf("%s row: %d bytes in the table, size_bytes %d (%v); want 0 and %d", table, inRow, size, err, len(b))
	}
}

// A server missing a dependency its handlers call is refused when built, so no handler has to ask
// whether, say, incidents are configured.
func TestNewRefusesMissingDependencies(t *testing.T) {
	pool := dbtest.Pool(t)
	defer func() {
		if recover() == nil {
			t.Fatal("New built a server without an incident service")
		}
	}()
	httpapi.New(httpapi.Deps{DB: pool, Registry: registry.NewStore(pool), Auth: auth.NewService(pool, auth.Options{})})
}
