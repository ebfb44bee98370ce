package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"streetchief/internal/dbtest"
)

func TestPartitionsCommandListsDetachesAndAttaches(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Own(t)
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := partitionsCommand(ctx, pool, args, &out)
		return out.String(), err
	}
	month := time.Now().In(time.FixedZone("Asia/Shanghai", 8*3600)).AddDate(0, 0, -1).AddDate(0, -6, 0)
	name := "merchant_inspection_" + month.Format("2006_01")
	out, err := run("list")
	if err != nil || !strings.Contains(out, "merchant_inspection  "+month.Format("2006-01")+"  live") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	if out, err = run("detach", "--table", "merchant_inspection", "--before", month.AddDate(0, 1, 0).Format("2006-01")); err != nil ||
		!strings.Contains(out, "detached "+name) {
		t.Fatalf("detach: %v\n%s", err, out)
	}
	if out, _ = run("list"); !strings.Contains(out, month.Format("2006-01")+"  archived") {
		t.Fatalf("list after detach:\n%s", out)
	}
	if out, err = run("attach", name); err != nil || out != "attached "+name+"\n" {
		t.Fatalf("attach: %v %q", err, out)
	}
	for _, bad := range [][]string{
		{}, {"drop"}, {"detach"}, {"detach", "--table", "merchant_inspection", "--before", "June"},
		{"detach", "--table", "person", "--before", "2026-01"}, {"attach"}, {"attach", "person"}, {"attach", name, name},
	} {
		if _, err := run(bad...); err == nil {
			t.Errorf("partitions %q succeeded", bad)
		}
	}
}
