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
	// Device is the device token the browser should keep (DeviceCookie): it makes this browser a
	// known client of the account, spared the throttling that failures elsewhere cause.
	Device string
}

var errWrongCredentials = apperr.New(apperr.Unauthorized, "wrong username or password")

// SignInRequest is one sign-in attempt: the credentials, and where it comes from.
type SignInRequest struct {
	Username string
	Password string
	// Address is the client's network address (the peer's, not a header any client could set).
	Address string
	// Device is the device cookie the browser sent, "" if none.
	Device string
	// RequestID goes into the audit row of a failed attempt.
	RequestID string
}

// SignIn checks a username and password and opens a session. An unknown user and a wrong password
// give the same error after the same work (the unknown user is checked against a dummy hash), so the
// answer does not reveal which usernames exist. Failures slow further attempts (throttle.go): a
// throttled attempt answers RateLimited with retry_after_seconds before any password is checked.
// Every refused attempt is audited.
func (s *Service) SignIn(ctx context.Context, in SignInRequest) (Session, error) {
	username := normaliseUsername(in.Username)
	address := canonicalAddress(in.Address)
	addressClient, deviceClient := knownClients(address, in.Device)
	var (
		userID                    int64
		encoded                   string
		disabled                  bool
		knownAddress, knownDevice bool
	)
	err := s.db.QueryRow(ctx, `SELECT id, password_hash, disabled,
			EXISTS (SELECT 1 FROM sign_in_known_client k WHERE k.user_id = u.id AND k.client = $2),
			EXISTS (SELECT 1 FROM sign_in_known_client k WHERE k.user_id = u.id AND k.client = $3)
		FROM app_user u WHERE username = $1`, username, addressClient, deviceClient).
		Scan(&userID, &encoded, &disabled, &knownAddress, &knownDevice)
	known := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Session{}, fmt.Errorf("sign in: %w", err)
	}
	now := s.now()
	pairDevice := ""
	if knownDevice {
		pairDevice = deviceClient
	}
	keys := throttleKeys(throttledUsername(username), address, pairDevice, knownAddress || knownDevice)
	wait, err := s.reserve(ctx, keys, now)
	if err != nil {
		return Session{}, err
	}
	if wait > 0 {
		return Session{}, tooManySignIns(wait)
	}
	if !known {
		encoded = s.dummyHash
	}
	ok := false
	if len(in.Password) <= maxPasswordLength {
		if ok, err = s.verify(ctx, encoded, in.Password); err != nil {
			return Session{}, fmt.Errorf("sign in user %d: %w", userID, err)
		}
	}
	if !known || !ok {
		return Session{}, s.refuse(ctx, in, userID, address, "wrong username or password", errWrongCredentials)
	}
	if disabled {
		return Session{}, s.refuse(ctx, in, userID, address, "account disabled",
			apperr.New(apperr.Unauthorized, "this account is disabled; ask an administrator"))
	}

	device := in.Device
	if _, ours := hashToken(device); !ours {
		// A new device token whenever the browser has none (or something that is not one of ours).
		if device, _, err = newSecret(); err != nil {
			return Session{}, err
		}
		_, deviceClient = knownClients(address, device)
	}
	token, hash, err := newSecret()
	if err != nil {
		return Session{}, err
	}
	csrf, _, err := newSecret()
	if err != nil {
		return Session{}, err
	}
	sess := Session{Token: token, CSRF: csrf, ExpiresAt: now.Add(s.opt.SessionTTL), Device: device}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if err := s.release(ctx, tx, keys); err != nil {
			return err
		}
		if err := rememberClients(ctx, tx, userID, now, addressClient, deviceClient); err != nil {
			return err
		}
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

// DeviceCookie keeps the device token of sess for a year. It is sent to the sign-in endpoint only,
// which is the one place that asks whether this browser signed in before.
func (s *Service) DeviceCookie(r *http.Request, sess Session) *http.Cookie {
	return &http.Cookie{Name: DeviceCookie, Value: sess.Device, Path: SignInPath, MaxAge: int(deviceCookieTTL.Seconds()),
		HttpOnly: true, Secure: s.opt.SecureCookies || r.TLS != nil, SameSite: http.SameSiteStrictMode}
}

// DeviceToken returns the device token the request's cookie carries, or "".
func DeviceToken(r *http.Request) string {
	c, err := r.Cookie(DeviceCookie)
	if err != nil {
		return ""
	}
	return c.Value
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
