package httpapi_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"

	"streetchief/internal/access"
	"streetchief/internal/auth"
	"streetchief/internal/dbtest"
	"streetchief/internal/httpapi"
	"streetchief/internal/monthly"
	"streetchief/internal/pdf"
	"streetchief/internal/registry"
	"streetchief/internal/reports"
)

func fetchAs(t *testing.T, base string, c *apiClient, path string) (int, string, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

func TestMonthlyReportAnswersHTMLAndPDFInScope(t *testing.T) {
	w := newAccessWorld(t)
	other := newAccessWorld(t)
	leader, chief := w.clients[access.DistrictLeader], w.clients[access.StreetChief]
	sub := fmt.Sprint(w.comA.ParentID)
	status, ct, body := fetchAs(t, w.srv.URL, chief, "/api/v1/reports/monthly?month=2026-11&subdistrict="+sub)
	if status != 200 || !strings.HasPrefix(ct, "text/html") || !bytes.Contains(body, []byte("街道城市管理月报（2026年11月）")) {
		t.Fatalf("street chief's html: %d %s %.200s", status, ct, body)
	}
	if status, _, body := fetchAs(t, w.srv.URL, w.clients[access.LaneChief], "/api/v1/reports/monthly?month=2026-11&subdistrict="+sub); status != 200 {
		t.Fatalf("lane chief in their own subdistrict: %d %s", status, body)
	}
	if _, err := exec.LookPath("chromium"); err == nil {
		status, ct, body = fetchAs(t, w.srv.URL, leader, "/api/v1/reports/monthly?month=2026-11&format=pdf")
		if status != 200 || ct != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF")) {
			t.Fatalf("pdf: %d %s %.80q", status, ct, body)
		}
		status, ct, body = fetchAs(t, w.srv.URL, leader, "/api/v1/reports/gaps?scope=subdistrict:"+sub+"&format=pdf&lang=en")
		if status != 200 || ct != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF")) {
			t.Fatalf("gap report pdf: %d %s %.80q", status, ct, body)
		}
	}
	for _, tc := range []struct {
		who    *apiClient
		query  string
		status int
	}{
		{leader, "month=2026-13", 400},
		{leader, "month=November", 400},
		{leader, "month=2026-11&subdistrict=abc", 400},
		{leader, "month=2026-11&format=docx", 400},
		{leader, "month=2026-11&subdistrict=999999999", 404},
		{leader, "month=2026-11&subdistrict=" + fmt.Sprint(w.comA.ID), 404},
		{chief, "month=2026-11&subdistrict=" + fmt.Sprint(other.comA.ParentID), 403},
		{w.clients[access.LaneChief], "month=2026-11&subdistrict=" + fmt.Sprint(other.comA.ParentID), 403},
		{w.clients[access.Inspector], "month=2026-11", 403},
	} {
		status, ct, body := fetchAs(t, w.srv.URL, tc.who, "/api/v1/reports/monthly?"+tc.query)
		if status != tc.status || ct != "application/problem+json" {
			t.Errorf("%s: %d %s %s, want %d problem+json", tc.query, status, ct, body, tc.status)
		}
	}
}

// A server whose machine has no Chromium still prints HTML, and answers a PDF with a clear 503.
func TestPDFWithoutChromiumIsUnavailable(t *testing.T) {
	w := newAccessWorld(t)
	pool := dbtest.Pool(t)
	store := registry.NewStore(pool)
	inc, rep := incidentService(t, pool, nil), reports.NewService(pool)
	srv := httptest.NewServer(httpapi.New(httpapi.Deps{DB: pool, Registry: store, Auth: auth.NewService(pool, auth.Options{}), Incidents: inc,
		Reports: rep, Monthly: monthly.NewService(inc, rep, store), PDF: pdf.New("/nonexistent/chromium", 0)}))
	t.Cleanup(srv.Close)
	leader := w.clients[access.DistrictLeader]
	for _, path := range []string{"/api/v1/reports/monthly?month=2026-11&format=pdf", "/api/v1/reports/gaps?format=pdf"} {
		status, ct, body := fetchAs(t, srv.URL, leader, path)
		if status != http.StatusServiceUnavailable || ct != "application/problem+json" || !bytes.Contains(body, []byte("Chromium")) {
			t.Errorf("%s: %d %s %s", path, status, ct, body)
		}
	}
	if status, ct, _ := fetchAs(t, srv.URL, leader, "/api/v1/reports/monthly?month=2026-11"); status != 200 || !strings.HasPrefix(ct, "text/html") {
		t.Errorf("html without chromium: %d %s", status, ct)
	}
}
