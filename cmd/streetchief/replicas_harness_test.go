package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"streetchief/internal/dbtest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A cluster is N replicas of the real binary on one database behind HAProxy, started by
// scripts/lb.sh, for the replicas test.
type cluster struct {
	t        *testing.T
	bin      string
	dbURL    string
	dir      string
	lbURL    string
	replicas []*replica
}

type replica struct {
	name string // r1, r2, … as lb.sh names them
	addr string
	log  string
	cmd  *exec.Cmd
}

// haproxyOrSkip finds HAProxy; without it the test skips, unless make test (STREETCHIEF_REQUIRE_DB=1)
// runs it, where scripts/deps.sh installs HAProxy and its absence is a failure.
func haproxyOrSkip(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("haproxy"); err == nil {
		return
	}
	if _, err := os.Stat("/usr/sbin/haproxy"); err == nil {
		return
	}
	if os.Getenv("STREETCHIEF_REQUIRE_DB") == "1" {
		t.Fatal("haproxy is not installed (scripts/deps.sh installs it: apt-get install haproxy)")
	}
	t.Skip("haproxy is not installed: apt-get install haproxy, or run make test")
}

// ports are the balancer's and n replicas': from STREETCHIEF_TEST_PORT_BASE on when it is set (a
// machine whose ports are shared out), otherwise ones the kernel has free.
func ports(t *testing.T, n int) []int {
	t.Helper()
	if base := os.Getenv("STREETCHIEF_TEST_PORT_BASE"); base != "" {
		b, err := strconv.Atoi(base)
		if err != nil || b < 1024 || b > 65000 {
			t.Fatalf("STREETCHIEF_TEST_PORT_BASE=%q is not a port from 1024 to 65000", base)
		}
		out := make([]int, n)
		for i := range out {
			out[i] = b + i
		}
		return out
	}
	out := make([]int, n)
	for i := range out {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		out[i] = l.Addr().(*net.TCPAddr).Port
		defer l.Close()
	}
	return out
}

