package pdf_test

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"streetchief/internal/apperr"
	"streetchief/internal/pdf"
)

func TestMissingChromiumIsUnavailable(t *testing.T) {
	_, err := pdf.New("/nonexistent/chromium", 0).Render(context.Background(), []byte("<p>x"))
	if !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("got %v, want an Unavailable error", err)
	}
}

func TestRenderWritesAPDF(t *testing.T) {
	if _, err := exec.LookPath("chromium"); err != nil {
		if os.Getenv("STREETCHIEF_REQUIRE_DB") != "" {
			t.Fatal("no chromium: scripts/browser.sh installs it")
		}
		t.Skip("no chromium")
	}
	doc, err := pdf.New("", 0).Render(context.Background(), []byte(`<!doctype html><meta charset="utf-8"><style>@page{size:A4}</style><h1>月报</h1>`))
	if err != nil {
		t.Fatal(err)
	}
	if string(doc[:4]) != "%PDF" {
		t.Fatalf("starts %q", doc[:8])
	}
}
