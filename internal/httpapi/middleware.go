package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// frame is the server's state for one request, made once by frameRequests: the request id, the
// caller once the route's rule has admitted them, and what was written, for the log and metrics.
// One allocation and one context value instead of one per middleware matters at tens of thousands
// of lookups a second.
type frame struct {
	statusRecorder
	id        string
	principal access.Principal
}

type frameKey struct{}

func frameOf(r *http.Request) *frame {
	f, _ := r.Context().Value(frameKey{}).(*frame)
	return f
}

func requestIDOf(r *http.Request) string {
	if f := frameOf(r); f != nil {
		return f.id
	}
	return ""
}

var clientRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// frameRequests runs every request: it tags it with an id (the client's X-Request-ID when sane) for
// logs and problems, sets the security headers, turns a panic into a 500 problem instead of a
// dropped connection, then logs the request (never its query string or headers, which may carry
// tokens) and counts it by route pattern for /metrics.
func (s *Server) frameRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		f := &frame{statusRecorder: statusRecorder{ResponseWriter: w}}
		f.id = r.Header.Get("X-Request-ID")
		if f.id == "" || !clientRequestID.MatchString(f.id) {
			f.id = s.nextRequestID()
		}
		h := w.Header()
		h["X-Request-Id"] = []string{f.id}
		setSecurityHeaders(h, r.URL.Path)
		r = r.WithContext(context.WithValue(r.Context(), frameKey{}, f))
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.problem(&f.statusRecorder, r, &apperr.Error{Code: apperr.Internal, Message: "panic", Err: fmt.Errorf("panic: %v", v)})
			}
			s.logAndMeasure(f, r, time.Since(start))
		}()
		if err := checkRequestText(r); err != nil {
			s.problem(&f.statusRecorder, r, err)
			return
		}
		next.ServeHTTP(&f.statusRecorder, r)
	})
}

// checkRequestText refuses, before any handler sees them, a path or query whose text is not UTF-8
// or holds NUL: no column can store NUL, and a handler that passes such text on gets a database
// error instead of an answer. Checking here once covers every parameter of every route, today's
// and tomorrow's; handlers then check only what each value means.
func checkRequestText(r *http.Request) error {
	if bad := badText(r.URL.Path); bad != "" {
		return apperr.New(apperr.Malformed, "the path %s", bad)
	}
	qs, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return apperr.New(apperr.Malformed, "the query string is malformed: %s", strings.TrimPrefix(err.Error(), "invalid URL escape "))
	}
	for name, values := range qs {
		if bad := badText(name); bad != "" {
			return apperr.New(apperr.Malformed, "a query parameter's name %s", bad)
		}
		for _, v := range values {
			if bad := badText(v); bad != "" {
				return apperr.New(apperr.Malformed, "query parameter %s %s", name, bad).With("parameter", name)
			}
		}
	}
	return nil
}

func badText(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	case strings.IndexByte(s, 0) >= 0:
		return "holds a NUL character"
	}
	return ""
}

// requestIDs are a random per-process prefix and a counter: unique across replicas and restarts
// without a call to the random source per request.
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return &requestIDs{prefix: hex.EncodeToString(b[:]) + "-"}
}

func (s *Server) nextRequestID() string {
	return s.ids.prefix + strconv.FormatUint(s.ids.n.Add(1), 36)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusRecorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) logAndMeasure(f *frame, r *http.Request, elapsed time.Duration) {
	pattern := chi.RouteContext(r.Context()).RoutePattern()
	if pattern == "" {
		pattern = "unmatched"
	}
	if f.status == 0 {
		f.status = http.StatusOK
	}
	s.metrics.observe(methodLabel(r.Method), pattern, f.status, elapsed)
	level := levelFor(f.status)
	if !s.Logger.Enabled(r.Context(), level) {
		return
	}
	s.Logger.LogAttrs(r.Context(), level, "request",
		slog.String("request_id", f.id), slog.String("method", r.Method),
		slog.String("route", pattern), slog.String("path", r.URL.Path), slog.Int("status", f.status),
		slog.Int("bytes", f.bytes), slog.Duration("elapsed", elapsed))
}

// The security headers are sent on every answer. Pages get a CSP that allows what the embedded
// dashboard needs (its own scripts, styles, workers and blob: workers MapLibre makes) and nothing
// from elsewhere; machine answers (JSON, tiles, exports) are never rendered as documents, so theirs
// forbids everything, as OWASP advises for APIs. The values are shared, never modified slices:
// setting them allocates nothing.
var (
	nosniff     = []string{"nosniff"}
	sameOrigin  = []string{"same-origin"}
	frameDeny   = []string{"DENY"}
	pageCSP     = []string{"default-src 'self'; img-src 'self' data: blob:; worker-src 'self' blob:; child-src blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"}
	machineCSP  = []string{"default-src 'none'; frame-ancestors 'none'"}
	machinePath = []string{"/api/", "/tiles/", "/ogc/", "/open311/"}
)

func setSecurityHeaders(h http.Header, path string) {
	h["X-Content-Type-Options"] = nosniff
	h["Referrer-Policy"] = sameOrigin
	h["X-Frame-Options"] = frameDeny
	h["Content-Security-Policy"] = pageCSP
	for _, prefix := range machinePath {
		if strings.HasPrefix(path, prefix) {
			h["Content-Security-Policy"] = machineCSP
			break
		}
	}
}

// methodLabel keeps /metrics bounded: any method a client makes up is counted as OTHER, not as a
// new series that lives for the life of the process.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// levelFor keeps successful requests out of the default log level: a busy lookup endpoint would
// otherwise drown everything else.
func levelFor(status int) slog.Level {
	switch {
	case status == http.StatusServiceUnavailable:
		return slog.LevelWarn // the database is away or the index is loading: expected, and said once elsewhere
	case status >= 500:
		return slog.LevelError
	case status >= 400:
		return slog.LevelInfo
	}
	return slog.LevelDebug
}
