package auth

import (
	"context"
	"errors"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// retryAfter is the wait a throttled attempt answers, 0 when err is not a throttle.
func retryAfter(t *testing.T, err error) time.Duration {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != apperr.RateLimited {
		return 0
	}
	secs, ok := e.Fields["retry_after_seconds"].(int)
	if !ok || secs <= 0 {
		t.Fatalf("throttled without a positive retry_after_seconds: %v", e.Fields)
	}
	return time.Duration(secs) * time.Second
}

// guess makes one wrong guess from address, waiting (on the test clock) as long as it is told to;
// it returns the waits it was told.
func guess(t *testing.T, s *Service, c *clock, username, address string) []time.Duration {
	t.Helper()
	var waits []time.Duration
	for {
		_, err := s.SignIn(context.Background(), SignInRequest{Username: username, Password: "not the password", Address: address})
		if w := retryAfter(t, err); w > 0 {
			waits = append(waits, w)
			c.Advance(w)
			continue
		}
		if !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("wrong guess: %v, want unauthorized", err)
		}
		return waits
	}
}

func TestAttackerElsewhereCannotLockTheOwnerOut(t *testing.T) {
	s, c, _ := newTestService(t)
	ctx := context.Background()
	u, password := mustUser(t, s, access.Inspector, 0)
	const home, attacker = "198.51.100.20", "203.0.113.66"
	first, err := s.SignIn(ctx, SignInRequest{Username: u.Username, Password: password, Address: home})
	if err != nil {
		t.Fatal(err)
	}

	var waits []time.Duration
	for range 100 {
		waits = append(waits, guess(t, s, c, u.Username, attacker)...)
	}
	// The attacker was slowed, more and more: after a few free guesses every one waits, the waits
	// grow and reach minutes.
	if len(waits) < 90 {
		t.Fatalf("100 guesses were held back only %d times", len(waits))
	}
	for i := 1; i < len(waits) && waits[i] < 10*time.Minute; i++ {
		if waits[i] < waits[i-1] {
			t.Fatalf("waits shrank: %v", waits[:i+1])
		}
	}
	if waits[len(waits)-1] < 10*time.Minute {
		t.Fatalf("the last wait is %s: the delay does not grow", waits[len(waits)-1])
	}

	// The owner, at the address they signed in from before, is not held back at all: no clock advance.
	if _, err := s.SignIn(ctx, SignInRequest{Username: u.Username, Password: password, Address: home}); err != nil {
		t.Fatalf("owner at their known address after the attack: %v", err)
	}
	// Nor is their browser, by its device cookie, from an address never seen before.
	if _, err := s.SignIn(ctx, SignInRequest{Username: u.Username, Password: password, Address: "192.0.2.99", Device: first.Device}); err != nil {
		t.Fatalf("owner's device at a new address after the attack: %v", err)
	}
}

func TestGuessersBehindTheOwnersAddressDoNotSlowTheOwnersBrowser(t *testing.T) {
	s, c, _ := newTestService(t)
	ctx := context.Background()
	u, password := mustUser(t, s, access.Inspector, 0)
	const office = "198.51.100.30" // one address for a whole office behind NAT
	first, err := s.SignIn(ctx, SignInRequest{Username: u.Username, Password: password, Address: office})
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		guess(t, s, c, u.Username, office)
	}
	_, err = s.SignIn(ctx, SignInRequest{Username: u.Username, Password: password, Address: office})
	if retryAfter(t, err) == 0 {
		t.Fatalf("a browser without the device cookie, right after 20 failures from its address: %v, want a wait", err)
	}
	if _, err := s.SignIn(ctx, SignInRequest{Username: u.Username, Password: password, Address: office, Device: first.Device}); err != nil {
		t.Fatalf("the owner's browser, by its device cookie: %v", err)
	}
}

