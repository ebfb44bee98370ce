package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"streetchief/internal/dbtest"
)

// The printed reports come out of the command line as they do from the API: HTML, and PDF where
// Chromium is installed; without it, a PDF is refused with a sentence saying so.
func TestReportCommandPrintsMonthlyAndGapReports(t *testing.T) {
	dir := t.TempDir()
	url := dbtest.URL(t)
	var out bytes.Buffer
	run1 := func(args ...string) error {
		out.Reset()
		return run(context.Background(), append(args, "--database-url", url), &out, &out)
	}
	if err := run1("report", "monthly", "--month", "2026-11", "-o", dir+"/m.html"); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if b, _ := os.ReadFile(dir + "/m.html"); !bytes.Contains(b, []byte("城市管理月报（2026年11月）")) {
		t.Fatalf("monthly html: %.200s", b)
	}
	if err := run1("report", "gaps", "--format", "html", "--lang", "en", "-o", dir+"/g.html"); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if b, _ := os.ReadFile(dir + "/g.html"); !bytes.Contains(b, []byte("Coverage gap report")) {
		t.Fatalf("gap html: %.200s", b)
	}
	if err := run1("report", "monthly", "--month", "2026-11", "--format", "pdf", "--chromium", "/nonexistent/chromium", "-o", dir+"/x.pdf"); err == nil ||
		!strings.Contains(err.Error(), "Chromium") {
		t.Fatalf("pdf without chromium: %v", err)
	}
	if err := run1("report", "monthly", "--month", "26-11"); err == nil {
		t.Fatal("a malformed month was accepted")
	}
	if _, err := exec.LookPath("chromium"); err != nil {
		if os.Getenv("STREETCHIEF_REQUIRE_DB") != "" {
			t.Fatal("no chromium: scripts/browser.sh installs it")
		}
		t.Skip("no chromium")
	}
	if err := run1("report", "monthly", "--month", "2026-11", "--format", "pdf", "-o", dir+"/m.pdf"); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if b, _ := os.ReadFile(dir + "/m.pdf"); !bytes.HasPrefix(b, []byte("%PDF")) {
		t.Fatalf("monthly pdf: %.20q", b)
	}
}
