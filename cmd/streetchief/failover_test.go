//go:build ha

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// failoverReports is how many incidents the failover test submits.
const failoverReports = 5000

// TestAcknowledgedReportsSurviveAFailover runs the real `streetchief serve` on a Patroni cluster
// (a primary and a synchronous replica) through a libpq multi-host URL with
// target_session_attrs=read-write, and submits 5,000 incident reports, each with its own
// Idempotency-Key, from 16 clients that retry with the same key on 503 and on broken connections.
// When a fifth are in, the primary's node is lost: its Patroni and every PostgreSQL process of it get
// SIGKILL, and Patroni promotes the synchronous replica. Afterwards every report answered 201 is in
// the database once, under the id and tracking number it was answered with; no report is there
// twice; the server, never restarted, writes to the new primary; and its change feed (LISTEN) follows
// the new primary: an area renamed there reaches the lookup answer.
//
// It needs the cluster scripts/ha.sh starts, so it runs from make test-ha only.
func TestAcknowledgedReportsSurviveAFailover(t *testing.T) {
	cluster := haClusterFromEnv(t)
	ctx := context.Background()
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	dbname := "streetchief_ha_" + run
	cluster.freshDatabase(t, dbname)
	server := startServe(t, cluster.dsn(dbname))
	pool := cluster.pool(t, dbname)

	var primaryPort int
	if err := pool.QueryRow(ctx, `SELECT inet_server_port()`).Scan(&primaryPort); err != nil {
		t.Fatal(err)
	}
	var syncStandbys int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync' AND state = 'streaming'`).Scan(&syncStandbys); err != nil {
		t.Fatal(err)
	}
	if syncStandbys == 0 {
		t.Fatal("the primary has no synchronous standby streaming: a failover could lose acknowledged commits, so the test would prove nothing")
	}
	points := reportPoints(t, pool)

	type ack struct {
		ID             int64  `json:"id"`
		TrackingNumber string `json:"tracking_number"`
	}
	var (
		acked        = make([]ack, failoverReports)
		ackedN       atomic.Int64
		attempts     atomic.Int64
		unavailable  atomic.Int64 // 503 answers
		broken       atomic.Int64 // requests that failed without an answer
		killedAt     atomic.Int64 // unix nanoseconds
		firstAckSent atomic.Int64 // unix nanoseconds: the first 201 to a request sent after the kill, when it was sent
		firstAckAt   atomic.Int64 // and when its answer came
	)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	submit := func(i int) error {
		p := points[i%len(points)]
		body := []byte(fmt.Sprintf(`{"category":"sanitation","lon":%.7f,"lat":%.7f,"description":"ha-%s-%d"}`, p[0], p[1], run, i))
		for attempt := 0; attempt < 200; attempt++ {
			attempts.Add(1)
			req, _ := http.NewRequest("POST", server.url+"/api/v1/incidents", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", fmt.Sprintf("ha-%s-%d", run, i))
			sent := time.Now().UnixNano()
			resp, err := client.Do(req)
			if err != nil {
				broken.Add(1)
				time.Sleep(100 * time.Millisecond)
				continue
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			switch resp.StatusCode {
			case http.StatusCreated:
				var a ack
				if err := json.Unmarshal(raw, &a); err != nil || a.ID == 0 || a.TrackingNumber == "" {
					return fmt.Errorf("report %d: 201 with %s", i, raw)
				}
				acked[i] = a
				ackedN.Add(1)
				if k := killedAt.Load(); k != 0 && sent > k && firstAckSent.CompareAndSwap(0, sent) {
					firstAckAt.Store(time.Now().UnixNano())
				}
				return nil
			case http.StatusServiceUnavailable:
				unavailable.Add(1)
				secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
				if err != nil {
					return fmt.Errorf("report %d: 503 without a Retry-After of seconds: %s", i, raw)
				}
				time.Sleep(time.Duration(secs) * time.Second / 4) // honoured, shortened to keep the test quick
			default:
				return fmt.Errorf("report %d: %d %s", i, resp.StatusCode, raw)
			}
		}
		return fmt.Errorf("report %d: gave up after 200 attempts", i)
	}

	var killer sync.WaitGroup
	killer.Add(1)
	var killedNode string
	go func() {
		defer killer.Done()
		// Until the kill, how far the synchronous replica's replay trails the primary under this load:
		// the staleness of a read sent to it.
		var lagSeconds, lagBytes float64
		for ackedN.Load() < failoverReports/5 {
			var seconds, walBytes float64
			if err := pool.QueryRow(ctx, `SELECT coalesce(max(extract(epoch FROM replay_lag)), 0),
				coalesce(max(pg_wal_lsn_diff(sent_lsn, replay_lsn)), 0) FROM pg_stat_replication`).Scan(&seconds, &walBytes); err == nil {
				lagSeconds, lagBytes = max(lagSeconds, seconds), max(lagBytes, walBytes)
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Logf("before the kill, the synchronous replica's replay trailed the primary by at most %.1f ms and %.0f bytes of WAL (sampled every 50 ms)",
			lagSeconds*1000, lagBytes)
		out, err := exec.Command(cluster.script, "kill-primary").CombinedOutput()
		killedAt.Store(time.Now().UnixNano())
		if err != nil {
			t.Errorf("%s kill-primary: %v %s", cluster.script, err, out)
		}
		killedNode = strings.TrimSpace(string(out))
	}()
	start := time.Now()
	work := make(chan int)
	var workers sync.WaitGroup
	for range 16 {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for i := range work {
				if err := submit(i); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	for i := range failoverReports {
		work <- i
	}
	close(work)
	workers.Wait()
	killer.Wait()
	t.Logf("%d reports acknowledged in %s over %d requests: %d retries (%d answers 503, %d requests broken)",
		ackedN.Load(), time.Since(start).Round(time.Millisecond), attempts.Load(), attempts.Load()-failoverReports,
		unavailable.Load(), broken.Load())
	if sent := firstAckSent.Load(); sent != 0 {
		t.Logf("failover: primary %s killed; the first report sent afterwards that was acknowledged was sent %s after the kill and answered %s after it",
			killedNode, time.Duration(sent-killedAt.Load()).Round(time.Millisecond), time.Duration(firstAckAt.Load()-killedAt.Load()).Round(time.Millisecond))
	}
	if t.Failed() {
		return
	}
	if firstAckSent.Load() == 0 {
		t.Fatal("no report sent after the kill was acknowledged: the reports finished before the primary was lost, so the test tested nothing")
	}
	if !server.running() {
		t.Fatal("serve is no longer running")
	}

	var port int
	if err := pool.QueryRow(ctx, `SELECT inet_server_port()`).Scan(&port); err != nil {
		t.Fatal(err)
	}
	if port == primaryPort {
		t.Fatalf("writes still go to port %d, the primary before the kill: no failover happened", port)
	}
	checkEveryAcknowledgedReportOnce(t, pool, run, func(i int) (int64, string) { return acked[i].ID, acked[i].TrackingNumber })
	t.Logf("serve logged the change feed lost %d times before it resumed", server.countLog("database change feed lost"))
	checkChangeFeedFollowsTheNewPrimary(t, pool, server, points[0])
}
