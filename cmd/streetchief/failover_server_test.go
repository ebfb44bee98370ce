//go:build ha

package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// haCluster is the Patroni cluster make test-ha starts (scripts/ha.sh), as the environment names it.
type haCluster struct {
	hosts, ports []string
	script       string // scripts/ha.sh, which kills the primary's node, backs up and restores
}

// run runs the cluster script with args and returns what it printed, trimmed.
func (c haCluster) run(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(c.script, args...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("%s %s: %v %s", c.script, strings.Join(args, " "), err, stderr)
	}
	return strings.TrimSpace(string(out))
}

func haClusterFromEnv(t *testing.T) haCluster {
	t.Helper()
	// Built only with -tags ha (make test-ha), so without its cluster this fails rather than skips.
	if os.Getenv("STREETCHIEF_HA_TESTS") != "1" {
		t.Fatal("needs the Patroni cluster of make test-ha: set STREETCHIEF_HA_TESTS=1, STREETCHIEF_HA_HOSTS and STREETCHIEF_HA_SCRIPT")
	}
	var c haCluster
	for _, hp := range strings.Split(os.Getenv("STREETCHIEF_HA_HOSTS"), ",") {
		host, port, err := net.SplitHostPort(strings.TrimSpace(hp))
		if err != nil {
			t.Fatalf("STREETCHIEF_HA_HOSTS %q: want host:port,host:port: %v", os.Getenv("STREETCHIEF_HA_HOSTS"), err)
		}
		c.hosts, c.ports = append(c.hosts, host), append(c.ports, port)
	}
	if len(c.hosts) < 2 {
		t.Fatalf("STREETCHIEF_HA_HOSTS names %d node(s); a failover needs two", len(c.hosts))
	}
	c.script = os.Getenv("STREETCHIEF_HA_SCRIPT")
	if c.script == "" {
		t.Fatal("STREETCHIEF_HA_SCRIPT is empty: it names scripts/ha.sh, which kills the primary and restores backups")
	}
	return c
}

// dsn is a libpq multi-host connection string: whichever node accepts writes now.
func (c haCluster) dsn(dbname string) string {
	return fmt.Sprintf("host=%s port=%s dbname=%s user=streetchief sslmode=disable target_session_attrs=read-write connect_timeout=2",
		strings.Join(c.hosts, ","), strings.Join(c.ports, ","), dbname)
}

// freshDatabase creates an empty database on the cluster, dropped when the test ends.
func (c haCluster) freshDatabase(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, c.dsn("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	// pgx, like libpq, tries the next host only when a connection fails, not when a node refuses it
	// for a database it does not know yet: wait until every node that is up (a node lost in the
	// failover test is not) has replayed the CREATE DATABASE.
nodes:
	for i, host := range c.hosts {
		node := fmt.Sprintf("host=%s port=%s dbname=postgres user=streetchief sslmode=disable connect_timeout=2", host, c.ports[i])
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
			var there bool
			conn, err := pgx.Connect(ctx, node)
			if err == nil {
				err = conn.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)`, name).Scan(&there)
				conn.Close(ctx)
			}
			if there {
				break
			}
			if err != nil && strings.Contains(err.Error(), "connection refused") {
				continue nodes
			}
			if time.Now().After(deadline) {
				t.Fatalf("database %s has not reached %s:%s in a minute (%v)", name, host, c.ports[i], err)
			}
		}
	}
	t.Cleanup(func() {
		admin, err := pgx.Connect(ctx, c.dsn("postgres"))
		if err != nil {
			t.Logf("dropping %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Logf("dropping %s: %v", name, err)
		}
	})
}

func (c haCluster) pool(t *testing.T, dbname string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), c.dsn(dbname))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// servedBinary is a `streetchief serve` process of the real binary.
type servedBinary struct {
	url string
	cmd *exec.Cmd
	log string // its standard error
}

// startServe runs the binary named by STREETCHIEF_HA_BINARY (built here when unset) on the database
// url, with the demo city, no limit on public reports (the test is one address filing thousands)
// and no morning digest; it returns once /healthz answers. The process is stopped when the test ends.
func startServe(t *testing.T, databaseURL string, extra ...string) *servedBinary {
	t.Helper()
	binary := os.Getenv("STREETCHIEF_HA_BINARY")
	if binary == "" {
		binary = filepath.Join(t.TempDir(), "streetchief")
		if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := &servedBinary{url: "http://" + addr, log: filepath.Join(t.TempDir(), "serve.log")}
	logFile, err := os.Create(s.log)
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"serve", "--database-url", databaseURL, "--migrate", "--demo-if-empty",
		"--addr", addr, "--public-reports-per-minute", "0", "--digest-at", "", "--photo-dir", filepath.Join(t.TempDir(), "photos")}, extra...)
	s.cmd = exec.Command(binary, args...)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var exitErr error
	go func() { exitErr = s.cmd.Wait(); logFile.Close(); close(exited) }()
	t.Cleanup(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = s.cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("serve's errors:\n%s\nserve's log ends:\n%s", s.logLines(`"level":"ERROR"`, 20), s.logTail(20))
		}
	})
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		select {
		case <-exited:
			t.Fatalf("serve exited before answering: %v", exitErr)
		default:
		}
		if resp, err := http.Get(s.url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
	}
	t.Fatal("serve did not answer /healthz within 3 minutes")
	return nil
}

// running reports whether the process is still alive (it never exits on its own while serving).
func (s *servedBinary) running() bool { return s.cmd.Process.Signal(syscall.Signal(0)) == nil }

// countLog counts the lines of serve's log that contain text.
func (s *servedBinary) countLog(text string) int {
	raw, _ := os.ReadFile(s.log)
	return bytes.Count(raw, []byte(text))
}

// logLines returns the first n lines of serve's log that contain text.
func (s *servedBinary) logLines(text string, n int) string {
	raw, _ := os.ReadFile(s.log)
	var out []string
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.Contains(line, text) && len(out) < n {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func (s *servedBinary) logTail(lines int) string {
	raw, _ := os.ReadFile(s.log)
	all := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}
