package operations_test

import (
	"context"
	"testing"

	"streetchief/internal/operations"
)

// BenchmarkCreate500Shops plans one operation with 500 target shops, two departments, two people
// and an area per iteration — decoding, every check and the one transaction, as one request does.
func BenchmarkCreate500Shops(b *testing.B) {
	w := newWorld(b)
	body := w.plan(map[string]any{"merchant_ids": w.shops(500, w.inE(0))})
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		in, err := operations.DecodeCreate(body)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.store.Create(ctx, w.chiefE, in); err != nil {
			b.Fatal(err)
		}
	}
}
