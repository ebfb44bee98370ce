package geo

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
)

func BenchmarkCovering(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("polygons=%d", n), func(b *testing.B) {
			ix := NewIndex(syntheticCity(n, 1))
			pts := randomCityPoints(1<<16, 2)
			dst := make([]*Entry, 0, 16)
			found := 0
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				dst = ix.CoveringAll(pts[i&(len(pts)-1)], dst[:0])
				found += len(dst)
				i++
			}
			b.ReportMetric(float64(found)/float64(i), "covering/op")
		})
	}
}

func BenchmarkNewIndex100k(b *testing.B) {
	entries := syntheticCity(100_000, 1)
	b.ReportAllocs()
	var ix *Index
	for b.Loop() {
		ix = NewIndex(entries)
	}
	b.StopTimer()
	b.ReportMetric(float64(retainedBytes(func() any { return NewIndex(entries) })), "index-bytes")
	runtime.KeepAlive(ix)
}

// retainedBytes is the live heap that build's result keeps beyond its
// inputs.
func retainedBytes(build func() any) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return after.HeapAlloc - before.HeapAlloc
}

func BenchmarkBatch1M(b *testing.B) {
	ix := NewIndex(syntheticCity(100_000, 1))
	pts := randomCityPoints(1_000_000, 3)
	b.Run("one-core", func(b *testing.B) {
		dst := make([]*Entry, 0, 16)
		for b.Loop() {
			for _, pt := range pts {
				dst = ix.CoveringAll(pt, dst[:0])
			}
		}
	})
	b.Run("all-cores", func(b *testing.B) {
		workers := runtime.GOMAXPROCS(0)
		for b.Loop() {
			var wg sync.WaitGroup
			chunk := (len(pts) + workers - 1) / workers
			for w := range workers {
				part := pts[w*chunk : min((w+1)*chunk, len(pts))]
				wg.Go(func() {
					dst := make([]*Entry, 0, 16)
					for _, pt := range part {
						dst = ix.CoveringAll(pt, dst[:0])
					}
				})
			}
			wg.Wait()
		}
	})
}