// buildBinary builds this command as the replicas run it, without the race detector (three of
// them on two cores would crawl).
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the replicas: %v", err)
	}
	bin := filepath.Join(dir, "streetchief")
	build := exec.Command(goCmd, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// newDemoCluster builds the binary and loads the demo city into a fresh database of the test's own,
// for replicas to be started on; the pool is the test's way into that database.
func newDemoCluster(t *testing.T) (*cluster, *pgxpool.Pool) {
	t.Helper()
	pool := dbtest.Own(t)
	dir := t.TempDir()
	c := &cluster{t: t, bin: buildBinary(t, dir), dbURL: pool.Config().ConnString(), dir: dir}
	c.run("demo")
	return c, pool
}

// run runs the binary's subcommand once (demo, say) on the database and fails the test when it fails.
func (c *cluster) run(sub string, args ...string) {
	c.t.Helper()
	cmd := exec.Command(c.bin, append([]string{sub, "--database-url", c.dbURL}, args...)...)
	cmd.Env = append(os.Environ(), "STREETCHIEF_PHOTO_DIR="+filepath.Join(c.dir, "photos"))
	if out, err := cmd.CombinedOutput(); err != nil {
		c.t.Fatalf("streetchief %s %s: %v\n%s", sub, strings.Join(args, " "), err, out)
	}
}

// start starts the replicas at once (their background jobs race at start-up, which is the point)
// and the balancer in front, and waits until every replica answers ready through it.
func (c *cluster) start(addrs []string, lbPort int, serveArgs ...string) {
	c.t.Helper()
	for _, addr := range addrs {
		c.launch(addr, serveArgs...)
	}
	c.balance(lbPort, append([]string{"start", strconv.Itoa(lbPort)}, addrs...)...)
}

// launch starts one more replica, named r1, r2, … in the order launched.
func (c *cluster) launch(addr string, serveArgs ...string) {
	c.t.Helper()
	i := len(c.replicas)
	r := &replica{name: fmt.Sprintf("r%d", i+1), addr: addr, log: filepath.Join(c.dir, fmt.Sprintf("r%d.log", i+1))}
	f, err := os.Create(r.log)
	if err != nil {
		c.t.Fatal(err)
	}
	// One photo directory for all, as replicas behind a balancer share one (docs/scale.md#photos).
	r.cmd = exec.Command(c.bin, append([]string{"serve", "--database-url", c.dbURL, "--addr", addr,
		"--photo-dir", filepath.Join(c.dir, "photos")}, serveArgs...)...)
	r.cmd.Stdout, r.cmd.Stderr = f, f
	if err := r.cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	f.Close()
	if i == 0 {
		c.t.Cleanup(c.stop)
	}
	c.replicas = append(c.replicas, r)
}

// balance runs scripts/lb.sh with lbArgs (start or start-districts and theirs) and waits until every
// replica answers ready through the balancer.
func (c *cluster) balance(lbPort int, lbArgs ...string) {
	c.t.Helper()
	lb := exec.Command("../../scripts/lb.sh", lbArgs...)
	lb.Env = append(os.Environ(), "STREETCHIEF_LB_DIR="+filepath.Join(c.dir, "lb"))
	if out, err := lb.CombinedOutput(); err != nil {
		c.t.Fatalf("scripts/lb.sh %s: %v\n%s", lbArgs[0], err, out)
	}
	c.lbURL = fmt.Sprintf("http://127.0.0.1:%d", lbPort)
	anon := c.client(false)
	deadline := time.Now().Add(3 * time.Minute)
	for _, r := range c.replicas {
		for {
			status, h, _ := c.do(anon, r.name, "GET", "/readyz", nil, nil)
			if status == 200 && h.Get("X-Streetchief-Replica") == r.name {
				break
			}
			if time.Now().After(deadline) {
				c.t.Fatalf("replica %s not ready through the balancer after 3 minutes (last %d, served by %q)", r.name, status, h.Get("X-Streetchief-Replica"))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	// A pinned request reaches its replica even while HAProxy counts it down; the balanced backend
	// sends requests only to replicas its checks count up (one failed check at start counts one down).
	for {
		if status, _, _ := c.do(anon, "", "GET", "/readyz", nil, nil); status == 200 {
			break
		}
		if time.Now().After(deadline) {
			c.t.Fatal("no replica up behind the balancer after 3 minutes")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (c *cluster) stop() {
	lb := exec.Command("../../scripts/lb.sh", "stop")
	lb.Env = append(os.Environ(), "STREETCHIEF_LB_DIR="+filepath.Join(c.dir, "lb"))
	if out, err := lb.CombinedOutput(); err != nil {
		c.t.Logf("scripts/lb.sh stop: %v\n%s", err, out)
	}
	for _, r := range c.replicas {
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = r.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = r.cmd.Process.Kill()
			<-done
		}
		if c.t.Failed() {
			b, _ := os.ReadFile(r.log)
			if len(b) > 6000 {
				b = b[len(b)-6000:]
			}
			c.t.Logf("replica %s log (end):\n%s", r.name, b)
		}
	}
}

// logCount counts the replica's log lines whose message is msg.
func (r *replica) logCount(msg string) int {
	b, _ := os.ReadFile(r.log)
	return bytes.Count(b, []byte(`"msg":`+strconv.Quote(msg)))
}

func (c *cluster) client(cookies bool) *http.Client {
	cl := &http.Client{Timeout: 30 * time.Second}
	if cookies {
		jar, err := cookiejar.New(nil)
		if err != nil {
			c.t.Fatal(err)
		}
		cl.Jar = jar
	}
	return cl
}

// do sends one request through the balancer, to the named replica ("" lets the balancer choose),
// and answers the status, the headers and the body.
func (c *cluster) do(cl *http.Client, replica, method, path string, header map[string]string, body []byte) (int, http.Header, []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.lbURL+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if replica != "" {
		req.Header.Set("X-Streetchief-Replica", replica)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := cl.Do(req)
	if err != nil {
		return 0, http.Header{}, []byte(err.Error())
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// doJSON is do that decodes a JSON answer and fails the test on another status than want.
func (c *cluster) doJSON(cl *http.Client, replica, method, path string, header map[string]string, body any, want int) (http.Header, map[string]any) {
	c.t.Helper()
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			c.t.Fatal(err)
		}
	}
	status, h, b := c.do(cl, replica, method, path, header, raw)
	if status != want {
		c.t.Fatalf("%s %s on %s: %d %s, want %d", method, path, replica, status, b, want)
	}
	var doc map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &doc); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return h, doc
}

// mailSink is an SMTP server on loopback that counts the messages each recipient gets: the replicas'
// notification workers deliver to it.
type mailSink struct {
	addr string
	mu   sync.Mutex
	got  map[string]int
}

func newMailSink(t *testing.T, port int) *mailSink {
	t.Helper()
	s := &mailSink{got: map[string]int{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }))
	srv.Domain = "localhost"
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	go srv.Serve(l) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	return s
}

// received is how many messages each recipient got.
func (s *mailSink) received() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.got)
}

type sinkSession struct {
	s  *mailSink
	to []string
}

func (x *sinkSession) Reset()                                    { x.to = nil }
func (x *sinkSession) Logout() error                             { return nil }
func (x *sinkSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (x *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error { x.to = append(x.to, to); return nil }
func (x *sinkSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	for _, to := range x.to {
		x.s.got[to]++
	}
	return nil
}
