package merchants_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/apperr"
	"streetchief/internal/merchants"
)

func TestShopTakesTheCommunityItLiesIn(t *testing.T) {
	w := newWorld(t)
	a := w.shop(t, "甲店", w.inA())
	if a.CommunityID != w.comA.ID || a.SubdistrictID != w.sub.ID {
		t.Fatalf("shop in A located in %d/%d, want %d/%d", a.SubdistrictID, a.CommunityID, w.sub.ID, w.comA.ID)
	}
	// Moving it across the line re-derives its community.
	p := w.inB()
	moved, err := w.store.UpdateMerchant(context.Background(), system, a.ID, merchants.Patch{Location: &p})
	if err != nil {
		t.Fatal(err)
	}
	if moved.CommunityID != w.comB.ID {
		t.Fatalf("moved shop in community %d, want B %d", moved.CommunityID, w.comB.ID)
	}
	// A shop on the boundary between A and B belongs to neither community, only to the subdistrict.
	edge := w.shop(t, "界店", orb.Point{w.x + 0.01, w.y + 0.005})
	if edge.CommunityID != 0 || edge.SubdistrictID != w.sub.ID {
		t.Fatalf("shop on the A/B line: community %d subdistrict %d", edge.CommunityID, edge.SubdistrictID)
	}
}

func TestBadShopsAreRefusedAndWriteNothing(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.shop(t, "已有店", w.inA())
	taken := licence(1)
	if _, err := w.store.CreateMerchant(ctx, system, merchants.Input{Name: "持照店", LicenceNo: taken, Location: w.inA()}); err != nil {
		t.Fatal(err)
	}
	wrongCheck := licence(2)[:17] + "0"
	if wrongCheck == licence(2) {
		wrongCheck = licence(2)[:17] + "1"
	}
	for name, tc := range map[string]struct {
		in   merchants.Input
		code apperr.Code
	}{
		"outside the district":    {merchants.Input{Name: "境外店", Location: orb.Point{0.5, 0.5}}, apperr.Invalid},
		"wrong check digit":       {merchants.Input{Name: "错码店", LicenceNo: wrongCheck, Location: w.inA()}, apperr.Invalid},
		"licence of another shop": {merchants.Input{Name: "重码店", LicenceNo: taken, Location: w.inA()}, apperr.Conflict},
		"no name":                 {merchants.Input{Location: w.inA()}, apperr.Invalid},
		"huge name":               {merchants.Input{Name: strings.Repeat("店", 201), Location: w.inA()}, apperr.Invalid},
		"huge address":            {merchants.Input{Name: "长址店", Address: strings.Repeat("路", 301), Location: w.inA()}, apperr.Invalid},
		"control characters":      {merchants.Input{Name: "店\x00名", Location: w.inA()}, apperr.Invalid},
		"phone of letters":        {merchants.Input{Name: "电话店", ContactPhone: "call me", Location: w.inA()}, apperr.Invalid},
		"NaN position":            {merchants.Input{Name: "无位店", Location: orb.Point{nanValue(), w.y}}, apperr.Invalid},
		"out of range":            {merchants.Input{Name: "远店", Location: orb.Point{200, 95}}, apperr.Invalid},
		"frontage a point":        {merchants.Input{Name: "点前店", Location: w.inA(), Frontage: orb.Point{w.x, w.y}}, apperr.Invalid},
		"frontage self-crossing": {merchants.Input{Name: "交叉店", Location: w.inA(), Frontage: orb.Polygon{{{w.x + 0.005, w.y + 0.005},
			{w.x + 0.0051, w.y + 0.0051}, {w.x + 0.0051, w.y + 0.005}, {w.x + 0.005, w.y + 0.0051}, {w.x + 0.005, w.y + 0.005}}}}, apperr.Invalid},
		"frontage far away": {merchants.Input{Name: "远门店", Location: w.inA(), Frontage: orb.LineString{{w.x + 0.009, w.y + 0.009},
			{w.x + 0.0095, w.y + 0.009}}}, apperr.Invalid},
	} {
		t.Run(name, func(t *testing.T) {
			before := rowCounts(t)
			_, err := w.store.CreateMerchant(ctx, system, tc.in)
			if !apperr.Is(err, tc.code) {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
			if after := rowCounts(t); after != before {
				t.Fatalf("refused, yet %s → %s", before, after)
			}
		})
	}
}

func nanValue() float64 {
	zero := 0.0
	return zero / zero
}

func TestLaneChiefSeesAndChangesOnlyTheirCommunity(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a, b := w.shop(t, "甲店", w.inA()), w.shop(t, "乙店", w.inB())
	if _, err := w.store.Merchant(ctx, w.laneA, b.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("lane chief of A read B's shop: %v", err)
	}
	name := "改名"
	if _, err := w.store.UpdateMerchant(ctx, w.laneA, b.ID, merchants.Patch{Name: &name}); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("lane chief of A changed B's shop: %v", err)
	}
	p := w.inB()
	if _, err := w.store.UpdateMerchant(ctx, w.laneA, a.ID, merchants.Patch{Location: &p}); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("lane chief of A moved a shop into B: %v", err)
	}
	if _, err := w.store.CreateMerchant(ctx, w.laneA, merchants.Input{Name: "越界店", Location: w.inB()}); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("lane chief of A registered a shop in B: %v", err)
	}
	list, _, err := w.store.ListMerchants(ctx, w.laneA, merchants.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != a.ID {
		t.Fatalf("lane chief of A lists %v", names(list))
	}
	all, _, err := w.store.ListMerchants(ctx, w.street, merchants.Filter{})
	if err != nil || len(all) != 2 {
		t.Fatalf("street chief lists %v %v", names(all), err)
	}
}

