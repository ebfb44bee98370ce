//go:build ha

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// drillReports is how many reports the restore drill files before and after its point in time.
const drillReports = 500

// TestRestoreToAPointInTime is the backup drill: a full pgBackRest backup of the primary, reports
// filed through the real server, a point in time taken on the primary, more reports, and then the
// backup and the archived WAL restored up to that point on a fresh cluster. The restored database
// holds every report acknowledged before the point, under the id and tracking number it was
// answered with, and none filed after it.
//
// It needs the cluster scripts/ha.sh starts, so it runs from make test-ha only.
func TestRestoreToAPointInTime(t *testing.T) {
	cluster := haClusterFromEnv(t)
	ctx := context.Background()
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	dbname := "streetchief_drill_" + run
	cluster.freshDatabase(t, dbname)
	server := startServe(t, cluster.dsn(dbname))
	pool := cluster.pool(t, dbname)
	points := reportPoints(t, pool)

	cluster.run(t, "backup")
	// pgBackRest picks the backup that ended before the target, to the second.
	time.Sleep(1500 * time.Millisecond)
	before := fileDrillReports(t, server, points, "drill-"+run+"-before")
	var target string
	if err := pool.QueryRow(ctx, `SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'`).Scan(&target); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	after := fileDrillReports(t, server, points, "drill-"+run+"-after")
	cluster.run(t, "archive-check")
	start := time.Now()
	port := cluster.run(t, "restore", target)
	t.Cleanup(func() { cluster.run(t, "restore-stop") })
	t.Logf("%d reports before %s and %d after; restored to that point in %s", len(before), target, len(after), time.Since(start).Round(time.Millisecond))

	restored, err := pgx.Connect(ctx, fmt.Sprintf("host=127.0.0.1 port=%s dbname=%s user=streetchief sslmode=disable", port, dbname))
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close(ctx)
	rows, err := restored.Query(ctx, `SELECT description, id, tracking_number FROM incident WHERE description LIKE $1`, "drill-"+run+"-%")
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]drillAck{}
	for rows.Next() {
		var desc string
		var a drillAck
		if err := rows.Scan(&desc, &a.ID, &a.TrackingNumber); err != nil {
			t.Fatal(err)
		}
		stored[desc] = a
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for desc, a := range before {
		got, ok := stored[desc]
		if !ok {
			t.Errorf("%s, acknowledged as incident %d before the point in time, is not in the restored database", desc, a.ID)
		} else if got.ID != a.ID || got.TrackingNumber != strings.ReplaceAll(a.TrackingNumber, "-", "") {
			t.Errorf("%s acknowledged as incident %d (%s); restored as %d (%s)", desc, a.ID, a.TrackingNumber, got.ID, got.TrackingNumber)
		}
	}
	for desc := range after {
		if _, ok := stored[desc]; ok {
			t.Errorf("%s, filed after the point in time, is in the restored database", desc)
		}
	}
	if len(stored) != len(before) {
		t.Errorf("the restored database holds %d drill reports, want the %d filed before the point", len(stored), len(before))
	}
}

type drillAck struct {
	ID             int64  `json:"id"`
	TrackingNumber string `json:"tracking_number"`
}

// fileDrillReports files drillReports reports described prefix-0, prefix-1, … from 8 clients, each
// with its own Idempotency-Key, retrying on 503, and returns their acknowledgements by description.
func fileDrillReports(t *testing.T, server *servedBinary, points [][2]float64, prefix string) map[string]drillAck {
	t.Helper()
	var mu sync.Mutex
	acked := map[string]drillAck{}
	work := make(chan int)
	var workers sync.WaitGroup
	for range 8 {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for i := range work {
				desc := fmt.Sprintf("%s-%d", prefix, i)
				a, err := fileReport(server, points[i%len(points)], desc)
				if err != nil {
					t.Error(err)
					continue
				}
				mu.Lock()
				acked[desc] = a
				mu.Unlock()
			}
		}()
	}
	for i := range drillReports {
		work <- i
	}
	close(work)
	workers.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return acked
}

func fileReport(server *servedBinary, p [2]float64, desc string) (drillAck, error) {
	body := []byte(fmt.Sprintf(`{"category":"sanitation","lon":%.7f,"lat":%.7f,"description":%q}`, p[0], p[1], desc))
	for attempt := 0; attempt < 20; attempt++ {
		req, _ := http.NewRequest("POST", server.url+"/api/v1/incidents", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", desc)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusCreated:
			var a drillAck
			if err := json.Unmarshal(raw, &a); err != nil || a.ID == 0 {
				return a, fmt.Errorf("%s: 201 with %s", desc, raw)
			}
			return a, nil
		case http.StatusServiceUnavailable:
			time.Sleep(500 * time.Millisecond)
		default:
			return drillAck{}, fmt.Errorf("%s: %d %s", desc, resp.StatusCode, raw)
		}
	}
	return drillAck{}, fmt.Errorf("%s: gave up after 20 attempts", desc)
}
