package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

func TestSignInGivesTheSameErrorForUnknownUserAndWrongPassword(t *testing.T) {
	s, _, _ := newTestService(t)
	ctx := context.Background()
	u, password := mustUser(t, s, access.Inspector, 0)
	off, offPassword := mustUser(t, s, access.Assessor, 0)
	if _, err := s.Disable(ctx, access.System("test"), off.ID); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		username string
		password string
		wantCode apperr.Code
		wantMsg  string
	}{
		{name: "good", username: u.Username, password: password},
		{name: "good, username in capitals and spaces", username: "  " + strings.ToUpper(u.Username), password: password},
		{name: "wrong password", username: u.Username, password: password + "x", wantCode: apperr.Unauthorized, wantMsg: "wrong username or password"},
		{name: "unknown user", username: "nobody-" + u.Username, password: password, wantCode: apperr.Unauthorized, wantMsg: "wrong username or password"},
		{name: "empty password", username: u.Username, password: "", wantCode: apperr.Unauthorized, wantMsg: "wrong username or password"},
		{name: "disabled user", username: off.Username, password: offPassword, wantCode: apperr.Unauthorized, wantMsg: "disabled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sess, err := s.SignIn(ctx, attempt(tc.username, tc.password))
			if tc.wantCode == "" {
				if err != nil {
					t.Fatal(err)
				}
				if sess.Token == "" || sess.CSRF == "" || sess.Principal.UserID != u.ID || sess.Principal.Role != access.Inspector {
					t.Fatalf("session %+v", sess)
				}
				return
			}
			if !apperr.Is(err, tc.wantCode) || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("err = %v, want %s containing %q", err, tc.wantCode, tc.wantMsg)
			}
		})
	}
}

func TestSignInTakesAsLongForUnknownUsersAsForWrongPasswords(t *testing.T) {
	s, _, _ := newTestService(t)
	ctx := context.Background()
	u, _ := mustUser(t, s, access.Inspector, 0)
	timeIt := func(username string) time.Duration {
		var best time.Duration
		for i := 0; i < 3; i++ {
			start := time.Now()
			_, _ = s.SignIn(ctx, attempt(username, "wrong password"))
			if d := time.Since(start); best == 0 || d < best {
				best = d
			}
		}
		return best
	}
	known, unknown := timeIt(u.Username), timeIt("nobody-at-all")
	// Both run one argon2id of the same cost; only the database lookup differs.
	if unknown < known/3 {
		t.Fatalf("unknown user answered in %s, wrong password in %s: usernames can be probed by timing", unknown, known)
	}
}

func TestSessionExpiresAfterItsTTL(t *testing.T) {
	s, clk, _ := newTestService(t)
	sess := mustSignIn(t, s, access.Inspector, 0)
	if !sess.ExpiresAt.Equal(clk.Now().Add(12 * time.Hour)) {
		t.Fatalf("expires at %s, want 12 hours from now", sess.ExpiresAt)
	}
	steps := []struct {
		name    string
		advance time.Duration
		ok      bool
	}{
		{"fresh", 0, true},
		{"eleven hours later", 11 * time.Hour, true},
		{"just before expiry", time.Hour - time.Second, true},
		{"at expiry", time.Second, false},
		{"long after", 48 * time.Hour, false},
	}
	for _, st := range steps {
		clk.Advance(st.advance)
		p, err := s.Authenticate(cookieRequest("GET", sess.Token, ""))
		if st.ok && (err != nil || p.UserID != sess.Principal.UserID) {
			t.Fatalf("%s: principal %+v, err %v", st.name, p, err)
		}
		if !st.ok && !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("%s: err = %v, want unauthorized", st.name, err)
		}
	}
}

func TestSignOutEndsTheSession(t *testing.T) {
	s, _, _ := newTestService(t)
	sess := mustSignIn(t, s, access.Inspector, 0)
	if err := s.SignOut(context.Background(), sess.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(cookieRequest("GET", sess.Token, "")); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("after sign-out: err = %v, want unauthorized", err)
	}
}

func TestAuthenticateWithoutCredentialsIsAnonymous(t *testing.T) {
	s, _, _ := newTestService(t)
	p, err := s.Authenticate(httptest.NewRequest("GET", "/api/v1/areas", nil))
	if err != nil || p.SignedIn() || p.Role != access.Public {
		t.Fatalf("principal %+v, err %v; want anonymous", p, err)
	}
}

