package notify_test

import (
	"context"
	"sync"
	"testing"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/notify"
)

// BenchmarkEmailBurst delivers b.N notices through a local SMTP server with two workers, as two
// replicas would: the figure is the time per delivered message, claimed, sent and marked.
func BenchmarkEmailBurst(b *testing.B) {
	ctx := context.Background()
	db := dbtest.Own(b)
	smtpd := newSink(b)
	var personID int64
	if err := db.QueryRow(ctx, `INSERT INTO person (name) VALUES ('值班员') RETURNING id`).Scan(&personID); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(ctx, `INSERT INTO notification_channel (person_id, channel, address) VALUES ($1, 'email', 'duty@example.org')`, personID); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(ctx, `INSERT INTO notification (person_id, kind, subject_type, subject_id, params)
		SELECT $1, 'case_assigned', 'incident', g, jsonb_build_object('id', g, 'category', '占道经营', 'place', '中城街道')
		FROM generate_series(1, $2) g`, personID, b.N); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(ctx, `INSERT INTO notification_delivery (notification_id, channel, address)
		SELECT id, 'email', 'duty@example.org' FROM notification`); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			w := notify.NewWorker(db, notify.SMTP{Addr: smtpd.addr, From: "streetchief@example.org"})
			for {
				n, err := w.DeliverDue(ctx)
				if err != nil {
					b.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if got, distinct := smtpd.count(); got != b.N || distinct != b.N {
		b.Fatalf("%d messages, %d distinct, want %d", got, distinct, b.N)
	}
}

// BenchmarkInboxOf5000 opens the first page of an inbox of 5,000 notices, 1,000 of them unread,
// with its unread count, as the dashboard's 消息 does.
func BenchmarkInboxOf5000(b *testing.B) {
	ctx := context.Background()
	db := dbtest.Own(b)
	var personID int64
	if err := db.QueryRow(ctx, `INSERT INTO person (name) VALUES ('忙碌的街长') RETURNING id`).Scan(&personID); err != nil {
		b.Fatal(err)
	}
	// Other people's notices around it, as in a district.
	if _, err := db.Exec(ctx, `INSERT INTO person (name) SELECT '人员' || g FROM generate_series(1, 200) g`); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(ctx, `INSERT INTO notification (person_id, kind, subject_type, subject_id, params, created_at, read_at)
		SELECT p.id, 'case_assigned', 'incident', g, jsonb_build_object('id', g, 'category', '占道经营', 'place', '中城街道'),
			now() - make_interval(mins => g), CASE WHEN g > 1000 THEN now() END
		FROM person p CROSS JOIN generate_series(1, 5000) g WHERE p.id = $1 OR p.id % 10 = 0`, personID); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(ctx, `ANALYZE notification`); err != nil {
		b.Fatal(err)
	}
	store := notify.NewStore(db)
	who := access.Principal{PersonID: personID}
	b.ResetTimer()
	for b.Loop() {
		in, err := store.Inbox(ctx, who, 0, 50, false, "zh")
		if err != nil || len(in.Items) != 50 || in.Unread != 1000 {
			b.Fatalf("%d items, %d unread, %v", len(in.Items), in.Unread, err)
		}
	}
}