func TestAccountCeilingSlowsButDoesNotRefuseUnknownAddresses(t *testing.T) {
	s, c, _ := newTestService(t)
	ctx := context.Background()
	u, password := mustUser(t, s, access.Inspector, 0)
	// One guess each from many addresses: no single address is ever slowed, the account is.
	var waits []time.Duration
	for i := range 20 {
		waits = append(waits, guess(t, s, c, u.Username, attempt("", "").Address)...)
		if i < 10 && len(waits) > 0 {
			t.Fatalf("guess %d from a fresh address was held back before the account's free failures were spent", i+1)
		}
	}
	if len(waits) < 9 || waits[len(waits)-1] <= waits[0] {
		t.Fatalf("waits %v: the account-wide delay does not grow", waits)
	}
	// The owner at an address the account never signed in from is slowed like anyone else …
	owner := attempt(u.Username, password)
	_, err := s.SignIn(ctx, owner)
	w := retryAfter(t, err)
	if w == 0 {
		t.Fatalf("right password from an unknown address during the attack: %v, want a wait", err)
	}
	// … but only slowed: after the wait the right password works.
	c.Advance(w)
	if _, err := s.SignIn(ctx, owner); err != nil {
		t.Fatalf("right password after waiting %s: %v", w, err)
	}
}

func TestFailedSignInsAreAuditedWithoutRevealingTheAccount(t *testing.T) {
	s, _, pool := newTestService(t)
	ctx := context.Background()
	u, _ := mustUser(t, s, access.Inspector, 0)
	ghost := unique("ghost-")
	_, errKnown := s.SignIn(ctx, SignInRequest{Username: u.Username, Password: "wrong password", Address: "203.0.113.7", RequestID: "req-known"})
	_, errGhost := s.SignIn(ctx, SignInRequest{Username: ghost, Password: "wrong password", Address: "203.0.113.7", RequestID: "req-ghost"})
	if errKnown == nil || errGhost == nil || errKnown.Error() != errGhost.Error() {
		t.Fatalf("known user: %v; unknown user: %v; want the same refusal", errKnown, errGhost)
	}
	entries, err := audit.List(ctx, pool, audit.Filter{TargetType: "user", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]audit.Entry{}
	for _, e := range entries {
		if e.Action == string(audit.SignInFailed) {
			found[e.RequestID] = e
		}
	}
	known, ok := found["req-known"]
	if !ok || known.Actor != "anonymous" || known.TargetID == nil || *known.TargetID != u.ID {
		t.Fatalf("failed sign-in of user %d audited as %+v (found %v), want anonymous against the user", u.ID, known, ok)
	}
	unknown, ok := found["req-ghost"]
	if !ok || unknown.Actor != "anonymous" || unknown.TargetID != nil {
		t.Fatalf("failed sign-in of an unknown user audited as %+v (found %v), want anonymous, no target", unknown, ok)
	}
}

func TestUnknownUsernamesAreThrottledLikeKnownOnes(t *testing.T) {
	s, c, _ := newTestService(t)
	u, _ := mustUser(t, s, access.Inspector, 0)
	known := guessesUntilHeldBack(t, s, c, u.Username, "203.0.113.8")
	unknown := guessesUntilHeldBack(t, s, c, unique("nobody-"), "203.0.113.9")
	if known != unknown || known == 0 {
		t.Fatalf("held back after %d guesses for a real account, %d for an unknown one", known, unknown)
	}
}

func guessesUntilHeldBack(t *testing.T, s *Service, c *clock, username, address string) int {
	t.Helper()
	for i := range 50 {
		if waits := guess(t, s, c, username, address); len(waits) > 0 {
			return i
		}
	}
	return 0
}

func TestCanonicalAddressGroupsAnIPv6Subscriber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"192.0.2.1", "192.0.2.1"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2::9", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"not an address", "unknown"},
		{"", "unknown"},
	}
	for _, tc := range tests {
		if got := canonicalAddress(tc.in); got != tc.want {
			t.Errorf("canonicalAddress(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
