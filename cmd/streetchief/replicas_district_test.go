package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// Routing by district (docs/scale.md): the demo district is split in two — subdistricts 5 to 7 move
// to a second district, 350803 — and three replicas start: r1 holding the whole territory, r2 with
// --districts 350802 and r3 with --districts 350803, behind HAProxy started by scripts/lb.sh
// start-districts. A lookup naming its point's district in X-Streetchief-District is answered by
// the replica holding that district; without the header by the whole-territory one; and a replica
// asked directly about a point outside its districts refuses it, 421 with a problem document.
func TestReplicasBehindHAProxyRouteLookupsByDistrict(t *testing.T) {
	haproxyOrSkip(t)
	c, pool := newDemoCluster(t)
	ctx := context.Background()

	east := []string{"350802005", "350802006", "350802007"}
	if _, err := pool.Exec(ctx, `WITH d AS (
			INSERT INTO admin_unit (level, parent_id, code, name, boundary)
			SELECT 'district', parent_id, '350803', '东区', (SELECT ST_Multi(ST_CollectionExtract(ST_Union(boundary), 3)) FROM admin_unit WHERE code = ANY($1))
			FROM admin_unit WHERE code = '350802' RETURNING id)
		UPDATE admin_unit SET parent_id = (SELECT id FROM d) WHERE code = ANY($1)`, east); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE admin_unit SET boundary = (SELECT ST_Multi(ST_CollectionExtract(ST_Union(boundary), 3))
		FROM admin_unit WHERE level = 'subdistrict' AND parent_id = (SELECT id FROM admin_unit WHERE code = '350802')) WHERE code = '350802'`); err != nil {
		t.Fatal(err)
	}
	pointIn := func(code string) (orb.Point, int64) {
		var p orb.Point
		var id int64
		if err := pool.QueryRow(ctx, `SELECT ST_X(ST_PointOnSurface(boundary)), ST_Y(ST_PointOnSurface(boundary)), id FROM admin_unit WHERE code = $1`, code).
			Scan(&p[0], &p[1], &id); err != nil {
			t.Fatal(err)
		}
		return p, id
	}
	west, westSub := pointIn("350802001")
	eastP, eastSub := pointIn("350802007")

	p := ports(t, 4)
	addr := func(i int) string { return fmt.Sprintf("127.0.0.1:%d", p[i]) }
	c.launch(addr(1))
	c.launch(addr(2), "--districts", "350802")
	c.launch(addr(3), "--districts", "350803")
	c.balance(p[0], "start-districts", fmt.Sprint(p[0]), addr(1), "350802@"+addr(2), "350803@"+addr(3))

	anon := c.client(false)
	// balance waited for each replica and the default backend; each district's backend checks its
	// servers on its own, and may not yet count them up.
	deadline := time.Now().Add(time.Minute)
	for _, district := range []string{"350802", "350803"} {
		header := map[string]string{"X-Streetchief-District": district}
		for {
			if status, _, _ := c.do(anon, "", "GET", "/readyz", header, nil); status == 200 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the balancer's backend for district %q has no replica up after a minute", district)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	lookup := func(pinned, district string, pt orb.Point) (int, http.Header, map[string]any) {
		t.Helper()
		var header map[string]string
		if district != "" {
			header = map[string]string{"X-Streetchief-District": district}
		}
		status, h, b := c.do(anon, pinned, "GET", fmt.Sprintf("/api/v1/lookup?lon=%.7f&lat=%.7f", pt[0], pt[1]), header, nil)
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("lookup: %d %s", status, b)
		}
		return status, h, doc
	}
	subdistrictOf := func(doc map[string]any) int64 {
		sub, _ := doc["subdistrict"].(map[string]any)
		id, _ := sub["id"].(float64)
		return int64(id)
	}
	for _, tc := range []struct {
		district, want string
		pt             orb.Point
		sub            int64
	}{
		{"350802", "r2", west, westSub},
		{"350803", "r3", eastP, eastSub},
		{"", "r1", eastP, eastSub},
	} {
		status, h, doc := lookup("", tc.district, tc.pt)
		if status != 200 || h.Get("X-Streetchief-Replica") != tc.want || subdistrictOf(doc) != tc.sub {
			t.Fatalf("lookup naming district %q: %d from %s, subdistrict %d; want 200 from %s, subdistrict %d (%v)",
				tc.district, status, h.Get("X-Streetchief-Replica"), subdistrictOf(doc), tc.want, tc.sub, doc)
		}
	}
	for _, tc := range []struct {
		replica string
		pt      orb.Point
	}{{"r2", eastP}, {"r3", west}} {
		status, h, doc := lookup(tc.replica, "", tc.pt)
		if status != http.StatusMisdirectedRequest || h.Get("Content-Type") != "application/problem+json" || doc["detail"] == nil {
			t.Fatalf("%s asked about a point outside its districts: %d %s %v, want 421 problem+json", tc.replica, status, h.Get("Content-Type"), doc)
		}
		t.Logf("%s refuses a point outside its districts: %d %v", tc.replica, status, doc["detail"])
	}
}
