// Package auth knows who is asking: it keeps accounts, browser sessions and API tokens, checks
// passwords (argon2id), slows password guessing down (throttle.go) and turns a request's credentials
// into an access.Principal whose scope comes from the person's current assignments. It owns app_user,
// user_session, api_token, sign_in_failure and sign_in_known_client; it reads the registry's
// assignment and admin_unit tables but never writes them, and never imports the HTTP layer.
package auth

import (
	"context"
	"fmt"
	"runtime"
	"streetchief/internal/database"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

const (
	// SessionCookie is the name of the cookie that carries a browser's session token.
	SessionCookie = "sc_session"
	// DeviceCookie carries a token that marks a browser where an account signed in before.
	DeviceCookie    = "sc_device"
	deviceCookieTTL = 366 * 24 * time.Hour
	// CSRFHeader must repeat the session's CSRF token on unsafe requests authenticated by the cookie.
	CSRFHeader = "X-CSRF-Token"
	// SignInPath is the endpoint that creates sessions. Its requests are judged by the credentials in
	// their body alone, so that a stale cookie left in the browser cannot block signing in again.
	SignInPath = "/api/v1/session"

	// TokenPrefix starts every API token, so leaked tokens are easy to spot (and to grep for).
	TokenPrefix = "sc_"
	// MaxTokenTTL is the longest an API token may live.
	MaxTokenTTL = 366 * 24 * time.Hour
	// MinPasswordLength is the shortest password accepted, in characters.
	MinPasswordLength = 10
	// maxPasswordLength bounds the work one sign-in can cause.
	maxPasswordLength = 256
)

// Options configure a Service; cmd/streetchief fills them from flags.
type Options struct {
	// SessionTTL is how long a session lasts after sign-in; 0 means 12 hours.
	SessionTTL time.Duration
	// SecureCookies marks the session cookie Secure even when the request did not arrive over TLS
	// (served behind an HTTPS proxy).
	SecureCookies bool
	// Now replaces the clock in tests; nil means time.Now.
	Now func() time.Time
}

// Service signs people in and out and manages accounts and tokens.
type Service struct {
	db        *pgxpool.Pool
	opt       Options
	dummyHash string
	// hashSlots bounds the argon2 computations running at once: each takes ~19 MiB, and a burst of
	// sign-ins from many addresses must not exhaust memory.
	hashSlots chan struct{}
}

// NewService returns a Service on db.
func NewService(db *pgxpool.Pool, opt Options) *Service {
	if opt.SessionTTL <= 0 {
		opt.SessionTTL = 12 * time.Hour
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	s := &Service{db: db, opt: opt, hashSlots: make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))}
	// Unknown users are checked against this hash, so they cost as much time as a wrong password.
	h, err := hashPassword("not a password: nobody signs in with this one")
	if err != nil {
		panic(fmt.Sprintf("auth: dummy hash: %v", err)) // crypto/rand failed: nothing else would work either
	}
	s.dummyHash = h
	return s
}

func (s *Service) now() time.Time { return s.opt.Now().UTC() }

// hash runs argon2 under the service's concurrency limit.
func (s *Service) hash(ctx context.Context, password string) (string, error) {
	if err := s.acquire(ctx); err != nil {
		return "", err
	}
	defer func() { <-s.hashSlots }()
	return hashPassword(password)
}

func (s *Service) verify(ctx context.Context, encoded, password string) (bool, error) {
	if err := s.acquire(ctx); err != nil {
		return false, err
	}
	defer func() { <-s.hashSlots }()
	return verifyPassword(encoded, password)
}

func (s *Service) acquire(ctx context.Context) error {
	select {
	case s.hashSlots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// inTx runs fn in one transaction: the change and its audit row commit together or not at all.
func (s *Service) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.db, fn)
}

// translate turns the database's refusals into errors a person can act on.
func translate(err error, what string) error {
	return database.Refused(err, what, nil)
}