func TestStaleCookieDoesNotBlockSigningIn(t *testing.T) {
	s, _, _ := newTestService(t)
	r := cookieRequest("POST", "bm90IGEgc2Vzc2lvbiB0b2tlbiBhdCBhbGwgcmVhbGx5IQ", "")
	r.URL.Path = SignInPath
	if p, err := s.Authenticate(r); err != nil || p.SignedIn() {
		t.Fatalf("sign-in request with a stale cookie: %+v, %v", p, err)
	}
	r.URL.Path = "/api/v1/areas"
	if _, err := s.Authenticate(r); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("other request with a stale cookie: err = %v, want unauthorized", err)
	}
}

func TestBearerTokenMustBeKnownLiveAndWellFormed(t *testing.T) {
	s, clk, _ := newTestService(t)
	ctx := context.Background()
	sys := access.System("test")
	u, _ := mustUser(t, s, access.Inspector, 0)
	issue := func(ttl time.Duration) (string, Token) {
		t.Helper()
		secret, tok, err := s.IssueToken(ctx, sys, u.ID, "test", ttl)
		if err != nil {
			t.Fatal(err)
		}
		return secret, tok
	}
	good, goodTok := issue(time.Hour)
	expiring, _ := issue(time.Minute)
	revoked, revokedTok := issue(time.Hour)
	if _, err := s.RevokeToken(ctx, sys, revokedTok.ID); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(good, "sc_") || len(good) != 3+43 {
		t.Fatalf("token %q: want sc_ and 43 base64url characters", good)
	}
	clk.Advance(2 * time.Minute)
	unknown, _, _ := newSecret()

	tests := []struct {
		name  string
		token string
		ok    bool
	}{
		{name: "good", token: good, ok: true},
		{name: "expired", token: expiring},
		{name: "revoked", token: revoked},
		{name: "unknown", token: TokenPrefix + unknown},
		{name: "malformed: no prefix", token: strings.TrimPrefix(good, TokenPrefix)},
		{name: "malformed: short", token: "sc_abc"},
		{name: "malformed: not base64", token: "sc_" + strings.Repeat("!", 43)},
		{name: "malformed: empty", token: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.Authenticate(bearerRequest("GET", tc.token))
			if tc.ok {
				if err != nil || p.UserID != u.ID || p.TokenID != goodTok.ID || p.Username != u.Username {
					t.Fatalf("principal %+v, err %v", p, err)
				}
				return
			}
			if !apperr.Is(err, apperr.Unauthorized) {
				t.Fatalf("err = %v, want unauthorized", err)
			}
		})
	}
	t.Run("other scheme", func(t *testing.T) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", "Basic YWRtaW46YWRtaW4=")
		if _, err := s.Authenticate(r); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("err = %v, want unauthorized", err)
		}
	})
	t.Run("disabled user", func(t *testing.T) {
		if _, err := s.Disable(ctx, sys, u.ID); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if _, err := s.Enable(ctx, sys, u.ID); err != nil {
				t.Fatal(err)
			}
		}()
		if _, err := s.Authenticate(bearerRequest("GET", good)); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("err = %v, want unauthorized", err)
		}
	})
}

func TestCSRFTokenIsRequiredForCookieMutationsOnly(t *testing.T) {
	s, _, _ := newTestService(t)
	sys := access.System("test")
	sess := mustSignIn(t, s, access.Inspector, 0)
	bearer, _, err := s.IssueToken(context.Background(), sys, sess.Principal.UserID, "script", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		req  *http.Request
		want apperr.Code // "" for success
	}{
		{"cookie GET without CSRF", cookieRequest("GET", sess.Token, ""), ""},
		{"cookie HEAD without CSRF", cookieRequest("HEAD", sess.Token, ""), ""},
		{"cookie POST without CSRF", cookieRequest("POST", sess.Token, ""), apperr.Forbidden},
		{"cookie PUT with wrong CSRF", cookieRequest("PUT", sess.Token, sess.CSRF+"x"), apperr.Forbidden},
		{"cookie PATCH with another session's token as CSRF", cookieRequest("PATCH", sess.Token, sess.Token), apperr.Forbidden},
		{"cookie DELETE without CSRF", cookieRequest("DELETE", sess.Token, ""), apperr.Forbidden},
		{"cookie POST with CSRF", cookieRequest("POST", sess.Token, sess.CSRF), ""},
		{"cookie DELETE with CSRF", cookieRequest("DELETE", sess.Token, sess.CSRF), ""},
		{"bearer POST without CSRF", bearerRequest("POST", bearer), ""},
		{"bearer DELETE without CSRF", bearerRequest("DELETE", bearer), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.Authenticate(tc.req)
			if tc.want == "" {
				if err != nil || p.UserID != sess.Principal.UserID {
					t.Fatalf("principal %+v, err %v", p, err)
				}
				return
			}
			if !apperr.Is(err, tc.want) {
				t.Fatalf("err = %v, want %s", err, tc.want)
			}
		})
	}
}

