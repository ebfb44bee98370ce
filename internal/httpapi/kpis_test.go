package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
)

func TestKPIsAndCaseExport(t *testing.T) {
	w := newAccessWorld(t)
	ctx := context.Background()
	pool := dbtest.Pool(t)
	bj := time.FixedZone("Asia/Shanghai", 8*3600)
	// March 2023: A closes one of two cases; B closes its one.
	for _, c := range []struct {
		community int64
		closed    bool
		day       int
	}{{w.comA.ID, true, 3}, {w.comA.ID, false, 4}, {w.comB.ID, true, 5}} {
		at := time.Date(2023, 3, c.day, 9, 0, 0, 0, bj)
		status := "reported"
		if c.closed {
			status = "closed"
		}
		var id int64
		if err := pool.QueryRow(ctx, `INSERT INTO incident (category, status, location, subdistrict_id, community_id, reported_at)
			VALUES ('random_piling', $1, ST_SetSRID(ST_MakePoint(0, 0), 4326), $2, $3, $4) RETURNING id`,
			status, w.comA.ParentID, c.community, at).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `INSERT INTO incident_event (incident_id, at, kind, to_status, actor) VALUES ($1, $2, 'reported', 'reported', 't')`, id, at); err != nil {
			t.Fatal(err)
		}
		if c.closed {
			if _, err := pool.Exec(ctx, `INSERT INTO incident_event (incident_id, at, kind, from_status, to_status, actor)
				VALUES ($1, $2, 'transition', 'reported', 'closed', 't')`, id, at.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
	}
	get := func(role access.Role, path string) (int, string, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", w.srv.URL+path, nil)
		if c := w.clients[role]; c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), body
	}
	type row struct {
		ID          int64 `json:"id"`
		Cases       int64 `json:"cases"`
		ClosureRate struct {
			Numerator, Denominator int64
			Rate                   string
		} `json:"closure_rate"`
	}
	league := func(role access.Role) map[int64]row {
		t.Helper()
		status, ct, body := get(role, "/api/v1/kpis?by=community&period=month&at=2023-03")
		if status != 200 || ct != "application/json" {
			t.Fatalf("%s: %d %s %s", role, status, ct, body)
		}
		var rep struct{ Rows []row }
		if err := json.Unmarshal(body, &rep); err != nil {
			t.Fatal(err)
		}
		out := map[int64]row{}
		for _, r := range rep.Rows {
			if r.ID == w.comA.ID || r.ID == w.comB.ID {
				out[r.ID] = r
			}
		}
		return out
	}
	for _, role := range []access.Role{access.Admin, access.DistrictLeader, access.Assessor, access.StreetChief} {
		rows := league(role)
		a, b := rows[w.comA.ID], rows[w.comB.ID]
		if len(rows) != 2 || a.Cases != 2 || a.ClosureRate.Numerator != 1 || a.ClosureRate.Denominator != 2 || a.ClosureRate.Rate != "0.5000" || b.ClosureRate.Rate != "1.0000" {
			t.Errorf("%s sees %+v", role, rows)
		}
	}
	if rows := league(access.LaneChief); len(rows) != 1 || rows[w.comA.ID].Cases != 2 {
		t.Errorf("the lane chief of A sees %+v; want A alone", rows)
	}
	for role, want := range map[access.Role]int{access.DepartmentLiaison: 403, access.Inspector: 403, access.Public: 401} {
		if status, _, _ := get(role, "/api/v1/kpis?by=community&at=2023-03"); status != want {
			t.Errorf("%s: %d, want %d", role, status, want)
		}
	}

	status, ct, body := get(access.LaneChief, "/api/v1/kpis?by=community&at=2023-03&format=csv")
	if status != 200 || !strings.HasPrefix(ct, "text/csv") || !strings.Contains(string(body), "甲社区") || strings.Contains(string(body), "乙社区") {
		t.Errorf("csv: %d %s\n%s", status, ct, body)
	}
	status, _, body = get(access.StreetChief, "/api/v1/kpis?by=community&at=2023-03&format=xlsx")
	if x, err := excelize.OpenReader(bytes.NewReader(body)); status != 200 || err != nil {
		t.Errorf("xlsx: %d %v", status, err)
	} else if rows, _ := x.GetRows("考核指标"); len(rows) < 3 || rows[0][11] != "closure_rate" {
		t.Errorf("xlsx rows = %v", rows)
	}
	status, ct, body = get(access.LaneChief, "/api/v1/incidents/export?format=csv&from=2023-03-01&to=2023-03-31")
	if status != 200 || !strings.HasPrefix(ct, "text/csv") || strings.Count(string(body), "\n") != 3 || !strings.Contains(string(body), "2023-03-03T10:00:00+08:00") {
		t.Errorf("case export for the lane chief: %d %s\n%s", status, ct, body)
	}
	status, _, body = get(access.StreetChief, "/api/v1/incidents/export?format=xlsx&period=month&at=2023-03")
	if x, err := excelize.OpenReader(bytes.NewReader(body)); status != 200 || err != nil {
		t.Errorf("case xlsx: %d %v", status, err)
	} else if rows, _ := x.GetRows("案件"); len(rows) != 4 {
		t.Errorf("case xlsx has %d rows, want a header and 3 cases", len(rows))
	}

	for _, bad := range []string{"/api/v1/kpis", "/api/v1/kpis?by=street", "/api/v1/kpis?by=area&period=fortnight",
		"/api/v1/kpis?by=area&at=2023-13", "/api/v1/kpis?by=area&from=2023-03-31&to=2023-03-01",
		"/api/v1/kpis?by=area&from=2020-01-01&to=2023-01-01", "/api/v1/kpis?by=area&format=pdf",
		"/api/v1/kpis?by=area&period=month&at=2023-03&from=2023-03-01&to=2023-03-31",
		"/api/v1/incidents/export?format=json", "/api/v1/incidents/export?from=2023-03-01",
		"/api/v1/incidents/export?from=2020-01-01&to=2023-01-01"} {
		status, ct, _ := get(access.DistrictLeader, bad)
		if status < 400 || status >= 500 || ct != "application/problem+json" {
			t.Errorf("%s: %d %s, want a 4xx problem", bad, status, ct)
		}
	}
}

