package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// Session is a signed-in browser. Token goes into the cookie and nowhere else; CSRF is handed to the
// dashboard, which repeats it in X-CSRF-Token on every unsafe request.
type Session struct {
	Token     string
	CSRF      string
	ExpiresAt time.Time
	Principal access.Principal
}

var errWrongCredentials = apperr.New(apperr.Unauthorized, "wrong username or password")

// SignIn checks a username and password and opens a session. An unknown user and a wrong password
// give the same error after the same work (the unknown user is checked against a dummy hash), so the
// answer does not reveal which usernames exist.
func (s *Service) SignIn(ctx context.Context, username, password string) (Session, error) {
	username = normaliseUsername(username)
	if len(password) > maxPasswordLength {
		return Session{}, errWrongCredentials
	}
	var (
		userID   int64
		encoded  string
		disabled bool
	)
	err := s.db.QueryRow(ctx, `SELECT id, password_hash, disabled FROM app_user WHERE username = $1`, username).
		Scan(&userID, &encoded, &disabled)
	known := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Session{}, fmt.Errorf("sign in: %w", err)
	}
	if !known {
		encoded = s.dummyHash
	}
	ok, err := s.verify(ctx, encoded, password)
	if err != nil {
		return Session{}, fmt.Errorf("sign in user %d: %w", userID, err)
	}
	if !known || !ok {
		return Session{}, errWrongCredentials
	}
	if disabled {
		return Session{}, apperr.New(apperr.Unauthorized, "this account is disabled; ask an administrator")
	}

	token, hash, err := newSecret()
	if err != nil {
		return Session{}, err
	}
	csrf, _, err := newSecret()
	if err != nil {
		return Session{}, err
	}
	now := s.now()
	sess := Session{Token: token, CSRF: csrf, ExpiresAt: now.Add(s.opt.SessionTTL)}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		// Sweep this user's dead sessions while we are here, so the table does not grow forever.
		if _, err := tx.Exec(ctx, `DELETE FROM user_session WHERE user_id = $1 AND expires_at <= $2`, userID, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO user_session (token_hash, user_id, csrf_token, created_at, expires_at, last_seen)
			VALUES ($1, $2, $3, $4, $5, $4)`, hash, userID, csrf, now, sess.ExpiresAt); err != nil {
			return err
		}
		p, err := scanPrincipal(tx.QueryRow(ctx, `SELECT `+principalColumns+` FROM app_user u WHERE u.id = $1`, userID, now))
		sess.Principal = p.Principal
		return err
	})
	if err != nil {
		return Session{}, fmt.Errorf("open session: %w", err)
	}
	return sess, nil
}

// SignOut ends the session whose cookie carries token. Ending an unknown session is not an error.
func (s *Service) SignOut(ctx context.Context, token string) error {
	hash, ok := hashToken(token)
	if !ok {
		return nil
	}
	if _, err := s.db.Exec(ctx, `DELETE FROM user_session WHERE token_hash = $1`, hash); err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	return nil
}

// CSRFToken returns the CSRF token of the request's live session, so a reloaded dashboard can
// recover it; "" when the request has no live session.
func (s *Service) CSRFToken(r *http.Request) (string, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return "", nil
	}
	hash, ok := hashToken(c.Value)
	if !ok {
		return "", nil
	}
	var csrf string
	err = s.db.QueryRow(r.Context(), `SELECT csrf_token FROM user_session WHERE token_hash = $1 AND expires_at > $2`, hash, s.now()).Scan(&csrf)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("csrf token: %w", err)
	}
	return csrf, nil
}

// SessionCookie is the cookie that carries sess: HttpOnly so scripts cannot read it, SameSite=Lax so
// other sites cannot ride on it, Secure over TLS or when the service is told it sits behind HTTPS.
func (s *Service) SessionCookie(r *http.Request, sess Session) *http.Cookie {
	return &http.Cookie{
		Name:     SessionCookie,
		Value:    sess.Token,
		Path:     "/",
		Expires:  sess.ExpiresAt,
		MaxAge:   max(1, int(sess.ExpiresAt.Sub(s.now()).Seconds())),
		HttpOnly: true,
		Secure:   s.opt.SecureCookies || r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	}
}

// ClearedCookie tells the browser to forget its session cookie.
func (s *Service) ClearedCookie(r *http.Request) *http.Cookie {
	return &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.opt.SecureCookies || r.TLS != nil, SameSite: http.SameSiteLaxMode}
}

// SessionToken returns the session token the request's cookie carries, or "".
func SessionToken(r *http.Request) string {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

func normaliseUsername(u string) string { return strings.ToLower(strings.TrimSpace(u)) }
