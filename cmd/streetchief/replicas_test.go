package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"net"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"streetchief/internal/incidents"
)

// reportLimit is the replicas' anonymous reports per address and minute: small, so the test reaches
// it in a few requests.
const reportLimit = 5

// Three replicas of the real binary on one fresh database with the demo city, behind HAProxy started
// by scripts/lb.sh. Whichever replica answers, a session, its CSRF token, the report limit and an
// Idempotency-Key hold; an area edited through one replica is in the others' lookups and tiles
// within a second; and the jobs every replica runs — overdue escalation and the morning digest from
// their start, overdue tasks, the notification outbox — do each piece of work once.
func TestReplicasBehindHAProxyShareStateAndRunJobsOnce(t *testing.T) {
	haproxyOrSkip(t)
	c, pool := newDemoCluster(t)
	ctx := context.Background()

	var open []string
	for _, s := range incidents.Statuses {
		if s.Open() {
			open = append(open, string(s))
		}
	}
	var started time.Time
	var overdue []int64
	if err := pool.QueryRow(ctx, `SELECT now(), COALESCE(array_agg(id ORDER BY id), '{}') FROM incident WHERE due_at <= now() AND status = ANY($1)`,
		open).Scan(&started, &overdue); err != nil {
		t.Fatal(err)
	}
	if len(overdue) == 0 {
		t.Fatal("the demo city has no overdue incident for the replicas to escalate")
	}

	p := ports(t, 5)
	mail := newMailSink(t, p[4])
	c.start([]string{fmt.Sprintf("127.0.0.1:%d", p[1]), fmt.Sprintf("127.0.0.1:%d", p[2]), fmt.Sprintf("127.0.0.1:%d", p[3])}, p[0],
		"--digest-at", "00:00", "--public-reports-per-minute", strconv.Itoa(reportLimit), "--smtp-addr", mail.addr,
		"--trusted-proxies", "127.0.0.2") // scripts/lb.sh's source address

	var areaID int64
	var place orb.Point
	if err := pool.QueryRow(ctx, `SELECT id, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM area ORDER BY id LIMIT 1`).
		Scan(&areaID, &place[0], &place[1]); err != nil {
		t.Fatal(err)
	}
	admin, csrf := c.signInEverywhere()
	task, taskDue := c.issueTaskDueSoon(pool, admin, csrf, areaID)
	c.writesNeedCSRFOnEveryReplica(admin, csrf, place)
	c.idempotencyKeyHoldsAcrossReplicas(pool, admin, csrf, place)
	c.reportLimitIsCountedAcrossReplicas(place)
	c.editShowsOnOtherReplicas(admin, csrf, areaID, place)
	c.reportShowsInOtherReplicasTiles(admin, csrf, place)
	c.escalatedOnce(pool, started, overdue)
	c.digestsWrittenOnce(pool, started)
	c.reportersMailedOnce(pool, mail)
	c.overdueTaskToldOnce(pool, task, taskDue)
}

// reportBody is a report at p; reporters leave an email address of their own, where every replica's
// notification worker may tell them that the report was received.
func reportBody(p orb.Point, what string) map[string]any {
	return map[string]any{"category": "random_piling", "lon": p[0], "lat": p[1], "description": what,
		"contact": "reporter-" + strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(what))), 36) + "@example.org"}
}

// signInEverywhere signs in through one replica and finds the session on every one.
func (c *cluster) signInEverywhere() (*http.Client, string) {
	admin := c.client(true)
	_, doc := c.doJSON(admin, "r2", "POST", "/api/v1/session", nil, map[string]string{"username": "admin", "password": "demo-admin-2026"}, 200)
	csrf, _ := doc["csrf_token"].(string)
	if csrf == "" {
		c.t.Fatalf("sign-in answered no CSRF token: %v", doc)
	}
	for _, r := range c.replicas {
		h, who := c.doJSON(admin, r.name, "GET", "/api/v1/session", nil, nil, 200)
		user, _ := who["user"].(map[string]any)
		if h.Get("X-Streetchief-Replica") != r.name || user["username"] != "admin" {
			c.t.Fatalf("replica %s (answered by %q) does not know the session: %v", r.name, h.Get("X-Streetchief-Replica"), who)
		}
	}
	return admin, csrf
}

