package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/registry"
)

// principalColumns read a user and the scope their CURRENT posts give them, in the same statement
// as the credential lookup, so a request costs one query. $2 is the moment "current" means. The
// posts come from the registry's post_coverage view (migration 0014), never its tables:
//
//   - street_chief: the subdistricts of their street chief posts, and every community of those;
//   - lane_chief: the communities of their lane chief posts (not the subdistrict around them);
//   - department_liaison: the subdistricts of their liaison posts, and the departments they speak for;
//   - admin, district_leader, assessor: the whole district (decided in Go, see scopeFor);
//   - inspector: the subdistricts and communities of their inspector posts (an inspector post over a
//     community gives that community only);
//   - participant: no territory; internal/duties narrows them to their own person's records.
var principalColumns = `u.id, u.username, u.role, COALESCE(u.person_id, 0), u.disabled,
	ARRAY(SELECT DISTINCT pc.subdistrict_id FROM post_coverage pc
		WHERE pc.person_id = u.person_id AND pc.community_id IS NULL AND pc.valid @> $2::timestamptz
		  AND ` + holds(access.StreetChief, access.DepartmentLiaison, access.Inspector) + ` ORDER BY 1),
	ARRAY(SELECT DISTINCT pc.community_id FROM post_coverage pc
		WHERE pc.person_id = u.person_id AND pc.community_id IS NOT NULL AND pc.valid @> $2::timestamptz
		  AND ` + holds(access.StreetChief, access.LaneChief, access.Inspector) + ` ORDER BY 1),
	ARRAY(SELECT DISTINCT pc.department_id FROM post_coverage pc
		WHERE pc.person_id = u.person_id AND pc.department_id IS NOT NULL AND pc.valid @> $2::timestamptz
		  AND ` + holds(access.DepartmentLiaison) + ` ORDER BY 1)`

// postOfAccount is the post from which an account of each role takes its territory.
var postOfAccount = map[access.Role]registry.PostRole{
	access.StreetChief:       registry.StreetChief,
	access.LaneChief:         registry.LaneChief,
	access.DepartmentLiaison: registry.DepartmentLiaison,
	access.Inspector:         registry.Inspector,
}

// holds is the SQL condition that the account u is of one of roles and the post pc is the one that
// role takes its territory from. Both lists are the packages' own constants, so quoting is safe.
func holds(roles ...access.Role) string {
	var conds []string
	for _, r := range roles {
		conds = append(conds, fmt.Sprintf("(u.role = '%s' AND pc.role = '%s')", r, postOfAccount[r]))
	}
	return "(" + strings.Join(conds, " OR ") + ")"
}

// userPrincipal is a principal row as read, before the credential's own checks.
type userPrincipal struct {
	access.Principal
	disabled bool
}

func scanPrincipal(row pgx.Row, extra ...any) (userPrincipal, error) {
	var (
		p    userPrincipal
		role string
		sc   access.Scope
	)
	dest := append([]any{&p.UserID, &p.Username, &role, &p.PersonID, &p.disabled,
		&sc.Subdistricts, &sc.Communities, &sc.Departments}, extra...)
	if err := row.Scan(dest...); err != nil {
		return p, err
	}
	r, err := access.ParseRole(role)
	if err != nil {
		return p, fmt.Errorf("user %d: %w", p.UserID, err)
	}
	p.Role = r
	p.Scope = scopeFor(r, sc)
	return p, nil
}

// scopeFor keeps the derived lists only for the roles whose scope they are.
func scopeFor(role access.Role, derived access.Scope) access.Scope {
	switch role {
	case access.Admin, access.DistrictLeader, access.Assessor:
		// Assessors read scores across the district; they cannot change field data anyway.
		return access.Scope{All: true}
	case access.StreetChief, access.Inspector:
		return access.Scope{Subdistricts: derived.Subdistricts, Communities: derived.Communities}
	case access.LaneChief:
		return access.Scope{Communities: derived.Communities}
	case access.DepartmentLiaison:
		return access.Scope{Subdistricts: derived.Subdistricts, Departments: derived.Departments}
	}
	return access.Scope{}
}

var errNotSignedIn = apperr.New(apperr.Unauthorized, "your session has ended or was never valid; sign in again")

// Authenticate turns the request's credentials into a principal: an API token in
// "Authorization: Bearer sc_…", else the session cookie, else the anonymous public. Credentials that
// are present but not good (unknown, expired, revoked, malformed, a disabled user) are Unauthorized
// rather than anonymous, so a client learns that it must sign in again. A cookie-authenticated unsafe
// request must echo the session's CSRF token in X-CSRF-Token.
func (s *Service) Authenticate(r *http.Request) (access.Principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return access.Principal{}, apperr.New(apperr.Unauthorized, "use Authorization: Bearer <token>")
		}
		return s.authenticateToken(r, strings.TrimSpace(token))
	}
	if r.Method == http.MethodPost && r.URL.Path == SignInPath {
		return access.Anonymous(""), nil
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return access.Anonymous(""), nil
	}
	return s.authenticateSession(r, c.Value)
}

