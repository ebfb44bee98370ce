package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"streetchief/internal/access"
	"streetchief/internal/assessment"
	"streetchief/internal/auth"
	"streetchief/internal/dbtest"
	"streetchief/internal/httpapi"
	"streetchief/internal/lookup"
	"streetchief/internal/merchants"
	"streetchief/internal/pdf"
	"streetchief/internal/policy"
	"streetchief/internal/registry"
	"streetchief/internal/reports"
	"streetchief/internal/tasks"
)

func TestAssessmentResultAnswersXLSXAndPrintableSheet(t *testing.T) {
	pool := dbtest.Pool(t)
	svc := auth.NewService(pool, auth.Options{})
	store := registry.NewStore(pool)
	engine := lookup.New(store)
	if err := engine.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	inc, rep := incidentService(t, pool, engine), reports.NewService(pool)
	shops := merchants.NewStore(pool, store, inc, nil, merchants.Rules{})
	srv := httptest.NewServer(httpapi.New(httpapi.Deps{DB: pool, Registry: store, Lookup: engine, Reports: rep, Auth: svc,
		Incidents: inc, Merchants: shops, Assessment: assessment.NewService(pool, assessment.Sources{Incidents: inc, Merchants: shops, Reports: rep, Tasks: tasks.NewService(pool, nil)}, policy.DefaultRules()),
		PDF: pdf.New("/nonexistent/chromium", 0), MaxBodyBytes: 64 << 10}))
	t.Cleanup(srv.Close)
	leader := asUser(t, srv, svc, "printing-leader", access.DistrictLeader, 0)
	const path = "/api/v1/assessments/quarter/2025-Q1"
	if status, doc := leader.do("POST", "/api/v1/assessments/sheets", `{"kind":"quarter","name":"季度考评细则","effective_from":"2025-01-01",
		"quarter_share":60,"items":[{"code":"inspection","name_zh":"季度实地检查","name_en":"Quarterly field check","max_points":100,"source":"entered"}]}`); status != http.StatusCreated {
		t.Fatalf("sheet: %d %v", status, doc)
	}

	status, ct, body := fetchAs(t, srv.URL, leader, path+"?format=xlsx&lang=en")
	if status != http.StatusOK || !strings.Contains(ct, "spreadsheetml") {
		t.Fatalf("xlsx: %d %s %.200s", status, ct, body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "Ranking" {
		t.Fatalf("workbook sheets %v", got)
	}
	status, ct, body = fetchAs(t, srv.URL, leader, path+"?format=html")
	if status != http.StatusOK || !strings.HasPrefix(ct, "text/html") || !bytes.Contains(body, []byte("2025年第1季度考评结果")) || !bytes.Contains(body, []byte("草稿")) {
		t.Fatalf("html: %d %s %.300s", status, ct, body)
	}
	if _, err := exec.LookPath("/nonexistent/chromium"); err != nil {
		if status, _, body := fetchAs(t, srv.URL, leader, path+"?format=pdf"); status != http.StatusServiceUnavailable {
			t.Fatalf("pdf without Chromium: %d %s, want 503", status, body)
		}
	}
	for _, q := range []string{"format=docx", "lang=fr"} {
		if status, _, body := fetchAs(t, srv.URL, leader, path+"?"+q); status < 400 || status >= 500 {
			t.Errorf("%s: %d %s, want 4xx", q, status, body)
		}
	}
}
