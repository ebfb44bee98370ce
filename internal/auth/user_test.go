package auth

import (
	"context"
	"strings"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

func auditCount(t *testing.T, s *Service, targetType string, targetID int64) int {
	t.Helper()
	var n int
	err := s.db.QueryRow(context.Background(), `SELECT count(*) FROM audit_log
		WHERE target_type = $1 AND ($2 = 0 OR target_id = $2)`, targetType, targetID).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAddUserIsAuditedInItsTransaction(t *testing.T) {
	s, _, _ := newTestService(t)
	ctx := context.Background()
	sys := access.System("test-admin")
	u, err := s.AddUser(ctx, sys, UserInput{Username: unique("audited-"), Password: "long enough", Role: access.Inspector})
	if err != nil {
		t.Fatal(err)
	}
	var actor, after string
	err = s.db.QueryRow(ctx, `SELECT actor, after::text FROM audit_log WHERE target_type = 'user' AND target_id = $1 AND action = 'create'`, u.ID).
		Scan(&actor, &after)
	if err != nil {
		t.Fatalf("audit row of the new user: %v", err)
	}
	if actor != "test-admin" || !strings.Contains(after, u.Username) || strings.Contains(after, "argon2") {
		t.Fatalf("audit row actor %q after %s", actor, after)
	}

	before := auditCount(t, s, "user", 0)
	failing := []struct {
		name string
		in   UserInput
		code apperr.Code
	}{
		{"duplicate username", UserInput{Username: strings.ToUpper(u.Username), Password: "long enough", Role: access.Inspector}, apperr.Conflict},
		{"unknown person", UserInput{Username: unique("ghost-"), Password: "long enough", Role: access.StreetChief, PersonID: 1 << 40}, apperr.Invalid},
		{"street chief without person", UserInput{Username: unique("chief-"), Password: "long enough", Role: access.StreetChief}, apperr.Invalid},
		{"short password", UserInput{Username: unique("short-"), Password: "short", Role: access.Inspector}, apperr.Invalid},
		{"nine-character password", UserInput{Username: unique("short-"), Password: "街长巷长街长巷长街", Role: access.Inspector}, apperr.Invalid},
		{"common password", UserInput{Username: unique("common-"), Password: "password123", Role: access.Inspector}, apperr.Invalid},
		{"bad username", UserInput{Username: "no spaces please", Password: "long enough", Role: access.Inspector}, apperr.Invalid},
		{"public role", UserInput{Username: unique("pub-"), Password: "long enough", Role: access.Public}, apperr.Invalid},
	}
	for _, tc := range failing {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.AddUser(ctx, sys, tc.in); !apperr.Is(err, tc.code) {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
		})
	}
	if after := auditCount(t, s, "user", 0); after != before {
		t.Fatalf("failed AddUser calls left %d audit rows", after-before)
	}
}

func TestOnlyAdministratorsManageAccounts(t *testing.T) {
	s, _, _ := newTestService(t)
	ctx := context.Background()
	leader := mustSignIn(t, s, access.DistrictLeader, 0).Principal
	target, _ := mustUser(t, s, access.Inspector, 0)
	role := access.Admin
	calls := []struct {
		name string
		call func() error
	}{
		{"add", func() error {
			_, err := s.AddUser(ctx, leader, UserInput{Username: unique("x-"), Password: "long enough", Role: access.Admin})
			return err
		}},
		{"list", func() error { _, err := s.Users(ctx, leader); return err }},
		{"promote", func() error { _, err := s.UpdateUser(ctx, leader, target.ID, UserPatch{Role: &role}); return err }},
		{"disable", func() error { _, err := s.Disable(ctx, leader, target.ID); return err }},
		{"set password", func() error { _, err := s.SetPassword(ctx, leader, target.ID, "new password"); return err }},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			if err := c.call(); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("err = %v, want forbidden", err)
			}
		})
	}
}

func TestDisablingAndNewPasswordsEndSessions(t *testing.T) {
	s, _, _ := newTestService(t)
	ctx := context.Background()
	sys := access.System("test")
	for _, change := range []string{"disable", "password"} {
		t.Run(change, func(t *testing.T) {
			u, password := mustUser(t, s, access.Inspector, 0)
			sess, err := s.SignIn(ctx, attempt(u.Username, password))
			if err != nil {
				t.Fatal(err)
			}
			if change == "disable" {
				_, err = s.Disable(ctx, sys, u.ID)
			} else {
				_, err = s.SetPassword(ctx, sys, u.ID, "brand new password")
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Authenticate(cookieRequest("GET", sess.Token, "")); !apperr.Is(err, apperr.Unauthorized) {
				t.Fatalf("old session: err = %v, want unauthorized", err)
			}
		})
	}
}

func TestTheLastAdministratorCannotBeDisabledOrDemoted(t *testing.T) {
	s, _, pool := newTestService(t)
	ctx := context.Background()
	sys := access.System("test")
	// Start from no enabled administrator, then make exactly one.
	mustExec(t, pool, `UPDATE app_user SET disabled = true WHERE role = 'admin'`)
	admin, _ := mustUser(t, s, access.Admin, 0)
	before := auditCount(t, s, "user", admin.ID)
	inspector := access.Inspector
	if _, err := s.Disable(ctx, sys, admin.ID); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("disable last admin: err = %v, want conflict", err)
	}
	if _, err := s.SetRole(ctx, sys, admin.ID, inspector); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("demote last admin: err = %v, want conflict", err)
	}
	if n := auditCount(t, s, "user", admin.ID); n != before {
		t.Fatalf("refused changes left %d audit rows", n-before)
	}
	second, _ := mustUser(t, s, access.Admin, 0)
	if _, err := s.SetRole(ctx, sys, admin.ID, inspector); err != nil {
		t.Fatalf("demote with a second admin present: %v", err)
	}
	if _, err := s.Disable(ctx, sys, second.ID); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("disable the new last admin: err = %v, want conflict", err)
	}
}

