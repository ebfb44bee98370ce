package notify_test

import (
	"context"
	"fmt"
	"mime"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/notify"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func person(t *testing.T, db *pgxpool.Pool, name string) access.Principal {
	t.Helper()
	var id int64
	if err := db.QueryRow(context.Background(), `INSERT INTO person (name) VALUES ($1) RETURNING id`, name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return access.Principal{Role: access.LaneChief, PersonID: id, Username: name}
}

func caseNotice(who access.Principal, id int64) notify.Notice {
	return notify.Notice{PersonID: who.PersonID, Kind: "case_assigned", Subject: notify.Subject{Type: "incident", ID: id},
		Params: map[string]any{"id": id, "category": "占道经营", "place": "中城街道"}}
}

// TestANoticeCommitsWithItsChange: rolled back with the change, it tells nobody; committed, it is in
// the inbox once, however often the same finding is told.
func TestANoticeCommitsWithItsChange(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Pool(t)
	store := notify.NewStore(db)
	lane := person(t, db, "巷长甲")
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := notify.Enqueue(ctx, tx, caseNotice(lane, 1)); err != nil {
		t.Fatal(err)
	}
	tx.Rollback(ctx)
	if in, err := store.Inbox(ctx, lane, 0, 0, false, "zh"); err != nil || len(in.Items) != 0 {
		t.Fatalf("a rolled-back change left %v, %v", in.Items, err)
	}
	n := caseNotice(lane, 2)
	n.DedupeKey = "overdue:2:2026-12-07"
	for i, want := range []bool{true, false} {
		fresh, err := notify.Enqueue(ctx, db, n)
		if err != nil || fresh != want {
			t.Fatalf("enqueue %d: fresh %v, %v; want %v", i, fresh, err, want)
		}
	}
	in, err := store.Inbox(ctx, lane, 0, 0, false, "zh")
	if err != nil || len(in.Items) != 1 || in.Unread != 1 || in.Items[0].Title != "案件 2 已派给您：占道经营，中城街道" {
		t.Fatalf("inbox %+v, %v", in, err)
	}
	if en, _ := store.Inbox(ctx, lane, 0, 0, false, "en"); en.Items[0].Title != "Case 2 is yours: 占道经营, 中城街道" {
		t.Fatalf("English title %q", en.Items[0].Title)
	}
	if _, err := notify.Enqueue(ctx, db, notify.Notice{PersonID: lane.PersonID, Kind: "Case Assigned", Subject: notify.Subject{Type: "incident"}}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a kind that is not a code: %v", err)
	}
}

// TestAnInboxIsItsOwnersAlone and its read time is the first opening's.
func TestAnInboxIsItsOwnersAlone(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Pool(t)
	store := notify.NewStore(db)
	owner, other := person(t, db, "巷长乙"), person(t, db, "巷长丙")
	for i := range 3 {
		if _, err := notify.Enqueue(ctx, db, caseNotice(owner, int64(10+i))); err != nil {
			t.Fatal(err)
		}
	}
	in, _ := store.Inbox(ctx, owner, 0, 2, false, "zh")
	if len(in.Items) != 2 || in.Next == 0 || in.Unread != 3 || in.Items[0].Subject.ID != 12 {
		t.Fatalf("first page %+v", in)
	}
	if rest, _ := store.Inbox(ctx, owner, in.Next, 2, false, "zh"); len(rest.Items) != 1 || rest.Items[0].Subject.ID != 10 {
		t.Fatalf("second page %+v", rest)
	}
	id := in.Items[0].ID
	if _, err := store.MarkRead(ctx, other, id); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another person marked it read: %v", err)
	}
	if theirs, _ := store.Inbox(ctx, other, 0, 0, false, "zh"); len(theirs.Items) != 0 {
		t.Fatalf("another person sees %v", theirs.Items)
	}
	first, err := store.MarkRead(ctx, owner, id)
	if err != nil || first.ReadAt == nil {
		t.Fatalf("mark read: %+v, %v", first, err)
	}
	time.Sleep(5 * time.Millisecond)
	again, _ := store.MarkRead(ctx, owner, id)
	if !again.ReadAt.Equal(*first.ReadAt) {
		t.Fatalf("a second opening moved the read time from %v to %v", first.ReadAt, again.ReadAt)
	}
	if in, _ := store.Inbox(ctx, owner, 0, 0, true, "zh"); len(in.Items) != 2 || in.Unread != 2 {
		t.Fatalf("unread only %+v", in)
	}
	if _, err := store.Inbox(ctx, access.Principal{Role: access.Admin}, 0, 0, false, "zh"); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("an account without a person: %v", err)
	}
}

