package main

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestWritingToANamedPipeKeepsThePipe: `-o /dev/null` once replaced /dev/null with a plain file,
// because the output was renamed into place. A path that is not a regular file is written in place.
func TestWritingToANamedPipeKeepsThePipe(t *testing.T) {
	pipe := filepath.Join(t.TempDir(), "out.fifo")
	if err := syscall.Mkfifo(pipe, 0o600); err != nil {
		if os.Getenv("STREETCHIEF_REQUIRE_DB") == "1" {
			t.Fatalf("make a named pipe: %v", err)
		}
		t.Skipf("no named pipes here: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(pipe)
		if err != nil {
			got <- "open: " + err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	if err := writeFile(pipe, func(w io.Writer) error {
		_, err := io.WriteString(w, "streetchief export\n")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Checked first: had the pipe been replaced, its reader would wait for a writer forever.
	st, err := os.Lstat(pipe)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("%s is now %v, not a named pipe", pipe, st.Mode())
	}
	select {
	case s := <-got:
		if s != "streetchief export\n" {
			t.Fatalf("the reader got %q", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nothing reached the pipe's reader")
	}
}
