package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/auth"
	"streetchief/internal/dbtest"
	"streetchief/internal/httpapi"
	"streetchief/internal/registry"
)

const sessionPassword = "correct horse battery"

func newSessionServer(t *testing.T, opt auth.Options) (*httpapi.Server, *auth.Service) {
	t.Helper()
	pool := dbtest.Pool(t)
	svc := auth.NewService(pool, opt)
	return httpapi.New(httpapi.Deps{DB: pool, Registry: registry.NewStore(pool), Auth: svc, Incidents: incidentService(t, pool, nil)}), svc
}

var sessionUserSeq int

func addSessionUser(t *testing.T, svc *auth.Service, role access.Role) auth.User {
	t.Helper()
	sessionUserSeq++
	u, err := svc.AddUser(context.Background(), access.System("test"), auth.UserInput{
		Username: fmt.Sprintf("session-%s-%d", strings.ReplaceAll(string(role), "_", "-"), sessionUserSeq),
		Password: sessionPassword, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// call sends one request to h and decodes a JSON answer.
type call struct {
	method, path, body string
	cookie             *http.Cookie
	csrf, bearer       string
	remoteAddr         string
}

func (c call) do(t *testing.T, h http.Handler) (*http.Response, map[string]any) {
	t.Helper()
	r := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
	if c.body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if c.cookie != nil {
		r.AddCookie(c.cookie)
	}
	if c.csrf != "" {
		r.Header.Set(auth.CSRFHeader, c.csrf)
	}
	if c.bearer != "" {
		r.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	if c.remoteAddr != "" {
		r.RemoteAddr = c.remoteAddr
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	resp := w.Result()
	raw, _ := io.ReadAll(resp.Body)
	var doc map[string]any
	_ = json.Unmarshal(raw, &doc)
	return resp, doc
}

func signInBody(username, password string) string {
	b, _ := json.Marshal(map[string]string{"username": username, "password": password})
	return string(b)
}

func sessionCookie(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == auth.SessionCookie {
			return c
		}
	}
	return nil
}

func TestSignInSetsAHardenedSessionCookie(t *testing.T) {
	tests := []struct {
		name       string
		secureOpt  bool
		tls        bool
		wantSecure bool
	}{
		{name: "plain HTTP", wantSecure: false},
		{name: "behind an HTTPS proxy", secureOpt: true, wantSecure: true},
		{name: "served over TLS", tls: true, wantSecure: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, svc := newSessionServer(t, auth.Options{SecureCookies: tc.secureOpt})
			u := addSessionUser(t, svc, access.Inspector)
			var srv *httptest.Server
			if tc.tls {
				srv = httptest.NewTLSServer(h)
			} else {
				srv = httptest.NewServer(h)
			}
			defer srv.Close()
			resp, err := srv.Client().Post(srv.URL+"/api/v1/session", "application/json", strings.NewReader(signInBody(u.Username, sessionPassword)))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var doc struct {
				User struct {
					ID       int64  `json:"id"`
					Username string `json:"username"`
					Role     string `json:"role"`
				} `json:"user"`
				CSRF string `json:"csrf_token"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK || doc.User.ID != u.ID || doc.User.Role != "inspector" || doc.CSRF == "" {
				t.Fatalf("status %d, answer %+v", resp.StatusCode, doc)
			}
			c := sessionCookie(resp)
			if c == nil {
				t.Fatal("no session cookie")
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure != tc.wantSecure || c.MaxAge <= 0 {
				t.Fatalf("cookie %+v: want HttpOnly, SameSite=Lax, Path=/, Secure=%v, a max age", c, tc.wantSecure)
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("Cache-Control %q, want no-store", resp.Header.Get("Cache-Control"))
			}
		})
	}
}

func TestSessionLifecycleOverHTTP(t *testing.T) {
	h, svc := newSessionServer(t, auth.Options{})
	u := addSessionUser(t, svc, access.DistrictLeader)

	resp, doc := call{method: "GET", path: "/api/v1/session"}.do(t, h)
	if resp.StatusCode != http.StatusOK || doc["signed_in"] != false {
		t.Fatalf("anonymous who-am-i: %d %v", resp.StatusCode, doc)
	}
	resp, doc = call{method: "POST", path: "/api/v1/session", body: signInBody(u.Username, "wrong password")}.do(t, h)
	if resp.StatusCode != http.StatusUnauthorized || doc["detail"] != "wrong username or password" {
		t.Fatalf("wrong password: %d %v", resp.StatusCode, doc)
	}
	resp, doc = call{method: "POST", path: "/api/v1/session", body: signInBody(u.Username, sessionPassword)}.do(t, h)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sign in: %d %v", resp.StatusCode, doc)
	}
	cookie, csrf := sessionCookie(resp), doc["csrf_token"].(string)

	steps := []struct {
		name   string
		call   call
		status int
	}{
		{"who am I", call{method: "GET", path: "/api/v1/session", cookie: cookie}, http.StatusOK},
		{"signed-in route", call{method: "GET", path: "/api/v1/tokens", cookie: cookie}, http.StatusOK},
		{"leader may read the audit trail", call{method: "GET", path: fmt.Sprintf("/api/v1/audit?target=user:%d", u.ID), cookie: cookie}, http.StatusOK},
		{"leader may not list users", call{method: "GET", path: "/api/v1/users", cookie: cookie}, http.StatusForbidden},
		{"mutation without CSRF", call{method: "POST", path: "/api/v1/tokens", body: `{"name":"x"}`, cookie: cookie}, http.StatusForbidden},
		{"mutation with CSRF", call{method: "POST", path: "/api/v1/tokens", body: `{"name":"x","ttl":"1h"}`, cookie: cookie, csrf: csrf}, http.StatusCreated},
		{"sign-in again with the cookie still set", call{method: "POST", path: "/api/v1/session", body: signInBody(u.Username, sessionPassword), cookie: cookie}, http.StatusOK},
		{"sign out without CSRF", call{method: "DELETE", path: "/api/v1/session", cookie: cookie}, http.StatusForbidden},
		{"sign out", call{method: "DELETE", path: "/api/v1/session", cookie: cookie, csrf: csrf}, http.StatusNoContent},
		{"old cookie after sign-out", call{method: "GET", path: "/api/v1/session", cookie: cookie}, http.StatusUnauthorized},
		{"sign in after the session ended", call{method: "POST", path: "/api/v1/session", body: signInBody(u.Username, sessionPassword), cookie: cookie}, http.StatusOK},
	}
	for _, st := range steps {
		resp, doc := st.call.do(t, h)
		if resp.StatusCode != st.status {
			t.Fatalf("%s: status %d, want %d: %v", st.name, resp.StatusCode, st.status, doc)
		}
		if st.name == "who am I" && (doc["signed_in"] != true || doc["csrf_token"] != csrf) {
			t.Fatalf("who am I: %v", doc)
		}
		if st.name == "sign out" {
			if c := sessionCookie(resp); c == nil || c.MaxAge >= 0 {
				t.Fatalf("sign-out did not clear the cookie: %+v", c)
			}
		}
	}
}

func TestSignInIsRateLimited(t *testing.T) {
	tests := []struct {
		name    string
		attempt func(i int) call
	}{
		{"one address, one username", func(i int) call {
			return call{method: "POST", path: "/api/v1/session", body: signInBody("guess-one", "password1"), remoteAddr: "192.0.2.6:4000"}
		}},
		{"one address, many usernames", func(i int) call {
			return call{method: "POST", path: "/api/v1/session", body: signInBody(fmt.Sprintf("guess-%d", i), "password1"), remoteAddr: "192.0.2.7:4000"}
		}},
		{"one username, many addresses", func(i int) call {
			return call{method: "POST", path: "/api/v1/session", body: signInBody("admin", "password1"), remoteAddr: fmt.Sprintf("198.51.100.%d:4000", i+1)}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := newSessionServer(t, auth.Options{})
			for i := range 50 {
				resp, doc := tc.attempt(i).do(t, h)
				if resp.StatusCode == http.StatusUnauthorized {
					continue
				}
				if resp.StatusCode != http.StatusTooManyRequests || doc["code"] != "rate_limited" || resp.Header.Get("Retry-After") == "" {
					t.Fatalf("attempt %d: %d %v (Retry-After %q), want 401 or a 429 problem", i+1, resp.StatusCode, doc, resp.Header.Get("Retry-After"))
				}
				return
			}
			t.Fatal("50 wrong guesses in a row were never held back")
		})
	}
}

// An attacker guessing from elsewhere must not be able to keep the owner out: the owner's address,
// where they signed in before, is spared what the attacker's failures cost.
func TestGuessesFromElsewhereDoNotLockTheOwnerOut(t *testing.T) {
	h, svc := newSessionServer(t, auth.Options{})
	u := addSessionUser(t, svc, access.Inspector)
	const home = "198.51.100.77:5000"
	owner := call{method: "POST", path: "/api/v1/session", body: signInBody(u.Username, sessionPassword), remoteAddr: home}
	if resp, doc := owner.do(t, h); resp.StatusCode != http.StatusOK {
		t.Fatalf("first sign-in: %d %v", resp.StatusCode, doc)
	}
	held := 0
	for i := range 100 {
		resp, _ := call{method: "POST", path: "/api/v1/session", body: signInBody(u.Username, fmt.Sprintf("guess %d", i)),
			remoteAddr: fmt.Sprintf("203.0.113.%d:4000", 1+i%3)}.do(t, h)
		if resp.StatusCode == http.StatusTooManyRequests {
			held++
		}
	}
	if held == 0 {
		t.Fatal("100 guesses were never held back")
	}
	if resp, doc := owner.do(t, h); resp.StatusCode != http.StatusOK {
		t.Fatalf("owner at their usual address after 100 guesses elsewhere: %d %v", resp.StatusCode, doc)
	}
}

func TestAPITokenWorksOnSignedInRoutesUntilRevoked(t *testing.T) {
	h, svc := newSessionServer(t, auth.Options{})
	u := addSessionUser(t, svc, access.Inspector)
	resp, doc := call{method: "POST", path: "/api/v1/session", body: signInBody(u.Username, sessionPassword)}.do(t, h)
	if resp.StatusCode != http.StatusOK {
		t.Fatal(resp.StatusCode, doc)
	}
	cookie, csrf := sessionCookie(resp), doc["csrf_token"].(string)
	resp, doc = call{method: "POST", path: "/api/v1/tokens", body: `{"name":"nightly report","ttl":"720h"}`, cookie: cookie, csrf: csrf}.do(t, h)
	if resp.StatusCode != http.StatusCreated {
		t.Fatal(resp.StatusCode, doc)
	}
	token := doc["token"].(string)
	id := int64(doc["info"].(map[string]any)["id"].(float64))

	steps := []struct {
		name   string
		call   call
		status int
	}{
		{"anonymous on a signed-in route", call{method: "GET", path: "/api/v1/tokens"}, http.StatusUnauthorized},
		{"token on a signed-in route", call{method: "GET", path: "/api/v1/tokens", bearer: token}, http.StatusOK},
		{"token mutation needs no CSRF", call{method: "DELETE", path: fmt.Sprintf("/api/v1/tokens/%d", id+1000), bearer: token}, http.StatusNotFound},
		{"token cannot mint tokens", call{method: "POST", path: "/api/v1/tokens", body: `{"name":"more"}`, bearer: token}, http.StatusForbidden},
		{"inspector may not read the audit trail", call{method: "GET", path: "/api/v1/audit", bearer: token}, http.StatusForbidden},
		{"revoke with the token itself", call{method: "DELETE", path: fmt.Sprintf("/api/v1/tokens/%d", id), bearer: token}, http.StatusNoContent},
		{"revoked token", call{method: "GET", path: "/api/v1/tokens", bearer: token}, http.StatusUnauthorized},
		{"garbage token", call{method: "GET", path: "/api/v1/tokens", bearer: "sc_nope"}, http.StatusUnauthorized},
	}
	for _, st := range steps {
		if resp, doc := st.call.do(t, h); resp.StatusCode != st.status {
			t.Fatalf("%s: status %d, want %d: %v", st.name, resp.StatusCode, st.status, doc)
		}
	}
}

func TestAdministratorsManageUsersAndReadTheAuditTrail(t *testing.T) {
	h, svc := newSessionServer(t, auth.Options{})
	admin := addSessionUser(t, svc, access.Admin)
	bearer, _, err := svc.IssueToken(context.Background(), access.System("test"), admin.ID, "admin script", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	resp, doc := call{method: "POST", path: "/api/v1/users", bearer: bearer,
		body: `{"username":"new-assessor","password":"long enough","role":"assessor"}`}.do(t, h)
	if resp.StatusCode != http.StatusCreated {
		t.Fatal(resp.StatusCode, doc)
	}
	newID := int64(doc["id"].(float64))
	steps := []struct {
		name   string
		call   call
		status int
	}{
		{"list users", call{method: "GET", path: "/api/v1/users", bearer: bearer}, http.StatusOK},
		{"duplicate user", call{method: "POST", path: "/api/v1/users", bearer: bearer, body: `{"username":"new-assessor","password":"long enough","role":"assessor"}`}, http.StatusConflict},
		{"short password", call{method: "POST", path: "/api/v1/users", bearer: bearer, body: `{"username":"x-short","password":"short","role":"assessor"}`}, http.StatusUnprocessableEntity},
		{"unknown role", call{method: "PATCH", path: fmt.Sprintf("/api/v1/users/%d", newID), bearer: bearer, body: `{"role":"mayor"}`}, http.StatusUnprocessableEntity},
		{"disable", call{method: "PATCH", path: fmt.Sprintf("/api/v1/users/%d", newID), bearer: bearer, body: `{"disabled":true}`}, http.StatusOK},
		{"empty patch", call{method: "PATCH", path: fmt.Sprintf("/api/v1/users/%d", newID), bearer: bearer, body: `{}`}, http.StatusUnprocessableEntity},
		{"no such user", call{method: "PATCH", path: "/api/v1/users/999999", bearer: bearer, body: `{"disabled":true}`}, http.StatusNotFound},
		{"audit of the new user", call{method: "GET", path: fmt.Sprintf("/api/v1/audit?target=user:%d", newID), bearer: bearer}, http.StatusOK},
		{"audit target without id", call{method: "GET", path: "/api/v1/audit?target=area", bearer: bearer}, http.StatusBadRequest},
		{"audit target with bad id", call{method: "GET", path: "/api/v1/audit?target=area:abc", bearer: bearer}, http.StatusBadRequest},
		{"audit target with bad type", call{method: "GET", path: "/api/v1/audit?target=Area%3B--:1", bearer: bearer}, http.StatusBadRequest},
	}
	for _, st := range steps {
		resp, doc := st.call.do(t, h)
		if resp.StatusCode != st.status {
			t.Fatalf("%s: status %d, want %d: %v", st.name, resp.StatusCode, st.status, doc)
		}
		if st.name == "audit of the new user" {
			entries, _ := doc["entries"].([]any)
			if len(entries) != 2 { // created, then disabled
				t.Fatalf("audit entries for user %d: %v", newID, doc)
			}
		}
		if st.name == "list users" && strings.Contains(fmt.Sprint(doc), "argon2") {
			t.Fatal("user list leaks password hashes")
		}
	}
	// The disabled user cannot sign in.
	resp, doc = call{method: "POST", path: "/api/v1/session", body: signInBody("new-assessor", "long enough")}.do(t, h)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("disabled user signing in: %d %v", resp.StatusCode, doc)
	}
}