func (s *Service) authenticateSession(r *http.Request, token string) (access.Principal, error) {
	hash, ok := hashToken(token)
	if !ok {
		return access.Principal{}, errNotSignedIn
	}
	now := s.now()
	var (
		id               int64
		stored           []byte
		csrf             string
		expires, lastSee time.Time
	)
	p, err := scanPrincipal(s.db.QueryRow(r.Context(), `SELECT `+principalColumns+`, t.id, t.token_hash, t.csrf_token, t.expires_at, t.last_seen
		FROM user_session t JOIN app_user u ON u.id = t.user_id WHERE t.token_hash = $1`, hash, now),
		&id, &stored, &csrf, &expires, &lastSee)
	if errors.Is(err, pgx.ErrNoRows) {
		return access.Principal{}, errNotSignedIn
	}
	if err != nil {
		return access.Principal{}, fmt.Errorf("authenticate session: %w", err)
	}
	if subtle.ConstantTimeCompare(stored, hash) != 1 || !now.Before(expires) || p.disabled {
		return access.Principal{}, errNotSignedIn
	}
	if unsafeMethod(r.Method) && subtle.ConstantTimeCompare([]byte(r.Header.Get(CSRFHeader)), []byte(csrf)) != 1 {
		return access.Principal{}, apperr.New(apperr.Forbidden, "missing or wrong CSRF token (send it in %s)", CSRFHeader)
	}
	if now.Sub(lastSee) > time.Minute {
		if _, err := s.db.Exec(r.Context(), `UPDATE user_session SET last_seen = $2 WHERE id = $1`, id, now); err != nil {
			return access.Principal{}, fmt.Errorf("session last seen: %w", err)
		}
	}
	return p.Principal, nil
}

func (s *Service) authenticateToken(r *http.Request, token string) (access.Principal, error) {
	hash, ok := hashToken(strings.TrimPrefix(token, TokenPrefix))
	if !ok || !strings.HasPrefix(token, TokenPrefix) {
		return access.Principal{}, apperr.New(apperr.Unauthorized, "malformed API token")
	}
	now := s.now()
	var (
		id       int64
		stored   []byte
		expires  time.Time
		revoked  *time.Time
		lastUsed *time.Time
	)
	p, err := scanPrincipal(s.db.QueryRow(r.Context(), `SELECT `+principalColumns+`, t.id, t.token_hash, t.expires_at, t.revoked_at, t.last_used_at
		FROM api_token t JOIN app_user u ON u.id = t.user_id WHERE t.token_hash = $1`, hash, now),
		&id, &stored, &expires, &revoked, &lastUsed)
	bad := apperr.New(apperr.Unauthorized, "API token unknown, expired or revoked")
	if errors.Is(err, pgx.ErrNoRows) {
		return access.Principal{}, bad
	}
	if err != nil {
		return access.Principal{}, fmt.Errorf("authenticate token: %w", err)
	}
	if subtle.ConstantTimeCompare(stored, hash) != 1 || revoked != nil || !now.Before(expires) || p.disabled {
		return access.Principal{}, bad
	}
	if lastUsed == nil || now.Sub(*lastUsed) > time.Minute {
		if _, err := s.db.Exec(r.Context(), `UPDATE api_token SET last_used_at = $2 WHERE id = $1`, id, now); err != nil {
			return access.Principal{}, fmt.Errorf("token last used: %w", err)
		}
	}
	p.TokenID = id
	return p.Principal, nil
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions && m != http.MethodTrace
}

// Secrets are 32 random bytes, base64url without padding (43 characters); the database keeps only
// the SHA-256 of the raw bytes.
const secretLen = 32

var b64url = base64.RawURLEncoding

func newSecret() (plain string, hash []byte, err error) {
	raw := make([]byte, secretLen)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, fmt.Errorf("random token: %w", err)
	}
	sum := sha256.Sum256(raw)
	return b64url.EncodeToString(raw), sum[:], nil
}

// hashToken decodes a secret and returns its SHA-256; ok is false when it is not one of ours.
func hashToken(plain string) (hash []byte, ok bool) {
	if len(plain) != b64url.EncodedLen(secretLen) {
		return nil, false
	}
	raw, err := b64url.DecodeString(plain)
	if err != nil || len(raw) != secretLen {
		return nil, false
	}
	sum := sha256.Sum256(raw)
	return sum[:], true
}
