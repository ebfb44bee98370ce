package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/database"
	"streetchief/internal/dbtest"
)

// Every shape a lost database takes through pgx and pgxpool, each made for real against
// PostgreSQL, answers 503 problem+json with Retry-After, as the services hand it up (wrapped with
// %w, through database.Refused); bugs that pgx also calls "safe to retry" stay 500.
func TestLostDatabaseAnswers503AndBugsStay500(t *testing.T) {
	pool := dbtest.Pool(t)
	ctx := context.Background()
	s := &Server{Deps: Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}}

	lost := map[string]func(t *testing.T) error{
		"a backend terminated mid-query (pg_terminate_backend: FATAL 57P01)": func(t *testing.T) error {
			conn := connect(t, pool.Config().ConnConfig)
			err := inFlight(t, conn, func() { terminate(t, pool, conn) })
			mustBeSQLState(t, err, "57P01")
			return err
		},
		"the next statement on a connection whose backend was terminated (conn closed)": func(t *testing.T) error {
			conn := connect(t, pool.Config().ConnConfig)
			_ = inFlight(t, conn, func() { terminate(t, pool, conn) })
			_, err := conn.Exec(ctx, `SELECT 1`)
			if !errors.Is(err, pgconn.ErrConnClosed) {
				t.Fatalf("want conn closed, got %v", err)
			}
			return err
		},
		"the server vanished under a connection's statement (its socket closed)": func(t *testing.T) error {
			proxy := newCutProxy(t, pool.Config().ConnConfig)
			err := inFlight(t, connect(t, proxy.config()), func() { proxy.cut(false) })
			terminateAll(t, pool, proxy)
			return err
		},
		"the connection reset under a statement (a node lost)": func(t *testing.T) error {
			proxy := newCutProxy(t, pool.Config().ConnConfig)
			err := inFlight(t, connect(t, proxy.config()), func() { proxy.cut(true) })
			terminateAll(t, pool, proxy)
			return err
		},
		// The reads pool on a SIGKILLed standby: pgx says io.ErrUnexpectedEOF, which answered 500.
		"a pool's read in flight when its server vanished, wrapped by a service and by database.Refused": func(t *testing.T) error {
			err := poolReadCut(t, pool, false)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("want unexpected EOF, got %T %v", err, err)
			}
			return fmt.Errorf("incident tile 16/1/2: %w", database.Refused(err, "incidents", nil))
		},
		"a pool's read in flight when its connection was reset": func(t *testing.T) error {
			return fmt.Errorf("gap report: %w", poolReadCut(t, pool, true))
		},
		"a pool pointed at a port where nothing listens": func(t *testing.T) error {
			cfg := pool.Config().ConnConfig.Copy()
			cfg.Host, cfg.Port, cfg.Fallbacks = "127.0.0.1", unusedPort(t), nil
			_, err := openPool(t, cfg).Exec(ctx, `SELECT 1`)
			var connErr *pgconn.ConnectError
			if !errors.As(err, &connErr) {
				t.Fatalf("want a connect error, got %T %v", err, err)
			}
			return fmt.Errorf("gap report: %w", err)
		},
		"a pool closed under the request (the server stopping)": func(t *testing.T) error {
			reads := openPool(t, pool.Config().ConnConfig)
			reads.Close()
			_, err := reads.Exec(ctx, `SELECT 1`)
			return err
		},
		"a read past the request's deadline": func(t *testing.T) error {
			short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			_, err := pool.Exec(short, `SELECT pg_sleep(2)`)
			return err
		},
	}
	for name, produce := range lost {
		t.Run(name, func(t *testing.T) {
			err := produce(t)
			if err == nil {
				t.Fatal("no error")
			}
			status, header, doc := answer(s, err)
			if status != http.StatusServiceUnavailable || header.Get("Retry-After") == "" || doc["code"] != "unavailable" ||
				header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%T %v answered %d, Retry-After %q, %v", err, err, status, header.Get("Retry-After"), doc)
			}
			t.Logf("%T %v → 503 %q", err, err, doc["detail"])
		})
	}

	// The server's own words for a connection it ends or refuses, as it sends them.
	for _, code := range []string{"57P02", "57P03", "08006", "08003"} {
		err := fmt.Errorf("report: %w", &pgconn.PgError{Severity: "FATAL", Code: code})
		if status, _, doc := answer(s, err); status != http.StatusServiceUnavailable {
			t.Errorf("SQLSTATE %s answered %d %v", code, status, doc)
		}
	}

	bugs := map[string]func(t *testing.T) error{
		"conn busy: a second statement while a result is still open (pgx calls it safe to retry)": func(t *testing.T) error {
			conn := connect(t, pool.Config().ConnConfig)
			rows, err := conn.Query(ctx, `SELECT generate_series(1, 10)`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			_, err = conn.Exec(ctx, `SELECT 1`)
			if !pgconn.SafeToRetry(err) {
				t.Fatalf("want pgx's conn busy, got %v", err)
			}
			return err
		},
		"a syntax error": func(t *testing.T) error {
			_, err := pool.Exec(ctx, `SELEC 1`)
			mustBeSQLState(t, err, "42601")
			return err
		},
		"a protocol violation (the server refused what we sent: 08P01)": func(*testing.T) error {
			return &pgconn.PgError{Severity: "FATAL", Code: "08P01", Message: "invalid frontend message type"}
		},
		"a scan into the wrong type": func(t *testing.T) error {
			var n int
			return pool.QueryRow(ctx, `SELECT 'x'::text`).Scan(&n)
		},
	}
	for name, produce := range bugs {
		t.Run(name, func(t *testing.T) {
			err := produce(t)
			if status, _, doc := answer(s, err); status != http.StatusInternalServerError || doc["code"] != "internal" {
				t.Fatalf("%T %v answered %d %v, want 500", err, err, status, doc)
			}
		})
	}
}