func reach(t *testing.T, store *notify.Store, who access.Principal, r notify.Reach) {
	t.Helper()
	if err := store.SetReach(context.Background(), who, r); err != nil {
		t.Fatal(err)
	}
}

// TestEmailIsDeliveredOnceRetriedWhenBusyAndGivenUpWhenRefused, through a real SMTP server.
func TestEmailIsDeliveredOnceRetriedWhenBusyAndGivenUpWhenRefused(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Pool(t)
	smtpd := newSink(t)
	store := notify.NewStore(db, "email")
	ok, busy, gone := person(t, db, "甲"), person(t, db, "乙"), person(t, db, "丙")
	reach(t, store, ok, notify.Reach{Channel: "email", Address: "jia@example.org", Enabled: true})
	reach(t, store, busy, notify.Reach{Channel: "email", Address: "busy@example.org", Enabled: true})
	reach(t, store, gone, notify.Reach{Channel: "email", Address: "nobody@example.org", Enabled: true})
	for i, p := range []access.Principal{ok, busy, gone} {
		if _, err := notify.Enqueue(ctx, db, caseNotice(p, int64(100+i))); err != nil {
			t.Fatal(err)
		}
	}
	w := notify.NewWorker(db, notify.SMTP{Addr: smtpd.addr, From: "streetchief@example.org"})
	w.BaseURL = "http://localhost:8080"
	if n, err := w.DeliverDue(ctx); err != nil || n != 3 {
		t.Fatalf("first round claimed %d, %v", n, err)
	}
	if got, _ := smtpd.count(); got != 1 {
		t.Fatalf("%d messages accepted, want 1 (busy waits, nobody refused)", got)
	}
	m := smtpd.messages[0]
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if subject != "案件 100 已派给您：占道经营，中城街道" || m.Header.Get("To") != "jia@example.org" {
		t.Fatalf("message %q to %q", subject, m.Header.Get("To"))
	}
	states := deliveryStates(t, db)
	if states["jia@example.org"] != "sent/1" || states["nobody@example.org"] != "failed/1" || states["busy@example.org"] != "pending/1" {
		t.Fatalf("states %v", states)
	}
	// Not due yet: the backoff holds it.
	if n, _ := w.DeliverDue(ctx); n != 0 {
		t.Fatalf("claimed %d before the backoff ended", n)
	}
	if _, err := db.Exec(ctx, `UPDATE notification_delivery SET next_attempt_at = now() WHERE state = 'pending'`); err != nil {
		t.Fatal(err)
	}
	if n, err := w.DeliverDue(ctx); err != nil || n != 1 {
		t.Fatalf("retry claimed %d, %v", n, err)
	}
	if got, distinct := smtpd.count(); got != 2 || distinct != 2 || deliveryStates(t, db)["busy@example.org"] != "sent/2" {
		t.Fatalf("after the retry: %d messages (%d distinct), %v", got, distinct, deliveryStates(t, db))
	}
}

func deliveryStates(t *testing.T, db *pgxpool.Pool) map[string]string {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT address, state || '/' || attempts FROM notification_delivery`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for rows.Next() {
		var a, s string
		if err := rows.Scan(&a, &s); err != nil {
			t.Fatal(err)
		}
		out[a] = s
	}
	return out
}

// TestWorkersShareTheOutboxWithoutSendingTwice: three workers drain 300 deliveries at once; each is
// sent exactly once, and a delivery whose worker died mid-lease is taken over when the lease ends.
func TestWorkersShareTheOutboxWithoutSendingTwice(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Own(t)
	smtpd := newSink(t)
	store := notify.NewStore(db, "email")
	const people = 300
	for i := range people {
		p := person(t, db, fmt.Sprintf("队员%d", i))
		reach(t, store, p, notify.Reach{Channel: "email", Address: fmt.Sprintf("p%d@example.org", i), Enabled: true})
		if _, err := notify.Enqueue(ctx, db, caseNotice(p, int64(i))); err != nil {
			t.Fatal(err)
		}
	}
	// One delivery was claimed by a worker that died: its lease has run out.
	if _, err := db.Exec(ctx, `UPDATE notification_delivery SET state = 'sending', attempts = 1, lease_until = now() - interval '1 second'
		WHERE id = (SELECT min(id) FROM notification_delivery)`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			w := notify.NewWorker(db, notify.SMTP{Addr: smtpd.addr, From: "streetchief@example.org"})
			w.Batch = 20
			for {
				n, err := w.DeliverDue(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	if got, distinct := smtpd.count(); got != people || distinct != people {
		t.Fatalf("%d messages, %d distinct, want %d each", got, distinct, people)
	}
	var unsent int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM notification_delivery WHERE state <> 'sent'`).Scan(&unsent); err != nil || unsent != 0 {
		t.Fatalf("%d not sent, %v", unsent, err)
	}
}