func TestNonAdministratorsManageOnlyTheirOwnTokens(t *testing.T) {
	s, _, pool := newTestService(t)
	ctx := context.Background()
	tr := newTerritory(t, pool)
	me := mustSignIn(t, s, access.StreetChief, tr.Chief).Principal
	other := mustSignIn(t, s, access.LaneChief, tr.Lane).Principal

	secret, mine, err := s.IssueToken(ctx, me, me.UserID, "my script", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	_, theirs, err := s.IssueToken(ctx, other, other.UserID, "their script", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	viaToken, err := s.Authenticate(bearerRequest("GET", secret))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
		code apperr.Code
	}{
		{"list own", func() error { _, err := s.Tokens(ctx, me, 0); return err }, ""},
		{"list another's", func() error { _, err := s.Tokens(ctx, me, other.UserID); return err }, apperr.Forbidden},
		{"issue for another", func() error { _, _, err := s.IssueToken(ctx, me, other.UserID, "x", time.Hour); return err }, apperr.Forbidden},
		{"revoke another's", func() error { _, err := s.RevokeToken(ctx, me, theirs.ID); return err }, apperr.NotFound},
		{"a token mints no tokens", func() error { _, _, err := s.IssueToken(ctx, viaToken, me.UserID, "x", time.Hour); return err }, apperr.Forbidden},
		{"ttl over a year", func() error { _, _, err := s.IssueToken(ctx, me, me.UserID, "x", 400*24*time.Hour); return err }, apperr.Invalid},
		{"no name", func() error { _, _, err := s.IssueToken(ctx, me, me.UserID, " ", time.Hour); return err }, apperr.Invalid},
		{"revoke own", func() error { _, err := s.RevokeToken(ctx, me, mine.ID); return err }, ""},
		{"revoke own again", func() error { _, err := s.RevokeToken(ctx, me, mine.ID); return err }, ""},
		{"admin revokes another's", func() error { _, err := s.RevokeToken(ctx, access.System("test"), theirs.ID); return err }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if tc.code == "" && err != nil || tc.code != "" && !apperr.Is(err, tc.code) {
				t.Fatalf("err = %v, want %q", err, tc.code)
			}
		})
	}
	if n := auditCount(t, s, "api_token", mine.ID); n != 2 {
		t.Fatalf("token %d has %d audit rows, want 2 (issued, revoked once)", mine.ID, n)
	}
}

func TestSeedDemoUsersLinksPeopleHoldingThePostsAndRunsTwice(t *testing.T) {
	s, _, pool := newTestService(t)
	ctx := context.Background()
	newTerritory(t, pool)
	for run := 1; run <= 2; run++ {
		users, err := SeedDemoUsers(ctx, pool)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if len(users) != len(access.Roles) {
			t.Fatalf("run %d: %d demo users, want one per role (%d)", run, len(users), len(access.Roles))
		}
		for _, d := range users {
			sess, err := s.SignIn(ctx, attempt(d.Username, d.Password))
			if err != nil {
				t.Fatalf("run %d: sign in %s: %v", run, d.Username, err)
			}
			p := sess.Principal
			if p.Role != d.Role {
				t.Fatalf("%s has role %s, want %s", d.Username, p.Role, d.Role)
			}
			switch d.Role {
			case access.StreetChief, access.DepartmentLiaison, access.Inspector:
				if len(p.Scope.Subdistricts) == 0 || d.PersonName == "" {
					t.Fatalf("%s (%s) has no subdistrict: %+v", d.Username, d.PersonName, p.Scope)
				}
			case access.LaneChief:
				if len(p.Scope.Communities) == 0 || d.PersonName == "" {
					t.Fatalf("%s (%s) has no community: %+v", d.Username, d.PersonName, p.Scope)
				}
			}
		}
	}
}

func TestChangingToACommonPasswordIsRefused(t *testing.T) {
	s, _, _ := newTestService(t)
	ctx := context.Background()
	u, password := mustUser(t, s, access.Inspector, 0)
	_, err := s.SetPassword(ctx, access.System("test"), u.ID, "Password123")
	if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "common") {
		t.Fatalf("err = %v, want invalid naming common passwords", err)
	}
	if _, err := s.SignIn(ctx, attempt(u.Username, password)); err != nil {
		t.Fatalf("the old password stopped working after a refused change: %v", err)
	}
}
