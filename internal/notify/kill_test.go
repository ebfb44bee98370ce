package notify_test

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/notify"
)

// TestWorkerProcess is the worker of TestAKilledWorkerLosesNothing, run in a process of its own so
// that it can be killed; it is skipped when the tests run.
func TestWorkerProcess(t *testing.T) {
	url, addr := os.Getenv("NOTIFY_CHILD_DB"), os.Getenv("NOTIFY_CHILD_SMTP")
	if url == "" {
		t.Skip("run by TestAKilledWorkerLosesNothing")
	}
	db, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	w := notify.NewWorker(db, notify.SMTP{Addr: addr, From: "streetchief@example.org"})
	w.Lease, w.Batch = 2*time.Second, 20
	w.Run(context.Background()) // until killed
}

// TestAKilledWorkerLosesNothing sends a burst through a worker process, kills it (SIGKILL) in the
// middle, and lets a worker started afterwards finish: every notice arrives, and at most the one
// the killed worker was sending arrives twice, with the same Message-ID.
func TestAKilledWorkerLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	ctx := context.Background()
	db := dbtest.Own(t)
	smtpd := newSink(t)
	// STREETCHIEF_KILL_NOTICES sizes the burst (docs/benchmarks.md reports 10,000); 1,000 by default.
	n := 1000
	if v, err := strconv.Atoi(os.Getenv("STREETCHIEF_KILL_NOTICES")); err == nil && v >= 30 {
		n = v
	}
	wait := time.Duration(60+n/100) * time.Second
	var personID int64
	if err := db.QueryRow(ctx, `INSERT INTO person (name) VALUES ('值班员') RETURNING id`).Scan(&personID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `INSERT INTO notification_channel (person_id, channel, address) VALUES ($1, 'email', 'duty@example.org')`, personID); err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := notify.Enqueue(ctx, tx, caseNotice(principalOf(personID), int64(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	child := exec.Command(os.Args[0], "-test.run=^TestWorkerProcess$", "-test.count=1")
	child.Env = append(os.Environ(), "NOTIFY_CHILD_DB="+db.Config().ConnString(), "NOTIFY_CHILD_SMTP="+smtpd.addr)
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(wait)
	for got, _ := smtpd.count(); got < n/3; got, _ = smtpd.count() {
		if time.Now().After(deadline) {
			child.Process.Kill()
			t.Fatalf("the worker process sent %d in %s", got, wait)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	atKill, _ := smtpd.count()
	if atKill >= n {
		t.Fatalf("the burst was over (%d sent) before the kill", atKill)
	}
	// A worker started after the kill takes over the dead one's leases once they run out.
	w := notify.NewWorker(db, notify.SMTP{Addr: smtpd.addr, From: "streetchief@example.org"})
	w.Lease = 2 * time.Second
	deadline = time.Now().Add(wait)
	for {
		var left int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM notification_delivery WHERE state <> 'sent'`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries still not sent %s after the kill", left, wait)
		}
		if _, err := w.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	got, distinct := smtpd.count()
	if distinct != n || got-distinct > 1 {
		t.Fatalf("%d messages, %d distinct, killed at %d: want all %d, at most one twice", got, distinct, atKill, n)
	}
	t.Logf("killed after %d of %d; %d sent twice", atKill, n, got-distinct)
}

func principalOf(personID int64) access.Principal { return access.Principal{PersonID: personID} }
