package ratelimit_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"streetchief/internal/dbtest"
	"streetchief/internal/ratelimit"
)

// BenchmarkStoreTake is the cost a limited request pays for sharing its count with the other
// replicas: one upsert, over 1,000 addresses.
func BenchmarkStoreTake(b *testing.B) {
	s := ratelimit.NewStore(dbtest.Pool(b), "bench", time.Hour)
	ctx := context.Background()
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = "198.51." + strconv.Itoa(i/250) + "." + strconv.Itoa(i%250)
	}
	for i := 0; b.Loop(); i++ {
		if _, err := s.Take(ctx, keys[i%len(keys)], 1<<30); err != nil {
			b.Fatal(err)
		}
	}
}
