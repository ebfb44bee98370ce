package merchants_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"testing"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/merchants"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRenewalEndsTheOldPledgeAndKeepsIt(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	m := w.shop(t, "甲店", w.inA())
	until := day("2026-01-01")
	first, err := w.store.SignPledge(ctx, system, m.ID, merchants.PledgeInput{SignedOn: day("2025-01-01"), Until: &until,
		SignerName: "张老板", WitnessPersonID: w.person.ID, Scan: pngBytes(t)})
	if err != nil {
		t.Fatal(err)
	}
	if !first.HasScan || first.WitnessName != "包户员" || len(first.Items) != 3 {
		t.Fatalf("first pledge: %+v", first)
	}
	renewal, err := w.store.SignPledge(ctx, system, m.ID, merchants.PledgeInput{SignedOn: day("2025-12-20"), From: day("2025-12-20")})
	if err != nil {
		t.Fatal(err)
	}
	all, err := w.store.Pledges(ctx, system, m.ID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].ID != renewal.ID || !all[0].Current || all[1].Current || !all[1].Until.Equal(day("2025-12-20")) {
		t.Fatalf("history after renewal: %+v", all)
	}
	// On a day of the first period, the first is the current one.
	then, err := w.store.Pledges(ctx, system, m.ID, day("2025-06-01"))
	if err != nil || !then[1].Current || then[0].Current {
		t.Fatalf("on 1 June 2025: %+v %v", then, err)
	}
	got, err := w.store.Merchant(ctx, system, m.ID)
	if err != nil || !got.Pledged {
		t.Fatalf("renewed shop not pledged: %v", err)
	}
	// Voiding the renewal leaves the shop without a current pledge, on record.
	if _, err := w.store.VoidPledge(ctx, system, renewal.ID, ""); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("void without reason: %v", err)
	}
	if _, err := w.store.VoidPledge(ctx, system, renewal.ID, "签错了商户"); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.store.Merchant(ctx, system, m.ID); got.Pledged {
		t.Fatal("a voided pledge still counts")
	}
	if all, _ := w.store.Pledges(ctx, system, m.ID, time.Time{}); len(all) != 2 || all[0].VoidReason != "签错了商户" {
		t.Fatalf("voided pledge left the record: %+v", all)
	}
}

func TestBadPledgesWriteNothing(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	m := w.shop(t, "甲店", w.inA())
	b := w.shop(t, "乙店", w.inB())
	future := time.Now().AddDate(0, 0, 3)
	early := day("2024-01-01")
	for name, tc := range map[string]struct {
		who  int // 0 system, 1 lane chief of A
		id   int64
		in   merchants.PledgeInput
		code apperr.Code
	}{
		"signed in the future": {0, m.ID, merchants.PledgeInput{SignedOn: future}, apperr.Invalid},
		"no date":              {0, m.ID, merchants.PledgeInput{}, apperr.Invalid},
		"until before from":    {0, m.ID, merchants.PledgeInput{SignedOn: day("2025-01-01"), Until: &early}, apperr.Invalid},
		"unknown item":         {0, m.ID, merchants.PledgeInput{SignedOn: day("2025-01-01"), Items: []string{"parking"}}, apperr.Invalid},
		"scan not an image":    {0, m.ID, merchants.PledgeInput{SignedOn: day("2025-01-01"), Scan: []byte("%PDF-1.4 not a photo")}, apperr.Invalid},
		"unknown witness":      {0, m.ID, merchants.PledgeInput{SignedOn: day("2025-01-01"), WitnessPersonID: 99999999}, apperr.Invalid},
		"shop of another":      {1, b.ID, merchants.PledgeInput{SignedOn: day("2025-01-01")}, apperr.NotFound},
		"unknown shop":         {0, 99999999, merchants.PledgeInput{SignedOn: day("2025-01-01")}, apperr.NotFound},
	} {
		t.Run(name, func(t *testing.T) {
			who := system
			if tc.who == 1 {
				who = w.laneA
			}
			before := rowCounts(t)
			if _, err := w.store.SignPledge(ctx, who, tc.id, tc.in); !apperr.Is(err, tc.code) {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
			if after := rowCounts(t); after != before {
				t.Fatalf("%s → %s", before, after)
			}
		})
	}
}
