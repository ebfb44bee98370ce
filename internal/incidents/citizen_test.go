package incidents_test

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
	"streetchief/internal/notify"
)

// phone is an SMS channel that keeps what it was given to send.
type phone struct {
	mu   sync.Mutex
	sent []notify.Message
}

func (*phone) Name() string { return "sms" }
func (p *phone) Send(_ context.Context, m notify.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent = append(p.sent, m)
	return nil
}

var linkKey = regexp.MustCompile(`#track=([0-9A-Z-]+)&token=([A-Za-z0-9_-]+)`)

// TestAReporterWhoLeftANumberHearsAndMayStop: received with its number, resolved with the link to
// confirm — whose key confirms it — and no more once they stop; a number typed into many reports
// hears at most its hour's share; a contact that is neither a number nor an email is refused.
func TestAReporterWhoLeftANumberHearsAndMayStop(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	db := dbtest.Pool(t)
	svc := incidents.NewService(db, w.engine, incidents.Options{Now: w.clock.Now, Citizens: notify.NewStore(db, "sms")})
	sms := &phone{}
	worker := notify.NewWorker(db, sms)
	worker.BaseURL = "https://jiexiang.example"
	deliver := func() notify.Message {
		t.Helper()
		before := len(sms.sent)
		if _, err := worker.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		if len(sms.sent) != before+1 {
			t.Fatalf("%d messages sent, want one more than %d", len(sms.sent), before)
		}
		return sms.sent[len(sms.sent)-1]
	}
	lon, lat := w.inA()[0], w.inA()[1]
	in, err := incidents.IntakeFields{Category: "sanitation", Lon: &lon, Lat: &lat, Description: "垃圾", Contact: "+86 138-1234-5678"}.Intake(nil)
	if err != nil {
		t.Fatal(err)
	}
	rc, _, err := svc.Report(ctx, access.Principal{}, in, incidents.IdempotencyKey{})
	if err != nil {
		t.Fatal(err)
	}
	got := deliver()
	m := linkKey.FindStringSubmatch(got.Body)
	if got.To != "13812345678" || m == nil || m[1] != rc.TrackingNumber || !strings.Contains(got.Body, "已受理") {
		t.Fatalf("received message to %q: %q", got.To, got.Body)
	}
	var secrets int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM notification WHERE secret IS NOT NULL`).Scan(&secrets); err != nil || secrets != 0 {
		t.Fatalf("%d message keys kept after sending, %v", secrets, err)
	}
	if tr, err := svc.Track(ctx, rc.TrackingNumber, m[2]); err != nil || !tr.Reporter || !tr.Messages {
		t.Fatalf("tracked with the message's key: %+v, %v", tr, err)
	}
	for _, to := range []incidents.Status{incidents.InProgress, incidents.Resolved} {
		if _, err := svc.Transition(ctx, w.asLane, rc.ID, incidents.TransitionInput{To: to, Note: "已清理"}); err != nil {
			t.Fatal(err)
		}
	}
	got = deliver()
	m = linkKey.FindStringSubmatch(got.Body)
	if m == nil || !strings.Contains(got.Body, "请确认或提出异议") {
		t.Fatalf("resolved message %q", got.Body)
	}
	if v, err := svc.Verify(ctx, access.Principal{}, rc.ID, incidents.VerificationInput{Outcome: incidents.Confirmed, Token: m[2]}); err != nil ||
		v.Status != incidents.Closed {
		t.Fatalf("the reporter confirmed with the message's key: %+v, %v", v.Status, err)
	}
	if err := svc.StopMessages(ctx, rc.TrackingNumber, "not-the-key"); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("stopped with a wrong key: %v", err)
	}
	if err := svc.StopMessages(ctx, rc.TrackingNumber, m[2]); err != nil {
		t.Fatal(err)
	}
	if tr, _ := svc.Track(ctx, rc.TrackingNumber, m[2]); tr.Messages {
		t.Fatal("still messaged after stopping")
	}
	if _, err := svc.Transition(ctx, w.asStreet, rc.ID, incidents.TransitionInput{To: incidents.Reopened, Note: "又脏了"}); err != nil {
		t.Fatal(err)
	}
	for _, to := range []incidents.Status{incidents.InProgress, incidents.Resolved} {
		if _, err := svc.Transition(ctx, w.asLane, rc.ID, incidents.TransitionInput{To: to, Note: "再次清理"}); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := worker.DeliverDue(ctx); n != 0 {
		t.Fatalf("%d messages after the reporter stopped them", n)
	}
	// Someone types another's number into many reports: it hears of the first ones of the hour only.
	for range 6 {
		in, _ := incidents.IntakeFields{Category: "sanitation", Lon: &lon, Lat: &lat, Contact: "13900001111"}.Intake(nil)
		if _, _, err := svc.Report(ctx, access.Principal{}, in, incidents.IdempotencyKey{}); err != nil {
			t.Fatal(err)
		}
	}
	var queued int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM notification WHERE recipient_address = '13900001111'`).Scan(&queued); err != nil || queued != notify.CitizenPerHour {
		t.Fatalf("%d messages queued to one number in an hour, want %d", queued, notify.CitizenPerHour)
	}
	for _, bad := range []string{"12345", "not an address", "a@b", "138123456789"} {
		if _, err := (incidents.IntakeFields{Category: "sanitation", Lon: &lon, Lat: &lat, Contact: bad}).Intake(nil); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("contact %q: %v", bad, err)
		}
	}
}
