package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// The replicas test's counts of the background jobs' work: each piece done once.

// issueTaskDueSoon issues a task (督办) through r3 to the area's subdistrict, due in a few seconds:
// a part not broken down by its deadline is overdue, and every replica's task escalation will find it.
func (c *cluster) issueTaskDueSoon(pool *pgxpool.Pool, admin *http.Client, csrf string, areaID int64) (int64, time.Time) {
	var sub int64
	if err := pool.QueryRow(context.Background(), `SELECT subdistrict_id FROM area WHERE id = $1`, areaID).Scan(&sub); err != nil {
		c.t.Fatal(err)
	}
	due := time.Now().Add(5 * time.Second).Truncate(time.Second)
	_, doc := c.doJSON(admin, "r3", "POST", "/api/v1/tasks", map[string]string{"X-CSRF-Token": csrf}, map[string]any{
		"issuer_level": "district", "issuing_office": "区城管办", "title": "清理乱堆放", "body": "三副本测试",
		"done_when": "现场无堆放", "deadline": due, "subdistrict_ids": []int64{sub}}, 201)
	id, _ := doc["id"].(float64)
	if id == 0 {
		c.t.Fatalf("the task was issued without an id: %v", doc)
	}
	return int64(id), due
}

// overdueTaskToldOnce waits until every replica's task escalation, once a minute, has run since the
// task fell due, and counts: its street chief told once, one escalation step.
func (c *cluster) overdueTaskToldOnce(pool *pgxpool.Pool, task int64, due time.Time) {
	ctx := context.Background()
	if wait := time.Until(due.Add(escalationInterval + 5*time.Second)); wait > 0 {
		time.Sleep(wait)
	}
	var steps, notices, people int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM task_escalation WHERE task_id = $1`, task).Scan(&steps); err != nil {
		c.t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT person_id) FROM notification
		WHERE kind = 'task_overdue' AND (params->>'task_id')::bigint = $1`, task).Scan(&notices, &people); err != nil {
		c.t.Fatal(err)
	}
	if steps != 1 || people == 0 || notices != people {
		c.t.Fatalf("overdue task %d: %d escalation steps, %d notices to %d people; want one step and one notice each", task, steps, notices, people)
	}
	c.t.Logf("the overdue task told %d street chief(s) once, though three replicas ran the escalation since", people)
}

// escalatedOnce waits for the overdue incidents to be escalated and counts: one escalation event
// each, though three replicas ran the job from their start.
func (c *cluster) escalatedOnce(pool *pgxpool.Pool, started time.Time, overdue []int64) {
	ctx := context.Background()
	waitFor(c.t, "the overdue incidents to be escalated", func() bool {
		var left int
		err := pool.QueryRow(ctx, `SELECT count(*) FROM incident i WHERE i.id = ANY($1)
			AND NOT EXISTS (SELECT 1 FROM incident_event e WHERE e.incident_id = i.id AND e.at >= $2 AND e.kind IN ('escalated', 'overdue'))`,
			overdue, started).Scan(&left)
		return err == nil && left == 0
	})
	rows, err := pool.Query(ctx, `SELECT incident_id, count(*) FROM incident_event WHERE at >= $1 AND kind IN ('escalated', 'overdue')
		GROUP BY 1 HAVING count(*) > 1`, started)
	if err != nil {
		c.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			c.t.Fatal(err)
		}
		c.t.Errorf("incident %d was escalated %d times", id, n)
	}
	if err := rows.Err(); err != nil {
		c.t.Fatal(err)
	}
	busy := 0
	for _, r := range c.replicas {
		if r.logCount("escalated overdue incidents") > 0 {
			busy++
		}
	}
	c.t.Logf("%d overdue incidents escalated once each; %d of %d replicas escalated some", len(overdue), busy, len(c.replicas))
}

// digestsWrittenOnce waits for every replica to have composed the day's digests and counts: one
// notice per person and day, and what the replicas say they wrote adds up to what is there.
func (c *cluster) digestsWrittenOnce(pool *pgxpool.Pool, started time.Time) {
	waitFor(c.t, "every replica to compose the digests", func() bool {
		for _, r := range c.replicas {
			if r.logCount("daily digest") == 0 {
				return false
			}
		}
		return true
	})
	written := 0
	for _, r := range c.replicas {
		written += r.loggedSum("daily digest", "written")
	}
	var notices, people, doubles int
	if err := pool.QueryRow(context.Background(), `SELECT COALESCE(sum(n), 0), count(*), count(*) FILTER (WHERE n > 1) FROM
		(SELECT person_id, dedupe_key, count(*) AS n FROM notification WHERE kind = 'daily_digest' AND created_at >= $1 GROUP BY 1, 2) d`,
		started).Scan(&notices, &people, &doubles); err != nil {
		c.t.Fatal(err)
	}
	if people == 0 || doubles > 0 || written != notices {
		c.t.Fatalf("digests: %d notices for %d people (%d with more than one a day); the replicas say they wrote %d", notices, people, doubles, written)
	}
	c.t.Logf("%d digests, one per person, written by the replicas together", notices)
}

// reportersMailedOnce waits for the outbox to be drained by the three workers and counts: every
// reporter got one message.
func (c *cluster) reportersMailedOnce(pool *pgxpool.Pool, mail *mailSink) {
	var want []string
	if err := pool.QueryRow(context.Background(), `SELECT COALESCE(array_agg(address ORDER BY address), '{}') FROM notification_delivery
		WHERE channel = 'email'`).Scan(&want); err != nil {
		c.t.Fatal(err)
	}
	// 3 signed-in writes, reportLimit anonymous ones, the neighbour's and the tiles' one; the
	// idempotent report left its contact once.
	if len(want) != len(c.replicas)+reportLimit+3 {
		c.t.Fatalf("%d deliveries queued (%v), want one per report taken", len(want), want)
	}
	waitFor(c.t, "the outbox to be sent", func() bool {
		var left int
		err := pool.QueryRow(context.Background(), `SELECT count(*) FROM notification_delivery WHERE state <> 'sent'`).Scan(&left)
		return err == nil && left == 0
	})
	got := mail.received()
	for _, to := range want {
		if got[to] != 1 {
			c.t.Errorf("%s got %d messages, want 1", to, got[to])
		}
	}
	if len(got) != len(want) {
		c.t.Errorf("the sink got mail for %d addresses, want %d: %v", len(got), len(want), got)
	}
	c.t.Logf("%d reporters told once each by three notification workers", len(want))
}

// loggedSum adds up the integer attribute attr of the replica's log lines whose message is msg.
func (r *replica) loggedSum(msg, attr string) int {
	f, err := os.Open(r.log)
	if err != nil {
		return 0
	}
	defer f.Close()
	sum := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) == nil && line["msg"] == msg {
			n, _ := line[attr].(float64)
			sum += int(n)
		}
	}
	return sum
}

// waitFor polls cond for up to two minutes: how long a busy machine may take is not the question.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited two minutes for %s", what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
