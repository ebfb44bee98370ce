package database_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"streetchief/internal/database"
	"streetchief/internal/dbtest"
)

func next(t *testing.T, s *database.Subscription) database.Notification {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := s.Next(ctx)
	if err != nil {
		t.Fatalf("waiting for a notification: %v", err)
	}
	return n
}

// TestListenerFansOutAndSurvivesALostConnection: each subscriber of a channel gets a gap once
// listening, then every payload of its channel in order and none of another's; when the database
// ends the listening connection, the listener reconnects and each subscriber gets a gap before the
// notifications sent afterwards.
func TestListenerFansOutAndSurvivesALostConnection(t *testing.T) {
	pool := dbtest.Pool(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l := database.NewListener(pool, slog.New(slog.DiscardHandler))
	a1, a2, onB := l.Subscribe("chan_a"), l.Subscribe("chan_a"), l.Subscribe("chan_b")
	go l.Run(ctx)
	for _, s := range []*database.Subscription{a1, a2, onB} {
		if n := next(t, s); !n.Gap {
			t.Fatalf("first notification %+v, want a gap", n)
		}
	}
	notify := func(channel, payload string) {
		t.Helper()
		if _, err := pool.Exec(ctx, `SELECT pg_notify($1, $2)`, channel, payload); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 50 {
		notify("chan_a", fmt.Sprint("a", i))
	}
	notify("chan_b", "b0")
	for _, s := range []*database.Subscription{a1, a2} {
		for i := range 50 {
			if n := next(t, s); n.Gap || n.Payload != fmt.Sprint("a", i) {
				t.Fatalf("notification %d = %+v, want payload a%d", i, n, i)
			}
		}
	}
	if n := next(t, onB); n.Payload != "b0" {
		t.Fatalf("chan_b got %+v, want b0 only", n)
	}
	// A follower acting once for many changes skips what queued behind the one it took.
	for i := range 5 {
		notify("chan_b", fmt.Sprint("b", i+1))
	}
	notify("chan_a", "a-last")
	// Delivered in order on one connection: once a-last is here, the five before it are queued.
	for _, s := range []*database.Subscription{a1, a2} {
		if n := next(t, s); n.Payload != "a-last" {
			t.Fatalf("chan_a got %+v, want a-last", n)
		}
	}
	if n := next(t, onB); n.Payload != "b1" {
		t.Fatalf("chan_b got %+v, want b1", n)
	}
	if skipped := onB.Skip(); skipped != 4 {
		t.Fatalf("Skip dropped %d queued notifications, want 4", skipped)
	}
	if skipped := onB.Skip(); skipped != 0 {
		t.Fatalf("a second Skip dropped %d, want 0", skipped)
	}

	pid := l.BackendPID()
	if pid == 0 || !l.Live() {
		t.Fatal("listener not live after delivering notifications")
	}
	var ended bool
	if err := pool.QueryRow(ctx, `SELECT pg_terminate_backend($1)`, int32(pid)).Scan(&ended); err != nil || !ended {
		t.Fatalf("terminate the listening backend: %v %v", ended, err)
	}
	for _, s := range []*database.Subscription{a1, a2, onB} {
		if n := next(t, s); !n.Gap {
			t.Fatalf("after the lost connection got %+v, want a gap", n)
		}
	}
	if l.BackendPID() == pid {
		t.Fatal("the listener kept the terminated backend")
	}
	notify("chan_a", "after")
	if n := next(t, a1); n.Payload != "after" {
		t.Fatalf("after reconnecting got %+v, want the new payload", n)
	}
}

func TestSubscriptionNextEndsWithItsContext(t *testing.T) {
	l := database.NewListener(nil, nil)
	s := l.Subscribe("quiet")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := s.Next(ctx); err == nil {
		t.Fatal("Next returned without a notification")
	}
}
