package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"testing"

	"streetchief/internal/auth"
	"streetchief/internal/dbtest"
	"streetchief/internal/demo"
	"streetchief/internal/httpapi"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

// BenchmarkLookupHandler measures the whole HTTP path of GET /api/v1/lookup in process (middleware,
// routing, lookup, JSON), without the network, over the demo city.
func BenchmarkLookupHandler(b *testing.B) {
	pool := dbtest.Pool(b)
	ctx := context.Background()
	if empty, err := demo.Empty(ctx, pool); err != nil {
		b.Fatal(err)
	} else if empty {
		city, err := demo.Generate(demo.Options{Seed: 1, Scale: 1})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := demo.Load(ctx, pool, city); err != nil {
			b.Fatal(err)
		}
	}
	store := registry.NewStore(pool)
	engine := lookup.New(store)
	if err := engine.Load(ctx); err != nil {
		b.Fatal(err)
	}
	h := httpapi.New(httpapi.Deps{DB: pool, Registry: store, Lookup: engine, Auth: auth.NewService(pool, auth.Options{}),
		Incidents: incidentService(b, pool, nil), Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	paths := make([]string, 4096)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range paths {
		paths[i] = fmt.Sprintf("/api/v1/lookup?lon=%.6f&lat=%.6f", 117.0+rng.Float64()*0.08, 25.07+rng.Float64()*0.06)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", paths[i%len(paths)], nil))
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
