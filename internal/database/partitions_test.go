package database_test

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/database"
	"streetchief/internal/dbtest"
)

var beijing = time.FixedZone("Asia/Shanghai", 8*3600)

func monthStart(t time.Time, add int) time.Time {
	t = t.In(beijing)
	return time.Date(t.Year(), t.Month()+time.Month(add), 1, 0, 0, 0, 0, beijing)
}

// The case history is partitioned by Beijing month; a month past keeping leaves the live table whole
// and comes back; what still points at a month, or older rows left live, stops a detach outright.
func TestMonthsOfCaseHistoryLeaveForArchiveAndComeBack(t *testing.T) {
	pool := dbtest.Own(t)
	ctx := context.Background()
	var incident int64
	if err := pool.QueryRow(ctx, `INSERT INTO incident (category, status, location)
		SELECT code, 'reported', ST_SetSRID(ST_MakePoint(117.03, 25.08), 4326) FROM incident_category LIMIT 1 RETURNING id`).Scan(&incident); err != nil {
		t.Fatal(err)
	}
	old := monthStart(time.Now(), -5)
	event := func(at time.Time) (id int64, partition string) {
		t.Helper()
		if err := pool.QueryRow(ctx, `INSERT INTO incident_event (incident_id, at, kind, actor) VALUES ($1, $2, 'note', 'test')
			RETURNING id, tableoid::regclass::text`, incident, at).Scan(&id, &partition); err != nil {
			t.Fatal(err)
		}
		return id, partition
	}
	// Beijing midnight on the 1st is the new month; a second before it, the old one.
	if _, p := event(old); p != "incident_event_"+old.Format("2006_01") {
		t.Fatalf("an event at %s went to %s", old, p)
	}
	if _, p := event(old.Add(-time.Second)); p != "incident_event_"+old.AddDate(0, -1, 0).Format("2006_01") {
		t.Fatalf("an event a second before %s went to %s", old, p)
	}
	referred, _ := event(old.AddDate(0, 1, 0))
	event(time.Now())

	live := func() int {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM incident_event WHERE incident_id = $1`, incident).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := live(); n != 4 {
		t.Fatalf("%d events live, want 4", n)
	}

	// A photo reference to the month after `old` holds that month in the live table: the detach of
	// both months is refused as a whole, and neither leaves.
	sum := sha256.Sum256([]byte("photo"))
	if _, err := pool.Exec(ctx, `INSERT INTO incident_photo (sha256, content_type, bytes, width, height) VALUES ($1, 'image/png', 'photo', 1, 1)`, sum[:]); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO incident_photo_ref (incident_id, n, sha256, event_id) VALUES ($1, 1, $2, $3)`, incident, sum[:], referred); err != nil {
		t.Fatal(err)
	}
	_, err := database.DetachBefore(ctx, pool, "incident_event", old.AddDate(0, 2, 0))
	if !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("detach of a month a photo points at: %v, want a conflict", err)
	}
	if n := live(); n != 4 {
		t.Fatalf("a refused detach left %d events live, want 4", n)
	}

	detached, err := database.DetachBefore(ctx, pool, "incident_event", old.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if n := live(); n != 2 {
		t.Fatalf("after detaching the months before %s, %d events live (detached %v), want 2", old.AddDate(0, 1, 0), n, detached)
	}
	var archived int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM `+"incident_event_"+old.Format("2006_01")).Scan(&archived); err != nil || archived != 1 {
		t.Fatalf("the archived month holds %d events (%v), want 1", archived, err)
	}
	list, err := database.Partitions(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]bool{}
	for _, p := range list {
		states[p.Name] = p.Attached
	}
	if attached, ok := states["incident_event_"+old.Format("2006_01")]; !ok || attached {
		t.Fatalf("the detached month is listed %v (found %v)", attached, ok)
	}
	for _, name := range detached {
		if err := database.Attach(ctx, pool, name); err != nil {
			t.Fatal(err)
		}
	}
	if n := live(); n != 4 {
		t.Fatalf("after attaching %v again, %d events live, want 4", detached, n)
	}
	if err := database.Attach(ctx, pool, detached[0]); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("attaching a live month again: %v, want a conflict", err)
	}

	// An event older than every month made lands in the default partition; while it is there, months
	// after it cannot leave (it would stay live while they went).
	if _, p := event(time.Date(2001, 5, 1, 0, 0, 0, 0, beijing)); p != "incident_event_default" {
		t.Fatalf("an event from 2001 went to %s", p)
	}
	if _, err := database.DetachBefore(ctx, pool, "incident_event", old); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("detach with older rows in the default partition: %v, want a conflict", err)
	}

	for _, bad := range []struct {
		table  string
		before time.Time
	}{{"incident", old}, {"incident_event; DROP TABLE incident", old}, {"incident_event", time.Now().AddDate(0, 1, 0)}} {
		if _, err := database.DetachBefore(ctx, pool, bad.table, bad.before); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("detach %q before %s: %v, want invalid", bad.table, bad.before.Format("2006-01"), err)
		}
	}
	if err := database.Attach(ctx, pool, "incident"); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("attach of a name that is no month: %v", err)
	}
}

// The months ahead are made once, by whichever replica comes first.
func TestMonthsAheadAreMadeOnce(t *testing.T) {
	pool := dbtest.Own(t)
	ctx := context.Background()
	var made, again int
	if err := pool.QueryRow(ctx, `SELECT month_partitions_ahead(6)`).Scan(&made); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT month_partitions_ahead(6)`).Scan(&again); err != nil {
		t.Fatal(err)
	}
	// The migration made three months ahead for each of the two tables; six ahead needs three more each.
	if made != 6 || again != 0 {
		t.Fatalf("six months ahead made %d partitions, then %d; want 6, then 0", made, again)
	}
	sixth := "incident_event_" + monthStart(time.Now(), 6).Format("2006_01")
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, sixth).Scan(&exists); err != nil || !exists {
		t.Fatalf("%s exists: %v (%v)", sixth, exists, err)
	}
}