func TestKPITrendAndDrillDown(t *testing.T) {
	w := newAccessWorld(t)
	ctx := context.Background()
	pool := dbtest.Pool(t)
	bj := time.FixedZone("Asia/Shanghai", 8*3600)
	// April 2023, Monday the 3rd to Sunday the 9th: a case in A reported and closed, one in B reported.
	for _, c := range []struct {
		community int64
		closed    bool
	}{{w.comA.ID, true}, {w.comB.ID, false}} {
		at := time.Date(2023, 4, 4, 9, 0, 0, 0, bj)
		var id int64
		if err := pool.QueryRow(ctx, `INSERT INTO incident (category, status, location, subdistrict_id, community_id, reported_at)
			VALUES ('random_piling', 'reported', ST_SetSRID(ST_MakePoint(0, 0), 4326), $1, $2, $3) RETURNING id`,
			w.comA.ParentID, c.community, at).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if c.closed {
			if _, err := pool.Exec(ctx, `INSERT INTO incident_event (incident_id, at, kind, from_status, to_status, actor)
				VALUES ($1, $2, 'transition', 'reported', 'closed', 't')`, id, at.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
	}
	get := func(role access.Role, path string) (int, string, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", w.srv.URL+path, nil)
		if c := w.clients[role]; c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), body
	}
	status, ct, body := get(access.StreetChief, "/api/v1/kpis/trend?interval=week&from=2023-03-27&to=2023-04-09&by=community")
	if status != 200 || ct != "application/json" {
		t.Fatalf("trend: %d %s %s", status, ct, body)
	}
	var tr struct {
		Interval, From, To, By string
		Series                 []struct {
			Key, Name string
			Points    []map[string]any
		}
	}
	if err := json.Unmarshal(body, &tr); err != nil {
		t.Fatal(err)
	}
	if tr.Interval != "week" || tr.From != "2023-03-27" || tr.To != "2023-04-09" || tr.By != "community" || len(tr.Series) != 2 {
		t.Fatalf("trend = %s", body)
	}
	a := tr.Series[1] // by name: 乙社区, 甲社区
	if a.Name != "甲社区" || a.Key != strconv.FormatInt(w.comA.ID, 10) || len(a.Points) != 2 ||
		a.Points[0]["start"] != "2023-03-27" || a.Points[0]["opened"] != 0.0 ||
		a.Points[1]["start"] != "2023-04-03" || a.Points[1]["opened"] != 1.0 || a.Points[1]["closed"] != 1.0 || a.Points[1]["overdue"] != 0.0 {
		t.Errorf("community A's series = %+v", a)
	}
	status, _, body = get(access.LaneChief, "/api/v1/kpis/trend?interval=week&from=2023-04-03&to=2023-04-09&by=community")
	if status != 200 || strings.Contains(string(body), "乙社区") {
		t.Errorf("the lane chief of A: %d %s", status, body)
	}
	status, _, body = get(access.StreetChief, "/api/v1/kpis?by=community&at=2023-04&community="+strconv.FormatInt(w.comB.ID, 10))
	if status != 200 || strings.Contains(string(body), "甲社区") || !strings.Contains(string(body), "乙社区") {
		t.Errorf("drill-down to B: %d %s", status, body)
	}
	for path, want := range map[string]int{
		"/api/v1/kpis/trend?interval=hour":                                                                          422,
		"/api/v1/kpis/trend?from=2023-04-09&to=2023-04-01":                                                          422,
		"/api/v1/kpis/trend?interval=day&from=2022-01-01&to=2023-04-09":                                             422,
		"/api/v1/kpis/trend?from=2023-4-1":                                                                          400,
		"/api/v1/kpis/trend?by=area":                                                                                422,
		"/api/v1/kpis/trend?community=x":                                                                            400,
		"/api/v1/kpis/trend?community=" + strconv.FormatInt(w.comB.ID, 10):                                          403,
		"/api/v1/kpis?by=area&community=" + strconv.FormatInt(w.comB.ID, 10):                                        403,
		"/api/v1/kpis?by=area&subdistrict=" + strconv.FormatInt(w.comB.ID, 10):                                      404,
		"/api/v1/incidents/export?format=csv&at=2023-04&period=month&community=" + strconv.FormatInt(w.comB.ID, 10): 403,
	} {
		status, ct, _ := get(access.LaneChief, path)
		if status != want || ct != "application/problem+json" {
			t.Errorf("%s: %d %s, want %d problem", path, status, ct, want)
		}
	}
	if status, _, _ := get(access.Inspector, "/api/v1/kpis/trend"); status != 403 {
		t.Errorf("an inspector's trend: %d, want 403", status)
	}
}
