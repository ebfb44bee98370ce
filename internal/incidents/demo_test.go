package incidents_test

import (
	"context"
	"testing"

	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
)

func TestDemoHistoryIsDeterministicAndCoversTheWorkflow(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	pool := dbtest.Pool(t)
	clear := func() {
		if _, err := pool.Exec(ctx, `DELETE FROM incident WHERE source = 'demo'`); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(clear)
	// The demo city's posts have a past; the fixture's start now.
	if _, err := pool.Exec(ctx, `UPDATE assignment SET valid = tstzrange(lower(valid) - interval '1 year', upper(valid))
		WHERE person_id = ANY($1)`, []int64{w.manager.ID, w.lane.ID, w.street.ID}); err != nil {
		t.Fatal(err)
	}
	w.reload()
	// The digest leaves out the escalation level: the overdue job climbs by the clock, and the second
	// seeding runs seconds later, when a case may just have passed its deadline.
	summary := func() (string, map[string]int, int, int) {
		var digest string
		var overdue, atMarkets int
		statuses := map[string]int{}
		err := pool.QueryRow(ctx, `SELECT md5(string_agg(category || status || round(ST_X(location)::numeric, 6), ',' ORDER BY id)),
				count(*) FILTER (WHERE overdue), count(*) FILTER (WHERE area_id IN (SELECT id FROM area WHERE kind IN ('farmers_market', 'night_market')))
			FROM incident WHERE source = 'demo'`).Scan(&digest, &overdue, &atMarkets)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := pool.Query(ctx, `SELECT status, count(*) FROM incident WHERE source = 'demo' GROUP BY status`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			var n int
			if err := rows.Scan(&s, &n); err != nil {
				t.Fatal(err)
			}
			statuses[s] = n
		}
		return digest, statuses, overdue, atMarkets
	}
	n, err := incidents.SeedDemoHistory(ctx, pool, w.engine, 7)
	if err != nil || n != incidents.DemoIncidents {
		t.Fatalf("%d %v", n, err)
	}
	first, statuses, overdue, atMarkets := summary()
	for _, st := range []incidents.Status{incidents.Assigned, incidents.InProgress, incidents.Escalated, incidents.JointEnforcement,
		incidents.Resolved, incidents.Closed, incidents.Rejected, incidents.Duplicate} {
		if statuses[string(st)] == 0 {
			t.Errorf("no demo incident is %s: %v", st, statuses)
		}
	}
	if overdue == 0 || atMarkets < n/3 {
		t.Errorf("overdue %d, at markets %d of %d", overdue, atMarkets, n)
	}
	// Filed under the national catalogue's 小类, a spread of them, in every 大类.
	var national, kinds, groups int
	if err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE c.parent ~ '^0[1-6]$' AND c.code ~ '^0[1-6]-'),
			count(DISTINCT c.code), count(DISTINCT c.parent)
		FROM incident i JOIN incident_category c ON c.code = i.category WHERE i.source = 'demo'`).Scan(&national, &kinds, &groups); err != nil {
		t.Fatal(err)
	}
	if national != n || kinds < 40 || groups != 6 {
		t.Errorf("%d of %d demo incidents in national 小类, %d categories in %d groups", national, n, kinds, groups)
	}
	var badEvents int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM incident i WHERE source = 'demo' AND (
			NOT EXISTS (SELECT 1 FROM incident_event e WHERE e.incident_id = i.id AND e.kind = 'reported' AND e.at = i.reported_at)
			OR EXISTS (SELECT 1 FROM incident_event e WHERE e.incident_id = i.id AND (e.at < i.reported_at OR e.at > now())))`).Scan(&badEvents); err != nil {
		t.Fatal(err)
	}
	if badEvents > 0 {
		t.Errorf("%d demo incidents have implausible histories", badEvents)
	}
	// Closures are checked first (核查), some checks fail and send the case back (返工), and the
	// history's facts are params, not English sentences.
	var verified, rework, withParams, english int
	if err := pool.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE e.kind = 'verification' AND e.params->>'outcome' = 'confirmed'),
			count(*) FILTER (WHERE e.to_status = 'reopened' AND e.from_status = 'resolved'),
			count(*) FILTER (WHERE e.params ? 'person_name'),
			count(*) FILTER (WHERE e.note ~ '[A-Za-z]' OR e.actor = '公众 public')
		FROM incident_event e JOIN incident i ON i.id = e.incident_id WHERE i.source = 'demo'`).Scan(&verified, &rework, &withParams, &english); err != nil {
		t.Fatal(err)
	}
	if verified < statuses[string(incidents.Closed)] || rework < 2 || withParams == 0 || english > 0 {
		t.Errorf("verified %d (closed %d), rework %d, with params %d, English %d", verified, statuses[string(incidents.Closed)], rework, withParams, english)
	}
	// Reporters describe what they saw, where and when, each in their own words; staff notes vary too.
	var descriptions, named, latin, notes int
	if err := pool.QueryRow(ctx, `SELECT count(DISTINCT i.description),
			count(*) FILTER (WHERE i.description = c.name_zh OR i.description LIKE c.name_zh || '（%'),
			count(*) FILTER (WHERE i.description ~ '[A-Za-z]' OR i.description !~ '^(早上|上午|中午|下午|傍晚|夜里)，.+。$'),
			(SELECT count(DISTINCT e.note) FROM incident_event e JOIN incident j ON j.id = e.incident_id WHERE j.source = 'demo')
		FROM incident i JOIN incident_category c ON c.code = i.category WHERE i.source = 'demo'`).Scan(&descriptions, &named, &latin, &notes); err != nil {
		t.Fatal(err)
	}
	if descriptions < n/6 || named > 0 || latin > 0 || notes < 20 {
		t.Errorf("%d distinct descriptions of %d, %d the category's name, %d not a Chinese sentence; %d distinct notes",
			descriptions, n, named, latin, notes)
	}
	clear()
	if _, err := incidents.SeedDemoHistory(ctx, pool, w.engine, 7); err != nil {
		t.Fatal(err)
	}
	if again, _, _, _ := summary(); again != first {
		t.Fatal("the same seed gave another history")
	}
}
