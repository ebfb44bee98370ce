// Package demotest loads the demo city into a test package's database (see dbtest) once, for the
// tests that need a whole city rather than a few rows. It is imported by tests only.
package demotest

import (
	"context"
	"sync"
	"testing"

	"streetchief/internal/dbtest"
	"streetchief/internal/demo"
)

var (
	once     sync.Once
	loaded   *demo.City
	seedUsed int64
	loadErr  error
)

// City generates the demo city at scale 1 from seed and loads it into dbtest.Pool's database on the
// first call; later calls return the same city. A test binary has one database, so it has one city:
// asking for a second seed fails the test.
func City(tb testing.TB, seed int64) *demo.City {
	tb.Helper()
	pool := dbtest.Pool(tb)
	once.Do(func() {
		seedUsed = seed
		loaded, loadErr = demo.Generate(demo.Options{Seed: seed, Scale: 1})
		if loadErr == nil {
			_, loadErr = demo.Load(context.Background(), pool, loaded)
		}
	})
	if loadErr != nil {
		tb.Fatal(loadErr)
	}
	if seed != seedUsed {
		tb.Fatalf("demotest: the database holds the city of seed %d, not %d", seedUsed, seed)
	}
	return loaded
}
