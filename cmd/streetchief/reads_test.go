//go:build ha

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// TestReadsFromTheStandby runs the real server with --read-database-url naming the Patroni cluster
// with target_session_attrs=prefer-standby. The incident tiles and the reports are then read on the
// replica (its pg_stat_activity shows the streetchief-reads sessions and their queries); a report
// filed through the API reaches its incident tile (the time is printed); during 5,000 reports the
// standby's replay lag is sampled (p50/p99/max printed: how stale a read can be); and once the
// replica's node is SIGKILLed the same reads are answered from the primary, failing at most while
// the pool's connections to the dead node are found broken, and then with 503, never 500.
//
// It leaves the cluster without its replica: make test-ha runs scripts/ha.sh start after it.
func TestReadsFromTheStandby(t *testing.T) {
	cluster := haClusterFromEnv(t)
	ctx := context.Background()
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	dbname := "streetchief_reads_" + run
	cluster.freshDatabase(t, dbname)
	readsDSN := strings.Replace(cluster.dsn(dbname), "target_session_attrs=read-write", "target_session_attrs=prefer-standby", 1)
	server := startServe(t, cluster.dsn(dbname), "--read-database-url", readsDSN)
	primary := cluster.pool(t, dbname)
	standby := cluster.standby(t, dbname)

	jar, _ := cookiejar.New(nil)
	admin := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	csrf := signIn(t, admin, server.url)
	p := reportPoints(t, primary)[0]
	tile := maptile.At(orb.Point{p[0], p[1]}, 16)
	tilePath := fmt.Sprintf("/tiles/incidents/16/%d/%d.mvt", tile.X, tile.Y)
	// The standby counts the scans its own sessions make of each table: a tile drawn (the cache is
	// empty) must scan incident there, and the gap report, OGC API items and area export area.
	scans := func(table string) int64 {
		t.Helper()
		var n int64
		if err := standby.QueryRow(ctx, `SELECT coalesce(sum(seq_scan + coalesce(idx_scan, 0)), 0)::bigint FROM pg_stat_user_tables WHERE relname = $1`, table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	readOnStandby := func(table, path string) []byte {
		t.Helper()
		was := scans(table)
		b := get(t, admin, server.url+path)
		for deadline := time.Now().Add(15 * time.Second); scans(table) == was; time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("GET %s scanned no %s on the standby (its statistics unchanged for 15 s)", path, table)
			}
		}
		return b
	}
	before := readOnStandby("incident", tilePath)
	readOnStandby("area", "/api/v1/reports/gaps")
	// The OGC API features and the area export read the standby too.
	readOnStandby("area", "/ogc/collections/areas/items?limit=5")
	readOnStandby("admin_unit", "/ogc/collections/admin_units/items?limit=5")
	readOnStandby("area", "/api/v1/areas?format=geojson")

	readSessions := func(db *pgx.Conn) (sessions int, queries string) {
		t.Helper()
		var qs []string
		if err := db.QueryRow(ctx, `SELECT count(*), coalesce(array_agg(left(query, 60)), '{}') FROM pg_stat_activity
			WHERE datname = $1 AND application_name = 'streetchief-reads'`, dbname).Scan(&sessions, &qs); err != nil {
			t.Fatal(err)
		}
		return sessions, strings.Join(qs, " | ")
	}
	n, queries := readSessions(standby)
	if n == 0 {
		t.Fatal("the standby shows no streetchief-reads session")
	}
	t.Logf("on the standby: %d streetchief-reads sessions, last queries: %s", n, queries)
	primaryConn, err := pgx.Connect(ctx, cluster.dsn(dbname))
	if err != nil {
		t.Fatal(err)
	}
	defer primaryConn.Close(ctx)
	if n, q := readSessions(primaryConn); n != 0 {
		t.Fatalf("the primary has %d streetchief-reads sessions (%s) while the standby is up", n, q)
	}

	body := fmt.Sprintf(`{"category":"sanitation","lon":%.7f,"lat":%.7f,"description":"reads-%s"}`, p[0], p[1], run)
	post(t, admin, server.url+"/api/v1/incidents", csrf, body)
	reported := time.Now()
	for {
		if b := get(t, admin, server.url+tilePath); !bytes.Equal(b, before) {
			t.Logf("a report through the API reached its incident tile, read on the standby, after %s", time.Since(reported).Round(time.Millisecond))
			break
		}
		if time.Since(reported) > 30*time.Second {
			t.Fatal("30 s after a report its incident tile is as before")
		}
		time.Sleep(10 * time.Millisecond)
	}

	measureReplayLagUnderLoad(t, primary, server.url, run, p)

	out, err := exec.Command(cluster.script, "kill-replica").CombinedOutput()
	if err != nil {
		t.Fatalf("%s kill-replica: %v %s", cluster.script, err, out)
	}
	killed := time.Now()
	var failed []string
	impatient := &http.Client{Jar: jar, Timeout: 15 * time.Second}
	// Five rounds: the gap report of the whole district takes seconds on this machine.
	for i := 0; i < 5; i++ {
		for _, path := range []string{tilePath, "/api/v1/reports/gaps"} {
			sent := time.Now()
			status, b := do(impatient, "GET", server.url+path, "", "")
			if status == 0 && time.Since(sent) > 10*time.Second {
				_ = server.cmd.Process.Signal(syscall.SIGQUIT)
				time.Sleep(time.Second)
				raw, _ := os.ReadFile(server.log)
				t.Fatalf("%s hung after the standby died: %s\nserve's goroutines:\n%s", path, b, raw[max(0, len(raw)-60000):])
			}
			if status == http.StatusInternalServerError {
				// A lost standby is not a bug: the client must be told to retry (503), not "internal error".
				t.Errorf("%s answered 500 after the standby died: %.200s", path, b)
			}
			if status != 200 {
				failed = append(failed, fmt.Sprintf("%s %d %.80s", path, status, b))
			}
		}
	}
	if len(failed) > 2*server.readsPoolSize() {
		t.Fatalf("after the standby %s died, %d reads failed (more than the pool's connections to it): %v", strings.TrimSpace(string(out)), len(failed), failed)
	}
	// The last reads must all have answered: the pool is on the primary now.
	for _, path := range []string{tilePath, "/api/v1/reports/gaps"} {
		if status, b := do(admin, "GET", server.url+path, "", ""); status != 200 {
			t.Fatalf("%s after the standby died: %d %s", path, status, b)
		}
	}
	if n, q := readSessions(primaryConn); n == 0 {
		t.Fatalf("after the standby died the primary has no streetchief-reads session (%s)", q)
	}
	t.Logf("standby %s killed: %d reads failed (%v), then reads answered from the primary; %s after the kill",
		strings.TrimSpace(string(out)), len(failed), failed, time.Since(killed).Round(time.Millisecond))
}