func TestScopeComesFromCurrentAssignments(t *testing.T) {
	s, _, pool := newTestService(t)
	tr := newTerritory(t, pool)
	tests := []struct {
		name   string
		role   access.Role
		person int64
		want   access.Scope
	}{
		{name: "admin sees everything", role: access.Admin, want: access.Scope{All: true}},
		{name: "district leader sees everything", role: access.DistrictLeader, want: access.Scope{All: true}},
		{name: "assessor sees everything", role: access.Assessor, want: access.Scope{All: true}},
		{name: "street chief: subdistrict and its communities, not the ended post", role: access.StreetChief, person: tr.Chief,
			want: access.Scope{Subdistricts: []int64{tr.Sub1}, Communities: []int64{tr.Com1a, tr.Com1b}}},
		{name: "lane chief: the community only", role: access.LaneChief, person: tr.Lane,
			want: access.Scope{Communities: []int64{tr.Com2a}}},
		{name: "department liaison: subdistrict and department", role: access.DepartmentLiaison, person: tr.Liaison,
			want: access.Scope{Subdistricts: []int64{tr.Sub2}, Departments: []int64{tr.Dept}}},
		{name: "street chief account of a lane chief gets nothing", role: access.StreetChief, person: tr.Lane},
		{name: "street chief without posts gets nothing", role: access.StreetChief, person: tr.Nobody},
		{name: "inspector: the subdistrict with its communities, and the community", role: access.Inspector, person: tr.Inspector,
			want: access.Scope{Subdistricts: []int64{tr.Sub2}, Communities: []int64{tr.Com1a, tr.Com2a}}},
		{name: "inspector account of a street chief gets nothing", role: access.Inspector, person: tr.Chief},
		{name: "street chief account of an inspector gets nothing", role: access.StreetChief, person: tr.Inspector},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sess := mustSignIn(t, s, tc.role, tc.person)
			p, err := s.Authenticate(cookieRequest("GET", sess.Token, ""))
			if err != nil {
				t.Fatal(err)
			}
			if !sameScope(p.Scope, tc.want) || !sameScope(sess.Principal.Scope, tc.want) {
				t.Fatalf("scope %+v (at sign-in %+v), want %+v", p.Scope, sess.Principal.Scope, tc.want)
			}
			if p.Role != tc.role || p.PersonID != tc.person {
				t.Fatalf("role %s person %d, want %s %d", p.Role, p.PersonID, tc.role, tc.person)
			}
		})
	}
}

func TestEndingAnAssignmentRemovesItsScope(t *testing.T) {
	s, clk, pool := newTestService(t)
	tr := newTerritory(t, pool)
	chief := mustSignIn(t, s, access.StreetChief, tr.Chief)
	lane := mustSignIn(t, s, access.LaneChief, tr.Lane)
	for _, id := range []int64{tr.ChiefPost, tr.LanePost} {
		mustExec(t, pool, `UPDATE assignment SET valid = tstzrange(lower(valid), $2) WHERE id = $1`, id, clk.Now().Add(-time.Minute))
	}
	for _, sess := range []Session{chief, lane} {
		p, err := s.Authenticate(cookieRequest("GET", sess.Token, ""))
		if err != nil {
			t.Fatal(err)
		}
		if !sameScope(p.Scope, access.Scope{}) {
			t.Fatalf("%s still has scope %+v after their post ended", p.Role, p.Scope)
		}
	}
}

func sameScope(a, b access.Scope) bool {
	return a.All == b.All && slices.Equal(sorted(a.Subdistricts), sorted(b.Subdistricts)) &&
		slices.Equal(sorted(a.Communities), sorted(b.Communities)) && slices.Equal(sorted(a.Departments), sorted(b.Departments))
}

func sorted(v []int64) []int64 {
	if len(v) == 0 {
		return nil
	}
	return slices.Sorted(slices.Values(v))
}