// writesNeedCSRFOnEveryReplica files a signed-in report through each replica in turn: with the CSRF
// token of the session it is taken, without it refused.
func (c *cluster) writesNeedCSRFOnEveryReplica(admin *http.Client, csrf string, p orb.Point) {
	for i, r := range c.replicas {
		c.doJSON(admin, r.name, "POST", "/api/v1/incidents", nil, reportBody(p, fmt.Sprintf("replica write %d", i)), 403)
		h, _ := c.doJSON(admin, r.name, "POST", "/api/v1/incidents", map[string]string{"X-CSRF-Token": csrf},
			reportBody(p, fmt.Sprintf("replica write %d", i)), 201)
		if h.Get("X-Streetchief-Replica") != r.name {
			c.t.Fatalf("write meant for %s answered by %q", r.name, h.Get("X-Streetchief-Replica"))
		}
	}
}

// idempotencyKeyHoldsAcrossReplicas sends one report with one key to each replica: the first files
// it, the others answer the same incident as a replay, and the database holds it once.
func (c *cluster) idempotencyKeyHoldsAcrossReplicas(pool *pgxpool.Pool, admin *http.Client, csrf string, p orb.Point) {
	key := "replicas-test-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	hdr := map[string]string{"X-CSRF-Token": csrf, "Idempotency-Key": key}
	var first any
	for i, r := range c.replicas {
		h, doc := c.doJSON(admin, r.name, "POST", "/api/v1/incidents", hdr, reportBody(p, "one report, three replicas"), 201)
		replayed := h.Get("Idempotent-Replayed") == "true"
		switch {
		case i == 0 && replayed:
			c.t.Fatalf("the key's first use on %s answered a replay", r.name)
		case i == 0:
			first = doc["id"]
		case !replayed || doc["id"] != first:
			c.t.Fatalf("the key repeated on %s: replayed %v, incident %v, want a replay of %v", r.name, replayed, doc["id"], first)
		}
	}
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM incident_idempotency WHERE key = $1`, key).Scan(&n); err != nil || n != 1 {
		c.t.Fatalf("the key is held %d times (%v), want once", n, err)
	}
}

// reportLimitIsCountedAcrossReplicas files anonymous reports round the replicas: the limit lets
// reportLimit through in all, not reportLimit on each, and then every replica refuses.
func (c *cluster) reportLimitIsCountedAcrossReplicas(p orb.Point) {
	// The limit counts in clock minutes: a burst begun late in one would be split over two.
	if left := time.Minute - time.Duration(time.Now().Unix()%60)*time.Second; left < 20*time.Second {
		time.Sleep(left + time.Second)
	}
	anon := c.client(false)
	refusedBy := map[string]bool{}
	for i := range reportLimit + len(c.replicas) {
		r := c.replicas[i%len(c.replicas)]
		want := 201
		if i >= reportLimit {
			want = 429
		}
		h, doc := c.doJSON(anon, r.name, "POST", "/api/v1/incidents", nil, reportBody(p, fmt.Sprintf("anonymous %d", i)), want)
		if want == 429 {
			if h.Get("Retry-After") == "" || doc["code"] != "rate_limited" {
				c.t.Fatalf("refusal on %s: Retry-After %q, %v", r.name, h.Get("Retry-After"), doc)
			}
			refusedBy[h.Get("X-Streetchief-Replica")] = true
		}
	}
	if len(refusedBy) != len(c.replicas) {
		c.t.Fatalf("refused by %v, want every replica", refusedBy)
	}
	// The replicas read the client's address from the balancer's hop of X-Forwarded-For: one a
	// client writes itself changes nothing, and a client at another address has a limit of its own.
	c.doJSON(anon, "", "POST", "/api/v1/incidents", map[string]string{"X-Forwarded-For": "192.0.2.77"}, reportBody(p, "spoofed"), 429)
	neighbour := c.client(false)
	neighbour.Transport = &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 3)}}).DialContext}
	c.doJSON(neighbour, "", "POST", "/api/v1/incidents", nil, reportBody(p, "from another address"), 201)
}

// editShowsOnOtherReplicas renames an area through r1 and polls r2 and r3, lookup and tile, until
// they show the new name: within a second of the edit's answer, or the test fails.
func (c *cluster) editShowsOnOtherReplicas(admin *http.Client, csrf string, areaID int64, p orb.Point) {
	tile := maptile.At(p, 14)
	tilePath := fmt.Sprintf("/tiles/areas/14/%d/%d.mvt", tile.X, tile.Y)
	before := map[string][]byte{}
	for _, r := range c.replicas[1:] {
		status, _, b := c.do(admin, r.name, "GET", tilePath, nil, nil)
		if status != 200 || len(b) == 0 {
			c.t.Fatalf("area tile on %s: %d, %d bytes", r.name, status, len(b))
		}
		before[r.name] = b
	}
	path := fmt.Sprintf("/api/v1/areas/%d", areaID)
	_, feature := c.doJSON(admin, "r1", "GET", path, nil, nil, 200)
	props := feature["properties"].(map[string]any)
	name := fmt.Sprintf("%s（改 %d）", props["name"], time.Now().Unix()%1000)
	props["name"] = name
	c.doJSON(admin, "r1", "PUT", path, map[string]string{"X-CSRF-Token": csrf}, feature, 200)
	edited := time.Now()
	lookupPath := fmt.Sprintf("/api/v1/lookup?lon=%.9f&lat=%.9f", p[0], p[1])
	for _, r := range c.replicas[1:] {
		var sawLookup, sawTile time.Duration
		for sawLookup == 0 || sawTile == 0 {
			if sawLookup == 0 {
				_, _, b := c.do(admin, r.name, "GET", lookupPath, nil, nil)
				var ans struct {
					Areas []lookupArea `json:"areas"`
				}
				if json.Unmarshal(b, &ans) == nil && slices.Contains(ans.Areas, lookupArea{areaID, name}) {
					sawLookup = time.Since(edited)
				}
			}
			if sawTile == 0 {
				if status, _, b := c.do(admin, r.name, "GET", tilePath, nil, nil); status == 200 && !bytes.Equal(b, before[r.name]) {
					sawTile = time.Since(edited)
				}
			}
			if time.Since(edited) > time.Second {
				c.t.Fatalf("a second after the edit through r1, %s shows it in its lookup: %v, in its tile: %v", r.name, sawLookup > 0, sawTile > 0)
			}
			time.Sleep(10 * time.Millisecond)
		}
		c.t.Logf("the edit through r1 reached %s's lookup after %s and its tile after %s", r.name, sawLookup.Round(time.Millisecond), sawTile.Round(time.Millisecond))
	}
}

// reportShowsInOtherReplicasTiles files a report through r1 and polls r2's and r3's incident tile
// (cached before the report) until it is drawn anew: within a second of the report's answer.
func (c *cluster) reportShowsInOtherReplicasTiles(admin *http.Client, csrf string, p orb.Point) {
	tile := maptile.At(p, 16)
	tilePath := fmt.Sprintf("/tiles/incidents/16/%d/%d.mvt", tile.X, tile.Y)
	before := map[string][]byte{}
	for _, r := range c.replicas[1:] {
		status, _, b := c.do(admin, r.name, "GET", tilePath, nil, nil)
		if status != 200 {
			c.t.Fatalf("incident tile on %s: %d %s", r.name, status, b)
		}
		// Until something changes the tile is the cached one, byte for byte: a difference is news.
		if _, _, again := c.do(admin, r.name, "GET", tilePath, nil, nil); !bytes.Equal(again, b) {
			c.t.Fatalf("%s drew its incident tile differently with nothing reported", r.name)
		}
		before[r.name] = b
	}
	c.doJSON(admin, "r1", "POST", "/api/v1/incidents", map[string]string{"X-CSRF-Token": csrf}, reportBody(p, "for the tiles"), 201)
	reported := time.Now()
	for _, r := range c.replicas[1:] {
		for {
			if status, _, b := c.do(admin, r.name, "GET", tilePath, nil, nil); status == 200 && !bytes.Equal(b, before[r.name]) {
				c.t.Logf("the report through r1 reached %s's incident tile after %s", r.name, time.Since(reported).Round(time.Millisecond))
				break
			}
			if time.Since(reported) > time.Second {
				c.t.Fatalf("a second after a report through r1, %s's incident tile is as before", r.name)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

type lookupArea struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}
