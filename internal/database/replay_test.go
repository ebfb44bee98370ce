package database_test

import (
	"context"
	"testing"
	"time"

	"streetchief/internal/database"
	"streetchief/internal/dbtest"
)

// A reads pool on a primary has nothing to replay: Wait passes at once. The same pool twice is no
// separate reads pool at all.
func TestReplayWaitPassesOnAPrimary(t *testing.T) {
	pool := dbtest.Pool(t)
	ctx := context.Background()
	reads, err := database.Open(ctx, pool.Config().ConnString(), database.Options{ApplicationName: "streetchief-reads"})
	if err != nil {
		t.Fatal(err)
	}
	defer reads.Close()
	var name string
	if err := reads.QueryRow(ctx, `SELECT current_setting('application_name')`).Scan(&name); err != nil || name != "streetchief-reads" {
		t.Fatalf("reads pool's application_name %q, %v", name, err)
	}
	if (database.Replay{Primary: pool, Reads: pool}).Separate() || (database.Replay{Primary: pool}).Separate() {
		t.Fatal("one pool counted as a separate reads pool")
	}
	r := database.Replay{Primary: pool, Reads: reads}
	if !r.Separate() {
		t.Fatal("two pools not counted as separate")
	}
	ok, err := r.Wait(ctx, time.Second)
	if err != nil || !ok {
		t.Fatalf("Wait on a primary: %v, %v", ok, err)
	}
}