// TestQuietHoursHoldADelivery until they end; a person without a reach on a channel the
// deployment offers gets none.
func TestQuietHoursHoldADelivery(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Pool(t)
	store := notify.NewStore(db, "email")
	sleeper, offline := person(t, db, "夜班"), person(t, db, "无邮箱")
	now := time.Now().In(time.FixedZone("Asia/Shanghai", 8*3600))
	from, until := now.Add(-time.Hour).Format("15:04"), now.Add(2*time.Hour).Format("15:04")
	reach(t, store, sleeper, notify.Reach{Channel: "email", Address: "night@example.org", Enabled: true, QuietFrom: from, QuietUntil: until})
	if err := store.SetReach(ctx, offline, notify.Reach{Channel: "sms", Address: "13900000000", Enabled: true}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("an SMS number where the deployment sends no SMS: %v", err)
	}
	for _, p := range []access.Principal{sleeper, offline} {
		if _, err := notify.Enqueue(ctx, db, caseNotice(p, 7)); err != nil {
			t.Fatal(err)
		}
	}
	var waits time.Duration
	var n int
	if err := db.QueryRow(ctx, `SELECT count(*), COALESCE(EXTRACT(epoch FROM max(d.next_attempt_at) - now()), 0)::bigint * 1000000000
		FROM notification_delivery d JOIN notification n ON n.id = d.notification_id WHERE n.person_id IN ($1, $2)`,
		sleeper.PersonID, offline.PersonID).Scan(&n, &waits); err != nil {
		t.Fatal(err)
	}
	if n != 1 || waits < 110*time.Minute || waits > 121*time.Minute {
		t.Fatalf("%d deliveries, the quiet one waits %v; want 1 waiting about 2 h", n, waits)
	}
	for _, bad := range []notify.Reach{{Channel: "fax", Address: "1"}, {Channel: "email", Address: "no-at-sign"},
		{Channel: "sms", Address: "12345"}, {Channel: "email", Address: "a@b.c", QuietFrom: "22:00"},
		{Channel: "email", Address: "a@b.c", QuietFrom: "25:00", QuietUntil: "07:00"}} {
		if err := store.SetReach(ctx, sleeper, bad); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("reach %+v: %v, want invalid", bad, err)
		}
	}
}

// TestADigestOnlyChannelCarriesOnlyTheDigest: the inbox gets both notices, the email only the digest.
func TestADigestOnlyChannelCarriesOnlyTheDigest(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Pool(t)
	store := notify.NewStore(db, "email")
	p := person(t, db, "只看日报")
	reach(t, store, p, notify.Reach{Channel: "email", Address: "daily@example.org", Enabled: true, DigestOnly: true})
	if _, err := notify.Enqueue(ctx, db, caseNotice(p, 31)); err != nil {
		t.Fatal(err)
	}
	if _, err := notify.Enqueue(ctx, db, notify.Notice{PersonID: p.PersonID, Kind: notify.DigestKind, Subject: notify.Subject{Type: "digest"},
		DedupeKey: "digest:2026-12-07", Params: map[string]any{"day": "2026-12-07", "summary": "手上案件 1 件"}}); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	rows, err := db.Query(ctx, `SELECT n.kind FROM notification_delivery d JOIN notification n ON n.id = d.notification_id
		WHERE n.person_id = $1`, p.PersonID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, k)
	}
	if in, _ := store.Inbox(ctx, p, 0, 0, false, "zh"); len(in.Items) != 2 || len(kinds) != 1 || kinds[0] != notify.DigestKind {
		t.Fatalf("inbox %d items, deliveries %v; want 2 and only the digest", len(in.Items), kinds)
	}
}
