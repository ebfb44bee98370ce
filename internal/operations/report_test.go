package operations_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"streetchief/internal/operations"
)

func TestPrintedReportShowsPlanTargetsAndOutcome(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	shops := w.shops(2, w.inE(0))
	op := w.mustCreate(w.plan(map[string]any{"merchant_ids": shops}))
	w.clock = op.EndsAt.Add(time.Hour)
	if _, err := w.store.RecordOutcome(ctx, w.chiefE, op.ID, operations.OutcomeInput{Notes: "两户当场整改完毕",
		Shops: []operations.ShopDealt{{MerchantID: shops[0], Dealt: operations.RectifiedOnSpot}}}); err != nil {
		t.Fatal(err)
	}
	rep, err := w.store.Report(ctx, w.chiefE, op.ID)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{"东城街道联合执法行动报告：东街占道经营整治", "指挥甲", "13900000001", "店1", "当场整改", "两户当场整改完毕",
		"已完成", "<svg", `class="gap shop"`, "东街"} {
		if !strings.Contains(page, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if _, err := w.store.Report(ctx, w.chiefW, op.ID); err == nil {
		t.Fatal("the street chief of W printed E's operation")
	}
}
