package ratelimit_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"streetchief/internal/dbtest"
	"streetchief/internal/ratelimit"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Two stores on one database are two replicas: together they let exactly the limit through, even
// when every hit arrives at once.
func TestStoresOnOneDatabaseShareTheLimit(t *testing.T) {
	pool := dbtest.Pool(t)
	ctx := context.Background()
	replicas := []*ratelimit.Store{ratelimit.NewStore(pool, "shared_test", time.Hour), ratelimit.NewStore(pool, "shared_test", time.Hour)}
	const limit = 25
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for i := range 80 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := replicas[i%2].Take(ctx, "198.51.100.7", limit)
			if err != nil {
				t.Error(err)
				return
			}
			if v.Allowed {
				allowed.Add(1)
			}
		}()
	}
	wg.Wait()
	if got := allowed.Load(); got != limit {
		t.Fatalf("%d hits allowed over two replicas, want the limit %d", got, limit)
	}
	v, err := replicas[0].Take(ctx, "198.51.100.8", limit)
	if err != nil || !v.Allowed || v.Remaining != limit-1 {
		t.Fatalf("another address's first hit: %+v, %v", v, err)
	}
	other, err := ratelimit.NewStore(pool, "other_test", time.Hour).Take(ctx, "198.51.100.7", limit)
	if err != nil || !other.Allowed {
		t.Fatalf("the same address in another scope: %+v, %v", other, err)
	}
}

// A refused hit says when to come back: the end of the window, on the database's clock.
func TestRefusedHitNamesTheWindowsEnd(t *testing.T) {
	pool := dbtest.Pool(t)
	ctx := context.Background()
	s := ratelimit.NewStore(pool, "reset_test", time.Hour)
	first, err := s.Take(ctx, "k", 1)
	if err != nil || !first.Allowed || first.Remaining != 0 {
		t.Fatalf("first hit: %+v, %v", first, err)
	}
	refused, err := s.Take(ctx, "k", 1)
	if err != nil || refused.Allowed || !refused.Reset.Equal(first.Reset) {
		t.Fatalf("second hit: %+v (first %+v), %v", refused, first, err)
	}
	if first.Reset.Sub(first.Reset.Truncate(time.Hour)) != 0 {
		t.Fatalf("window ends at %s, not on the hour", first.Reset)
	}
	if n := refused.RetryAfter(first.Reset.Add(-90 * time.Second)); n != 90 {
		t.Fatalf("retry after %d s, want 90", n)
	}
	if _, err := s.Take(ctx, "", 1); err == nil {
		t.Fatal("an empty key was counted")
	}
	if v, err := s.Take(ctx, "zero", 0); err != nil || v.Allowed {
		t.Fatalf("a limit of 0 let a hit through: %+v, %v", v, err)
	}
}

// Forget drops only windows that ended before the previous one began.
func TestForgetKeepsTheCurrentWindow(t *testing.T) {
	pool := dbtest.Pool(t)
	ctx := context.Background()
	s := ratelimit.NewStore(pool, "forget_test", time.Second)
	if _, err := s.Take(ctx, "k", 5); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Forget(ctx); err != nil || n != 0 {
		t.Fatalf("forgot %d of the current window, %v", n, err)
	}
	if _, err := pool.Exec(ctx, `UPDATE rate_limit_window SET window_start = window_start - interval '1 minute' WHERE scope = 'forget_test'`); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Forget(ctx); err != nil || n != 1 {
		t.Fatalf("forgot %d of an old window, %v", n, err)
	}
}

func TestMemoryCountsInOneProcess(t *testing.T) {
	m := ratelimit.NewMemory(time.Hour)
	for i := range 3 {
		v, _ := m.Take(context.Background(), "a", 3)
		if !v.Allowed || v.Remaining != 2-i {
			t.Fatalf("hit %d: %+v", i, v)
		}
	}
	if v, _ := m.Take(context.Background(), "a", 3); v.Allowed {
		t.Fatal("fourth hit of three allowed")
	}
	if v, _ := m.Take(context.Background(), "b", 3); !v.Allowed {
		t.Fatal("another key refused")
	}
}
