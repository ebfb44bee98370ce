package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"streetchief/internal/access"
)

func TestGapReportFormatsAndScope(t *testing.T) {
	w := newAccessWorld(t)
	get := func(c *apiClient, path string) (int, string, string) {
		req, _ := http.NewRequest("GET", w.srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
	}
	leader := w.clients[access.DistrictLeader]
	scope := fmt.Sprintf("subdistrict:%d", w.comA.ParentID)
	for _, tc := range []struct{ format, contentType, starts string }{
		{"json", "application/json", `{"scope":`},
		{"geojson", "application/geo+json", `{"features":`},
		{"csv", "text/csv", "\uFEFF# summary"},
		{"xlsx", "spreadsheetml", "PK"},
		{"html", "text/html", "<!doctype html>"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			status, ct, body := get(leader, "/api/v1/reports/gaps?scope="+scope+"&format="+tc.format)
			if status != 200 || !strings.Contains(ct, tc.contentType) || !strings.HasPrefix(body, tc.starts) {
				t.Fatalf("%d %s %.80q", status, ct, body)
			}
		})
	}
	// The world's communities are only partly covered by its two parks: territory gaps in both.
	_, _, body := get(leader, "/api/v1/reports/gaps?scope="+scope+"&kinds=territory_gaps&format=csv")
	if !strings.Contains(body, "甲社区") || !strings.Contains(body, "乙社区") {
		t.Fatalf("district leader's report misses a community:\n%s", body)
	}
	// A kind asked for twice is reported once (it used to run and print again for each repeat).
	_, _, twice := get(leader, "/api/v1/reports/gaps?scope="+scope+"&kinds=territory_gaps,territory_gaps&format=csv")
	if twice != body {
		t.Fatalf("kinds=territory_gaps twice differs from once:\n%s\n---\n%s", twice, body)
	}
	// The lane chief of A asking for the whole subdistrict sees only A.
	_, _, body = get(w.clients[access.LaneChief], "/api/v1/reports/gaps?scope="+scope+"&kinds=territory_gaps&format=csv")
	if !strings.Contains(body, "甲社区") || strings.Contains(body, "乙社区") {
		t.Fatalf("lane chief of A saw beyond their community:\n%s", body)
	}
	for _, bad := range []string{"format=docx", "format=html&lang=fr", "scope=town:1", "kinds=potholes", "at=tomorrow"} {
		if status, ct, _ := get(leader, "/api/v1/reports/gaps?"+bad); status < 400 || status >= 500 || ct != "application/problem+json" {
			t.Fatalf("%s: %d %s", bad, status, ct)
		}
	}
	if status, _, _ := get(w.clients[access.Inspector], "/api/v1/reports/gaps"); status != http.StatusForbidden {
		t.Fatalf("inspector: %d, want 403", status)
	}
}
