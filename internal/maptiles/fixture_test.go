package maptiles_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"streetchief/internal/dbtest"
	"streetchief/internal/demo"
	"streetchief/internal/demotest"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/maptiles"
	"streetchief/internal/merchants"
	"streetchief/internal/patrols"
	"streetchief/internal/registry"
	"streetchief/internal/servicepoints"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var (
	historyOnce sync.Once
	historyErr  error
)

// demoCity loads the demo city (seed 7), its incident history, its shops and its patrols into the package's
// database once.
func demoCity(tb testing.TB) *demo.City {
	tb.Helper()
	city := demotest.City(tb, 7)
	historyOnce.Do(func() {
		pool := dbtest.Pool(tb)
		engine := lookup.New(registry.NewStore(pool))
		if historyErr = engine.Load(context.Background()); historyErr == nil {
			_, historyErr = incidents.SeedDemoHistory(context.Background(), pool, engine, 7)
		}
		if historyErr == nil {
			shopsSum, historyErr = merchants.SeedDemo(context.Background(), pool, 7)
		}
		if historyErr == nil {
			_, historyErr = patrols.SeedDemoPatrols(context.Background(), pool, 7, time.Now())
		}
		if historyErr == nil {
			_, historyErr = servicepoints.SeedDemo(context.Background(), pool, 7)
		}
	})
	if historyErr != nil {
		tb.Fatal(historyErr)
	}
	return city
}

func loadedEngine(tb testing.TB) *lookup.Engine {
	tb.Helper()
	demoCity(tb)
	e := lookup.New(registry.NewStore(dbtest.Pool(tb)))
	if err := e.Load(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return e
}

// cityBound is the union of the demo city's admin units.
func cityBound(c *demo.City) orb.Bound {
	b := c.AdminUnits[0].Boundary.Bound()
	for _, u := range c.AdminUnits {
		b = b.Union(u.Boundary.Bound())
	}
	return b
}

// tilesOver lists every tile of zoom z that meets b.
func tilesOver(b orb.Bound, z maptile.Zoom) []maptile.Tile {
	lo := maptile.At(orb.Point{b.Min[0], b.Max[1]}, z)
	hi := maptile.At(orb.Point{b.Max[0], b.Min[1]}, z)
	var out []maptile.Tile
	for y := lo.Y; y <= hi.Y; y++ {
		for x := lo.X; x <= hi.X; x++ {
			out = append(out, maptile.New(x, y, z))
		}
	}
	return out
}

// newService is a tile service over engine and the incidents on pool, as the server wires it.
func newService(engine *lookup.Engine, pool *pgxpool.Pool, opt maptiles.Options) *maptiles.Service {
	return maptiles.NewService(engine, incidents.NewService(pool, engine, incidents.Options{}), pool, opt)
}
