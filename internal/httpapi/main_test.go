package httpapi_test

import (
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/auth"
	"streetchief/internal/dbtest"
	"streetchief/internal/httpapi"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
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
	return incidents.NewService(pool, engine, incidents.Options{})
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
