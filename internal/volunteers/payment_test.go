package volunteers_test

import (
	"context"
	"encoding/json"
	"testing"

	"streetchief/internal/apperr"
	"streetchief/internal/funds"
	"streetchief/internal/volunteers"
)

func yuan(t *testing.T, s string) funds.Amount {
	t.Helper()
	a, err := funds.ParseYuan(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestPaymentsAddUpAndMoveTheVolunteerFundByExactlyThePayments pays under a 1,000,000-yuan contract,
// voids one payment and checks every figure against sums done by hand: the contract's amount is paid
// plus remaining, and each payer's balance of the volunteer fund moves by exactly its half.
func TestPaymentsAddUpAndMoveTheVolunteerFundByExactlyThePayments(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.contract(2026, "1000000")
	cityBefore, districtBefore := w.volunteerBalance(2026, funds.City), w.volunteerBalance(2026, funds.District)

	// 250,000.01 yuan does not halve: the district bears the odd fen, as the standing split says.
	p1, err := w.svc.Pay(ctx, w.leader, c.ID, volunteers.PaymentInput{PaidOn: "2026-03-31", Yuan: yuan(t, "250000.01"), Note: "一季度"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p1.LedgerEntries) != 2 {
		t.Fatalf("payment booked %v, want a city and a district entry", p1.LedgerEntries)
	}
	p2, err := w.svc.Pay(ctx, w.admin, c.ID, volunteers.PaymentInput{PaidOn: "2026-06-01", Yuan: yuan(t, "300000"), Note: "二季度，误付"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.svc.Contract(ctx, w.leader, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Paid != 55000001 || got.Remaining != 44999999 || got.Paid+got.Remaining != got.Yuan {
		t.Errorf("after two payments: paid %s, remaining %s of %s; want 550000.01 and 449999.99", got.Paid, got.Remaining, got.Yuan)
	}
	city, district := w.volunteerBalance(2026, funds.City), w.volunteerBalance(2026, funds.District)
	if d := city.Balance - cityBefore.Balance; d != -(12500000 + 15000000) {
		t.Errorf("city balance moved by %s, want -275000.00", d)
	}
	if d := district.Balance - districtBefore.Balance; d != -(12500001 + 15000000) {
		t.Errorf("district balance moved by %s, want -275000.01", d)
	}

	// More than the 449,999.99 remaining is refused and books nothing.
	before := w.counts()
	_, err = w.svc.Pay(ctx, w.leader, c.ID, volunteers.PaymentInput{PaidOn: "2026-06-10", Yuan: yuan(t, "450000")})
	if !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("paying 450000 of 449999.99 remaining: %v, want a conflict", err)
	}
	assertSameCounts(t, before, w.counts())

	// Voiding the mistaken payment corrects its entries to nothing; it stays on record.
	v, err := w.svc.VoidPayment(ctx, w.leader, p2.ID, "重复付款，财务已退回")
	if err != nil {
		t.Fatal(err)
	}
	if !v.Voided || len(v.VoidEntries) != 2 {
		t.Fatalf("voided payment = %+v", v)
	}
	for _, id := range v.VoidEntries {
		e, err := w.ledger.Entry(ctx, w.leader, id)
		if err != nil {
			t.Fatal(err)
		}
		if e.Kind != funds.Correction || e.Yuan != 15000000 || e.SourceType != funds.SourceVolunteer || e.SourceID != p2.ID {
			t.Errorf("void entry %d = %+v, want a correction of +150000.00 naming the payment", id, e)
		}
	}
	if _, err := w.svc.VoidPayment(ctx, w.leader, p2.ID, "again"); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("voiding twice: %v, want a conflict", err)
	}
	got, err = w.svc.Contract(ctx, w.leader, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Paid != 25000001 || got.Remaining != 74999999 || len(got.Payments) != 2 {
		t.Errorf("after the void: paid %s, remaining %s, %d payments; want 250000.01, 749999.99, 2", got.Paid, got.Remaining, len(got.Payments))
	}
	city, district = w.volunteerBalance(2026, funds.City), w.volunteerBalance(2026, funds.District)
	if d := city.Balance - cityBefore.Balance; d != -12500000 {
		t.Errorf("city balance after the void moved by %s, want -125000.00", d)
	}
	if d := district.Balance - districtBefore.Balance; d != -12500001 {
		t.Errorf("district balance after the void moved by %s, want -125000.01", d)
	}
	// Now the remaining amount exactly can be paid, and nothing more.
	if _, err := w.svc.Pay(ctx, w.leader, c.ID, volunteers.PaymentInput{PaidOn: "2026-06-12", Yuan: got.Remaining}); err != nil {
		t.Fatalf("paying the exact remainder: %v", err)
	}
	if _, err := w.svc.Pay(ctx, w.leader, c.ID, volunteers.PaymentInput{PaidOn: "2026-06-12", Yuan: 1}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("one fen beyond a fully paid contract: %v, want a conflict", err)
	}
	// A revision below what is paid is refused; one above it is kept beside the first.
	terms := volunteers.Terms{PeriodFrom: "2026-01-01", PeriodTo: "2026-12-31", Yuan: yuan(t, "900000"), HoursTarget: 1000, SignedOn: "2026-01-05", Reason: "削减"}
	if _, err := w.svc.Revise(ctx, w.leader, c.ID, terms); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("revising below what is paid: %v, want a conflict", err)
	}
	terms.Yuan, terms.Reason = yuan(t, "1200000"), "追加服务项目"
	r, err := w.svc.Revise(ctx, w.leader, c.ID, terms)
	if err != nil {
		t.Fatal(err)
	}
	if r.Revision != 2 || len(r.Revisions) != 2 || r.Remaining != 20000000 || r.Revisions[0].Yuan != 100000000 {
		t.Errorf("revised contract: revision %d, %d revisions, remaining %s", r.Revision, len(r.Revisions), r.Remaining)
	}
}

func TestPaymentsAreForTheFinanceSideAndHiddenFromChiefs(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.contract(2025, "1000000")
	if _, err := w.svc.Pay(ctx, w.chiefE, c.ID, volunteers.PaymentInput{PaidOn: "2025-03-01", Yuan: 100}); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("street chief pays: %v, want forbidden", err)
	}
	if _, err := w.svc.Pay(ctx, w.leader, c.ID, volunteers.PaymentInput{PaidOn: "2025-03-01", Yuan: 100}); err != nil {
		t.Fatal(err)
	}
	got, err := w.svc.Contract(ctx, w.lane, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Payments != nil || got.Paid != 100 {
		t.Errorf("lane chief's view: %d payments, paid %s; want the figures without the payments", len(got.Payments), got.Paid)
	}
	orgs, err := w.svc.Organisations(ctx, w.lane)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(orgs)
	if len(orgs) == 0 || json.Valid(b) && containsAny(string(b), "0597-2233445", "林主任") {
		t.Errorf("lane chief sees the organisation's contact: %s", b)
	}
}
