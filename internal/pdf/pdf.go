// Package pdf turns a printed report's HTML into PDF with headless Chromium — the browser the
// dashboard's tests already run — so that the PDF is exactly what printing the HTML gives: the same
// CSS page rules, fonts and SVG. It runs a program and touches no database; a server without
// Chromium answers Unavailable, and its HTML reports still work.
package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"streetchief/internal/apperr"
)

// Renderer runs Chromium, one page at a time: a render takes a core for a second or two, and a
// district office's server has few of them.
type Renderer struct {
	chromium string
	timeout  time.Duration
	slots    chan struct{}
}

// DefaultTimeout bounds one render: a report of a few dozen pages renders in seconds.
const DefaultTimeout = 60 * time.Second

// New returns a renderer running the Chromium at path (a file or a name on PATH; empty: chromium).
func New(path string, timeout time.Duration) *Renderer {
	if path == "" {
		path = "chromium"
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Renderer{chromium: path, timeout: timeout, slots: make(chan struct{}, 1)}
}

// Available reports whether the renderer's Chromium can be found; the error is Unavailable.
func (r *Renderer) Available() (string, error) {
	if r == nil {
		return "", apperr.New(apperr.Unavailable, "this server renders no PDF; ask for format=html and print it")
	}
	path, err := exec.LookPath(r.chromium)
	if err != nil {
		return "", apperr.New(apperr.Unavailable, "this server has no Chromium (%s) to render PDF; ask for format=html and print it, or install chromium", r.chromium)
	}
	return path, nil
}

// Render prints html (a whole document with everything inline) to PDF, A4 as its CSS asks. The
// document is loaded from a private temporary directory with every network request sent to a
// proxy that does not exist, so nothing is fetched while rendering.
func (r *Renderer) Render(ctx context.Context, html []byte) ([]byte, error) {
	path, err := r.Available()
	if err != nil {
		return nil, err
	}
	select {
	case r.slots <- struct{}{}:
		defer func() { <-r.slots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	dir, err := os.MkdirTemp("", "streetchief-pdf-")
	if err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	defer os.RemoveAll(dir)
	page, out := filepath.Join(dir, "report.html"), filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(page, html, 0o600); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--no-first-run", "--no-default-browser-check",
		"--disable-extensions", "--disable-background-networking", "--disable-sync", "--disable-component-update",
		"--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", "--hide-scrollbars",
		"--print-to-pdf="+out, "file://"+page)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &stderr
	cmd.Env = append(os.Environ(), "HOME="+dir) // Chromium writes caches under HOME; keep them in dir
	// Chromium starts helpers of its own: a timeout ends the whole process group, not the first one.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	runErr := cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // any helper left behind
	}
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return nil, fmt.Errorf("pdf: chromium took longer than %s", r.timeout)
	}
	if runErr != nil {
		return nil, fmt.Errorf("pdf: chromium: %w: %s", runErr, tail(stderr.Bytes()))
	}
	doc, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(doc, []byte("%PDF")) {
		return nil, fmt.Errorf("pdf: chromium wrote no PDF: %s", tail(stderr.Bytes()))
	}
	return doc, nil
}

func tail(b []byte) []byte {
	if len(b) > 500 {
		return b[len(b)-500:]
	}
	return b
}