// A read that fails because its client left is not an internal error.
func TestCancelledByTheClientIsNotInternal(t *testing.T) {
	pool := dbtest.Pool(t)
	s := &Server{Deps: Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := pool.Exec(ctx, `SELECT pg_sleep(2)`)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	r := httptest.NewRequestWithContext(ctx, "GET", "/api/v1/reports/gaps", nil)
	w := httptest.NewRecorder()
	s.problem(w, r, fmt.Errorf("gaps: %w", err))
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("a cancelled request answered %d", w.Code)
	}
	// The same error under a request still waiting is a bug of ours: something cancelled too early.
	if status, _, _ := answer(s, err); status != http.StatusInternalServerError {
		t.Fatalf("context.Canceled under a live request answered %d", status)
	}
}

func answer(s *Server, err error) (int, http.Header, map[string]any) {
	w := httptest.NewRecorder()
	s.problem(w, httptest.NewRequest("GET", "/api/v1/tiles/incidents/16/1/2.mvt", nil), err)
	var doc map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &doc)
	return w.Code, w.Header(), doc
}

func mustBeSQLState(t *testing.T, err error, code string) {
	t.Helper()
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != code {
		t.Fatalf("want SQLSTATE %s, got %T %v", code, err, err)
	}
}

func connect(t *testing.T, cfg *pgx.ConnConfig) *pgx.Conn {
	t.Helper()
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func openPool(t *testing.T, cfg *pgx.ConnConfig) *pgxpool.Pool {
	t.Helper()
	pc, err := pgxpool.ParseConfig("")
	if err != nil {
		t.Fatal(err)
	}
	pc.ConnConfig, pc.MaxConns = cfg.Copy(), 2
	p, err := pgxpool.NewWithConfig(context.Background(), pc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// inFlight runs a long statement on conn, calls breakIt once PostgreSQL shows it running, and
// returns the statement's error.
func inFlight(t *testing.T, conn *pgx.Conn, breakIt func()) error {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		_, err := conn.Exec(context.Background(), `SELECT pg_sleep(30)`)
		errc <- err
	}()
	waitActive(t, dbtest.Pool(t), fmt.Sprintf(`pid = %d`, conn.PgConn().PID()))
	breakIt()
	select {
	case err := <-errc:
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("the statement did not end 20 s after its connection was broken")
		return nil
	}
}

func waitActive(t *testing.T, pool *pgxpool.Pool, where string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var n int
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE state = 'active' AND query LIKE 'SELECT pg_sleep(30)%' AND `+where).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no pg_sleep running where %s", where)
		}
	}
}

func terminate(t *testing.T, pool *pgxpool.Pool, conn *pgx.Conn) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), `SELECT pg_terminate_backend($1)`, conn.PgConn().PID()); err != nil {
		t.Fatal(err)
	}
}

// terminateAll ends the backends a cut proxy left sleeping, so they hold no connection slot.
func terminateAll(t *testing.T, pool *pgxpool.Pool, p *cutProxy) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE client_port = ANY($1)`, p.serverSidePorts()); err != nil {
		t.Fatal(err)
	}
}

// poolReadCut runs a read on a pool of its own through a cut proxy, cuts every connection while
// PostgreSQL runs it, and returns the read's error.
func poolReadCut(t *testing.T, pool *pgxpool.Pool, reset bool) error {
	t.Helper()
	proxy := newCutProxy(t, pool.Config().ConnConfig)
	reads := openPool(t, proxy.config())
	errc := make(chan error, 1)
	go func() {
		var ok bool
		errc <- reads.QueryRow(context.Background(), `SELECT pg_sleep(30) IS NULL`).Scan(&ok)
	}()
	proxy.waitBusy(t, pool)
	proxy.cut(reset)
	err := <-errc
	terminateAll(t, pool, proxy)
	return err
}

// unusedPort is a loopback port nothing listens on: the kernel's pick, closed again.
func unusedPort(t *testing.T) uint16 {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return uint16(port)
}

// cutProxy carries connections to the test's PostgreSQL and can cut them all at once, the way a
// server killed with SIGKILL or a lost node does: no message, the socket closed or reset.
type cutProxy struct {
	target   *pgx.ConnConfig
	listener net.Listener
	mu       sync.Mutex
	pairs    [][2]*net.TCPConn
}

func newCutProxy(t *testing.T, target *pgx.ConnConfig) *cutProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{target: target, listener: l}
	t.Cleanup(func() { p.cut(false) })
	go p.serve()
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.listener.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", net.JoinHostPort(p.target.Host, strconv.Itoa(int(p.target.Port))))
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.pairs = append(p.pairs, [2]*net.TCPConn{c.(*net.TCPConn), s.(*net.TCPConn)})
		p.mu.Unlock()
		go func() { _, _ = io.Copy(s, c); s.Close(); c.Close() }()
		go func() { _, _ = io.Copy(c, s); s.Close(); c.Close() }()
	}
}

// config is the target's connection settings through the proxy.
func (p *cutProxy) config() *pgx.ConnConfig {
	cfg := p.target.Copy()
	cfg.Host, cfg.Port, cfg.Fallbacks = "127.0.0.1", uint16(p.listener.Addr().(*net.TCPAddr).Port), nil
	return cfg
}

// cut closes every connection it carries, both ways, and refuses new ones, as a dead server does;
// reset sends RST instead of FIN.
func (p *cutProxy) cut(reset bool) {
	p.listener.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pair := range p.pairs {
		for _, c := range pair {
			if reset {
				_ = c.SetLinger(0)
			}
			c.Close()
		}
	}
}

func (p *cutProxy) serverSidePorts() []int32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var ports []int32
	for _, pair := range p.pairs {
		ports = append(ports, int32(pair[1].LocalAddr().(*net.TCPAddr).Port))
	}
	return ports
}

// waitBusy returns once a statement it carries is running in PostgreSQL.
func (p *cutProxy) waitBusy(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if ports := p.serverSidePorts(); len(ports) > 0 {
			var n int
			if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
				WHERE state = 'active' AND client_port = ANY($1)`, ports).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n > 0 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no statement through the proxy is running")
		}
	}
}