func TestStatusChangesKeepTheShopAndRefuseNonsense(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a := w.shop(t, "甲店", w.inA())
	today := time.Now().In(time.FixedZone("CST", 8*3600))
	tomorrow := time.Date(today.Year(), today.Month(), today.Day()+1, 0, 0, 0, 0, time.UTC)
	if _, err := w.store.SetStatus(ctx, system, a.ID, merchants.StatusChange{Status: merchants.Closed, Since: tomorrow}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("closing tomorrow: %v", err)
	}
	if _, err := w.store.SetStatus(ctx, system, a.ID, merchants.StatusChange{Status: "deleted"}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("status deleted: %v", err)
	}
	closed, err := w.store.SetStatus(ctx, system, a.ID, merchants.StatusChange{Status: merchants.Closed, Note: "歇业"})
	if err != nil || closed.Status != merchants.Closed {
		t.Fatalf("close: %v %v", closed.Status, err)
	}
	if _, err := w.store.SetStatus(ctx, system, a.ID, merchants.StatusChange{Status: merchants.Closed}); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("closing twice: %v", err)
	}
	if got, _, err := w.store.ListMerchants(ctx, system, merchants.Filter{Status: merchants.Closed, CommunityID: w.comA.ID}); err != nil || len(got) != 1 {
		t.Fatalf("closed shop left the register: %v %v", names(got), err)
	}
}

func TestNearFindsTheShopByItsPointOrFrontage(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	p := w.inA()
	// A frontage 30 m long running east from 20 m east of the shop's point.
	front := orb.LineString{{p[0] + 0.0002, p[1]}, {p[0] + 0.0005, p[1]}}
	m, err := w.store.CreateMerchant(ctx, system, merchants.Input{Name: "临街店", Location: p, Frontage: front})
	if err != nil {
		t.Fatal(err)
	}
	w.shop(t, "远处店", orb.Point{p[0] - 0.002, p[1]})
	for name, tc := range map[string]struct {
		at   orb.Point
		want int
	}{
		"on the point":          {p, 1},
		"10 m from the point":   {orb.Point{p[0], p[1] + 0.00009}, 1},
		"on the frontage's end": {orb.Point{p[0] + 0.0005, p[1] + 0.00005}, 1},
		"40 m off both":         {orb.Point{p[0], p[1] + 0.00036}, 0},
	} {
		got, _, err := w.store.ListMerchants(ctx, system, merchants.Filter{Near: &tc.at, WithinM: 15})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tc.want || (tc.want == 1 && got[0].ID != m.ID) {
			t.Errorf("%s: %v", name, names(got))
		}
	}
}

func names(ms []merchants.Merchant) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Name
	}
	return out
}