// readsPoolSize is --db-max-conns' default: at most that many pooled connections break at once.
func (s *servedBinary) readsPoolSize() int { return 20 }

// standby connects to the cluster's node that is in recovery.
func (c haCluster) standby(t *testing.T, dbname string) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	for i, host := range c.hosts {
		conn, err := pgx.Connect(ctx, fmt.Sprintf("host=%s port=%s dbname=%s user=streetchief sslmode=disable connect_timeout=2", host, c.ports[i], dbname))
		if err != nil {
			continue
		}
		var recovering bool
		if err := conn.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&recovering); err == nil && recovering {
			t.Cleanup(func() { conn.Close(ctx) })
			return conn
		}
		conn.Close(ctx)
	}
	t.Fatal("no node of the cluster is a standby")
	return nil
}

// measureReplayLagUnderLoad files 5,000 reports from 16 clients while sampling, every 20 ms on the
// primary, how far the standby's replay trails (pg_stat_replication.replay_lag), and prints the
// percentiles.
func measureReplayLagUnderLoad(t *testing.T, primary interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, url, run string, p [2]float64) {
	t.Helper()
	ctx := context.Background()
	var done atomic.Bool
	var lags []float64
	var maxBytes float64
	sampler := make(chan struct{})
	go func() {
		defer close(sampler)
		for !done.Load() {
			var ms, walBytes *float64
			if err := primary.QueryRow(ctx, `SELECT extract(epoch FROM replay_lag) * 1000, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8
				FROM pg_stat_replication LIMIT 1`).Scan(&ms, &walBytes); err == nil {
				if ms != nil {
					lags = append(lags, *ms)
				}
				if walBytes != nil {
					maxBytes = max(maxBytes, *walBytes)
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	work := make(chan int)
	var workers sync.WaitGroup
	start := time.Now()
	for range 16 {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for i := range work {
				body := fmt.Sprintf(`{"category":"sanitation","lon":%.7f,"lat":%.7f,"description":"lag-%s-%d"}`, p[0], p[1], run, i)
				if status, b := do(client, "POST", url+"/api/v1/incidents", "", body); status != 201 {
					t.Errorf("report %d: %d %s", i, status, b)
				}
			}
		}()
	}
	for i := range failoverReports {
		work <- i
	}
	close(work)
	workers.Wait()
	done.Store(true)
	<-sampler
	if len(lags) == 0 {
		t.Fatal("no replay lag sampled during the load")
	}
	slices.Sort(lags)
	at := func(q float64) float64 { return lags[min(len(lags)-1, int(q*float64(len(lags))))] }
	t.Logf("%d reports in %s; the standby's replay lag over %d samples: p50 %.1f ms, p99 %.1f ms, max %.1f ms; at most %.0f bytes of WAL behind",
		failoverReports, time.Since(start).Round(time.Millisecond), len(lags), at(0.5), at(0.99), lags[len(lags)-1], maxBytes)
}

func signIn(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	status, b := do(c, "POST", url+"/api/v1/session", "", `{"username":"admin","password":"demo-admin-2026"}`)
	var doc struct {
		CSRF string `json:"csrf_token"`
	}
	if status != 200 || json.Unmarshal(b, &doc) != nil || doc.CSRF == "" {
		t.Fatalf("sign-in: %d %s", status, b)
	}
	return doc.CSRF
}

func get(t *testing.T, c *http.Client, url string) []byte {
	t.Helper()
	status, b := do(c, "GET", url, "", "")
	if status != 200 {
		t.Fatalf("GET %s: %d %s", url, status, b)
	}
	return b
}

func post(t *testing.T, c *http.Client, url, csrf, body string) {
	t.Helper()
	if status, b := do(c, "POST", url, csrf, body); status != 201 {
		t.Fatalf("POST %s: %d %s", url, status, b)
	}
}

// do sends one request; a broken one answers status 0 and the error.
func do(c *http.Client, method, url, csrf, body string) (int, []byte) {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
