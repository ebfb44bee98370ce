package merchants_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/merchants"
)

func ids(list []merchants.Merchant) []int64 {
	out := []int64{}
	for _, m := range list {
		out = append(out, m.ID)
	}
	return out
}

// Today's work: the shops the signed-in person is the primary inspector of, open, not yet inspected
// today (Beijing), nearest first from where they stand however far.
func TestDueTodayListsTheCallersUninspectedShopsNearestFirst(t *testing.T) {
	w := newIWorld(t)
	ctx := context.Background()
	base := w.inA(0)
	s1 := w.shop("一", base, w.insp.ID)
	s2 := w.shop("二", east(base, 500), w.insp.ID)
	s3 := w.shop("三", east(base, 1500), w.insp.ID)
	w.shop("别人的", east(base, 1400), w.insp2.ID)
	closed := w.shop("关门", east(base, 1450), w.insp.ID)
	if _, err := dbtest.Pool(t).Exec(ctx, `UPDATE merchant SET status = 'closed', status_since = '2026-02-01' WHERE id = $1`, closed); err != nil {
		t.Fatal(err)
	}
	done := w.mustInspect(w.asInsp, visit{shop: s2, at: time.Now(), p: east(base, 500), accuracy: 5})

	here := east(base, 2000)
	list, _, err := w.store.ListMerchants(ctx, w.asInsp, merchants.Filter{Due: "today", Near: &here})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(list); !slices.Equal(got, []int64{s3, s1}) {
		t.Fatalf("due today from 2 km east: %v, want [%d %d] (s3 then s1, s2 done)", got, s3, s1)
	}
	if list[1].DistanceM < 1900 || list[0].InspectedToday || list[1].InspectedToday {
		t.Fatalf("%+v", list)
	}
	// Without near, in id order.
	list, _, err = w.store.ListMerchants(ctx, w.asInsp, merchants.Filter{Due: "today"})
	if err != nil || !slices.Equal(ids(list), []int64{s1, s3}) {
		t.Fatalf("due today: %v %v", ids(list), err)
	}

	// Every shop says whether it was inspected today and when last.
	list, _, err = w.store.ListMerchants(ctx, w.asInsp, merchants.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		inspected := m.ID == s2
		if m.InspectedToday != inspected || (m.LastInspectedAt != nil) != inspected {
			t.Fatalf("shop %d: inspected_today %v, last %v", m.ID, m.InspectedToday, m.LastInspectedAt)
		}
		if inspected && !m.LastInspectedAt.Equal(done.At) {
			t.Fatalf("last inspected %v, want %v", m.LastInspectedAt, done.At)
		}
	}

	// Someone with no shops of their own has nothing due; an account with no person cannot ask.
	if list, _, err := w.store.ListMerchants(ctx, w.asStreet, merchants.Filter{Due: "today", Near: &here}); err != nil || len(list) != 0 {
		t.Fatalf("street chief: %v %v", ids(list), err)
	}
	for _, tc := range []struct {
		who access.Principal
		f   merchants.Filter
	}{
		{w.asAdmin, merchants.Filter{Due: "today"}},
		{w.asInsp, merchants.Filter{Due: "tomorrow"}},
		{w.asInsp, merchants.Filter{Due: "today", Near: &orb.Point{200, 0}}},
	} {
		if _, _, err := w.store.ListMerchants(ctx, tc.who, tc.f); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("%s %+v: %v, want invalid", tc.who.Username, tc.f, err)
		}
	}
}
