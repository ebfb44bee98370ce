//go:build ha

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/registry"
)

// reportPoints are points inside the demo city's areas (rivers left out), where reports are filed.
func reportPoints(t *testing.T, pool *pgxpool.Pool) [][2]float64 {
	t.Helper()
	rows, err := pool.Query(context.Background(), `
		SELECT ST_X(p), ST_Y(p) FROM (
			SELECT id, ST_PointOnSurface(geom) p FROM area WHERE kind <> 'river' ORDER BY id LIMIT 200) a
		ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var points [][2]float64
	for rows.Next() {
		var p [2]float64
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			t.Fatal(err)
		}
		points = append(points, p)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(points) == 0 {
		t.Fatal("the database holds no area: the demo city did not load")
	}
	return points
}

// checkEveryAcknowledgedReportOnce checks that each report answered 201 is stored once, under the id
// and tracking number it was answered with, that its Idempotency-Key names that incident, and that
// no report is stored twice.
func checkEveryAcknowledgedReportOnce(t *testing.T, pool *pgxpool.Pool, run string, acked func(i int) (int64, string)) {
	t.Helper()
	rows, err := pool.Query(context.Background(), `
		SELECT i.description, i.id, i.tracking_number, k.key
		FROM incident i LEFT JOIN incident_idempotency k ON k.incident_id = i.id
		WHERE i.description LIKE $1`, "ha-"+run+"-%")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type stored struct {
		id       int64
		tracking string
		key      *string
	}
	byDescription := map[string][]stored{}
	for rows.Next() {
		var desc string
		var s stored
		if err := rows.Scan(&desc, &s.id, &s.tracking, &s.key); err != nil {
			t.Fatal(err)
		}
		byDescription[desc] = append(byDescription[desc], s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	lost := 0
	for i := range failoverReports {
		id, tracking := acked(i)
		name := fmt.Sprintf("ha-%s-%d", run, i)
		got := byDescription[name]
		switch {
		case len(got) == 0:
			lost++
			t.Errorf("report %d acknowledged as incident %d is not in the database", i, id)
		case len(got) > 1:
			t.Errorf("report %d is stored %d times: %v", i, len(got), got)
		case got[0].id != id || got[0].tracking != strings.ReplaceAll(tracking, "-", ""):
			t.Errorf("report %d acknowledged as incident %d (%s); the database holds incident %d (%s)", i, id, tracking, got[0].id, got[0].tracking)
		case got[0].key == nil || *got[0].key != name:
			t.Errorf("report %d: incident %d is not recorded under its Idempotency-Key %s", i, id, name)
		}
	}
	if len(byDescription) != failoverReports {
		t.Errorf("%d distinct reports stored, want %d", len(byDescription), failoverReports)
	}
	t.Logf("acknowledged reports lost: %d of %d", lost, failoverReports)
}

// checkChangeFeedFollowsTheNewPrimary renames the area at p on the new primary and waits for the
// server's lookup to answer with the new name: the rename reaches it only through the change feed.
func checkChangeFeedFollowsTheNewPrimary(t *testing.T, pool *pgxpool.Pool, server *servedBinary, p [2]float64) {
	t.Helper()
	ctx := context.Background()
	name := "failover " + strconv.FormatInt(time.Now().UnixNano(), 36)
	var id int64
	if err := pool.QueryRow(ctx, `SELECT id FROM area WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) ORDER BY id LIMIT 1`,
		p[0], p[1]).Scan(&id); err != nil {
		t.Fatalf("the area at %v: %v", p, err)
	}
	// Through the registry, the area table's owner, as an edit in the dashboard would go.
	store, who := registry.NewStore(pool), access.System("failover test")
	area, err := store.Area(ctx, who, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpdateArea(ctx, who, id, registry.AreaInput{Kind: area.Kind, Name: name, Geom: area.Geom,
		Centreline: area.Centreline, Attributes: area.Attributes}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for time.Since(start) < time.Minute {
		if slices.Contains(lookupAreaNames(t, server, p), name) {
			t.Logf("an area renamed after the failover reached the lookup answer in %s", time.Since(start).Round(time.Millisecond))
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("an area renamed after the failover did not reach the lookup answer in a minute: the change feed did not resume (lookup answers %v)",
		lookupAreaNames(t, server, p))
}

// lookupAreaNames asks the server's public lookup which areas cover the point.
func lookupAreaNames(t *testing.T, server *servedBinary, p [2]float64) []string {
	t.Helper()
	q := url.Values{"lon": {strconv.FormatFloat(p[0], 'f', 7, 64)}, "lat": {strconv.FormatFloat(p[1], 'f', 7, 64)}}
	resp, err := http.Get(server.url + "/api/v1/lookup?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(resp.Body)
		t.Fatalf("lookup: %d %s", resp.StatusCode, raw)
	}
	var answer struct {
		Areas []struct {
			Name string `json:"name"`
		} `json:"areas"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(answer.Areas))
	for i, a := range answer.Areas {
		names[i] = a.Name
	}
	return names
}
