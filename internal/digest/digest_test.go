package digest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/digest"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/merchants"
	"streetchief/internal/notify"
	"streetchief/internal/registry"
	"streetchief/internal/reports"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func id(t *testing.T, db *pgxpool.Pool, sql string, args ...any) int64 {
	t.Helper()
	var v int64
	if err := db.QueryRow(context.Background(), sql, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

// TestOneDigestPerPersonAndDay: a subdistrict whose lane chief holds three open cases (one overdue)
// and a closed one, whose area manager holds one overdue case, whose inspector has two open shops
// of which one was checked today and a closed shop; its street chief hears of the two overdue cases
// and of the vacant posts. Each person gets one notice with their figures, once however often the
// digest runs.
func TestOneDigestPerPersonAndDay(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Pool(t)
	box := `ST_Multi(ST_MakeEnvelope(117, 25, 117.01, 25.01, 4326))`
	city := id(t, db, `INSERT INTO admin_unit (level, code, name, boundary) VALUES ('city', 'dg-c', '市', `+box+`) RETURNING id`)
	district := id(t, db, `INSERT INTO admin_unit (level, parent_id, code, name, boundary) VALUES ('district', $1, 'dg-d', '区', `+box+`) RETURNING id`, city)
	sub := id(t, db, `INSERT INTO admin_unit (level, parent_id, code, name, boundary) VALUES ('subdistrict', $1, 'dg-s', '街道', `+box+`) RETURNING id`, district)
	com := id(t, db, `INSERT INTO admin_unit (level, parent_id, code, name, boundary) VALUES ('community', $1, 'dg-m', '社区', `+box+`) RETURNING id`, sub)
	person := func(name string) int64 { return id(t, db, `INSERT INTO person (name) VALUES ($1) RETURNING id`, name) }
	chief, lane, worker, inspector := person("街长"), person("巷长"), person("网格员"), person("督查员")
	id(t, db, `INSERT INTO assignment (admin_unit_id, person_id, role, valid) VALUES ($1, $2, 'street_chief', tstzrange('2020-01-01', NULL)) RETURNING id`, sub, chief)
	id(t, db, `INSERT INTO assignment (admin_unit_id, person_id, role, valid) VALUES ($1, $2, 'lane_chief', tstzrange('2020-01-01', NULL)) RETURNING id`, com, lane)
	kase := func(status string, holder int64, overdue bool) {
		id(t, db, `INSERT INTO incident (category, status, location, subdistrict_id, community_id, assignee_person_id, overdue, reported_at)
			VALUES ('sanitation', $1, ST_SetSRID(ST_MakePoint(117.005, 25.005), 4326), $2, $3, $4, $5, now() - interval '3 days') RETURNING id`,
			status, sub, com, holder, overdue)
	}
	kase("assigned", lane, false)
	kase("in_progress", lane, false)
	kase("in_progress", lane, true)
	kase("closed", lane, false)
	kase("escalated", worker, true)
	shop := func(status string) int64 {
		m := id(t, db, `INSERT INTO merchant (name, location, status) VALUES ('店', ST_SetSRID(ST_MakePoint(117.004, 25.004), 4326), $1) RETURNING id`, status)
		id(t, db, `INSERT INTO merchant_inspector (merchant_id, person_id, valid) VALUES ($1, $2, tstzrange('2020-01-01', NULL)) RETURNING id`, m, inspector)
		return m
	}
	checked := shop("open")
	shop("open")
	shop("closed")
	id(t, db, `INSERT INTO merchant_inspection (merchant_id, inspector_person_id, at, visit_day, position, accuracy_m, distance_m,
			off_site_limit_m, off_site, results, violations)
		VALUES ($1, $2, now(), (now() AT TIME ZONE 'Asia/Shanghai')::date, ST_SetSRID(ST_MakePoint(117.004, 25.004), 4326), 5, 3, 60, false,
			'[{"item":"order","ok":true}]', 0) RETURNING id`, checked, inspector)

	store := registry.NewStore(db)
	svc := incidents.NewService(db, lookup.New(store), incidents.Options{})
	src := digest.Sources{DB: db, Incidents: svc, Merchants: merchants.NewStore(db, store, svc, nil, merchants.Rules{}), Reports: reports.NewService(db)}
	rep, err := src.Reports.Gaps(ctx, access.System("test"), reports.Query{Scope: reports.Scope{Level: "district"}, Kinds: []string{reports.KindVacant}})
	if err != nil {
		t.Fatal(err)
	}
	vacant := 0
	for _, v := range rep.Vacant {
		if v.SubdistrictID == sub && v.Role != "street_chief" {
			vacant++
		}
	}
	if vacant == 0 {
		t.Fatal("the fixture should leave the departments' posts vacant")
	}
	now := time.Now()
	if n, err := digest.Compose(ctx, src, now); err != nil || n != 4 {
		t.Fatalf("composed %d, %v; want 4 (lane chief, worker, inspector, street chief)", n, err)
	}
	if n, err := digest.Compose(ctx, src, now.Add(time.Minute)); err != nil || n != 0 {
		t.Fatalf("a second run wrote %d, %v", n, err)
	}
	inbox := notify.NewStore(db)
	want := map[int64]map[string]float64{
		lane:      {"open": 3, "overdue": 1, "shops": 0},
		worker:    {"open": 1, "overdue": 1},
		inspector: {"shops": 1, "open": 0},
		chief:     {"subdistrict_overdue": 2, "vacant_posts": float64(vacant)},
	}
	for p, figures := range want {
		in, err := inbox.Inbox(ctx, access.Principal{PersonID: p}, 0, 0, false, "zh")
		if err != nil || len(in.Items) != 1 || in.Items[0].Kind != "daily_digest" {
			t.Fatalf("person %d: %+v, %v", p, in.Items, err)
		}
		for k, v := range figures {
			if in.Items[0].Params[k] != v {
				t.Errorf("person %d: %s = %v, want %v", p, k, in.Items[0].Params[k], v)
			}
		}
		if !strings.Contains(in.Items[0].Title, "待办：") {
			t.Errorf("title %q", in.Items[0].Title)
		}
	}
	in, _ := inbox.Inbox(ctx, access.Principal{PersonID: lane}, 0, 0, false, "en")
	if !strings.HasSuffix(in.Items[0].Title, ": 3 open cases, 1 of them overdue") {
		t.Errorf("English digest %q", in.Items[0].Title)
	}
}
