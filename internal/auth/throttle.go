package auth

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// A failure budget: the first free failures cost nothing, then each further attempt waits base,
// 2×base, 4×base … (at most ceiling) after the last failure. Waiting never refuses for good, so no
// one can lock an account: at worst the owner waits ceiling, and a guesser gets one try per ceiling.
type budget struct {
	free    int
	base    time.Duration
	ceiling time.Duration
}

var (
	// Per username and address: one client guessing one account.
	pairBudget = budget{free: 3, base: time.Second, ceiling: 15 * time.Minute}
	// Per username, over every client that never signed in to it: many addresses guessing one
	// account. About 100 guesses a day at the ceiling instead of thousands.
	accountBudget = budget{free: 10, base: time.Second, ceiling: 15 * time.Minute}
	// Per address, over every username: one client trying a password on many accounts.
	addressBudget = budget{free: 30, base: time.Second, ceiling: 15 * time.Minute}
)

const (
	// failureMemory is how long a failure counts; older counters start again and are pruned.
	failureMemory = 24 * time.Hour
	// pruneBatch bounds the rows one failed sign-in deletes, so pruning stays cheap per request.
	pruneBatch = 100
	// knownClientsPerUser and knownClientMemory bound sign_in_known_client.
	knownClientsPerUser = 20
	knownClientMemory   = 180 * 24 * time.Hour
	// maxThrottledUsername bounds the username part of a key (valid usernames are shorter).
	maxThrottledUsername = 64
)

// wait is how long a caller with this many failures, the last at last, must still wait at now.
func (b budget) wait(failures int, last, now time.Time) time.Duration {
	if failures < b.free {
		return 0
	}
	d := b.ceiling
	if shift := failures - b.free; shift < 30 {
		d = min(b.base<<shift, b.ceiling)
	}
	return max(0, last.Add(d).Sub(now))
}

type throttleKey struct {
	username, address string
	budget            budget
}

// throttleKeys are the counters an attempt is charged to: always its own pair, keyed by the device
// when the account knows it (so guessers behind the owner's shared address cannot slow the owner's
// browser) and by the address otherwise; the account-wide and address-wide ones only when the client
// is not known to the account, so the owner's known address or device is never held back by what
// others do.
func throttleKeys(username, address, knownDevice string, known bool) []throttleKey {
	pair := address
	if knownDevice != "" {
		pair = knownDevice
	}
	keys := []throttleKey{{username, pair, pairBudget}}
	if !known {
		keys = append(keys, throttleKey{username, "", accountBudget}, throttleKey{"", address, addressBudget})
	}
	return keys
}

// canonicalAddress keys a client address: IPv6 by its /64, since one subscriber usually holds a
// whole /64; anything unreadable under one shared key.
func canonicalAddress(addr string) string {
	ip, err := netip.ParseAddr(strings.TrimSpace(addr))
	if err != nil {
		return "unknown"
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		return netip.PrefixFrom(ip, 64).Masked().String()
	}
	return ip.String()
}

func throttledUsername(u string) string {
	u = normaliseUsername(u)
	if len(u) > maxThrottledUsername {
		u = strings.ToValidUTF8(u[:maxThrottledUsername], "") // a cut rune would make the key invalid text
	}
	if u == "" {
		u = "-" // the empty username is a username too; '' is the wildcard
	}
	return u
}

// tooManySignIns is the error of a throttled attempt; retry_after_seconds says how long to wait.
func tooManySignIns(wait time.Duration) error {
	secs := int((wait + time.Second - 1) / time.Second)
	return apperr.New(apperr.RateLimited, "too many failed sign-ins; try again in %d seconds", secs).
		With("retry_after_seconds", secs)
}

// reserve charges one attempt to every key before the password is checked, so that parallel
// guesses cannot all slip through before the first failure is counted. It answers the wait
// instead, charging nothing, when any key is still waiting. A successful sign-in gives the charge
// back (release).
func (s *Service) reserve(ctx context.Context, keys []throttleKey, now time.Time) (time.Duration, error) {
	var wait time.Duration
	counts := make([]int, len(keys))
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		wait = 0
		for i, k := range keys {
			var last time.Time
			err := tx.QueryRow(ctx, `SELECT failures, last_at FROM sign_in_failure WHERE username = $1 AND address = $2 FOR UPDATE`,
				k.username, k.address).Scan(&counts[i], &last)
			if errors.Is(err, pgx.ErrNoRows) {
				counts[i] = 0
				continue
			}
			if err != nil {
				return err
			}
			if now.Sub(last) > failureMemory {
				counts[i] = 0
			}
			wait = max(wait, k.budget.wait(counts[i], last, now))
		}
		if wait > 0 {
			return nil
		}
		for i, k := range keys {
			if _, err := tx.Exec(ctx, `INSERT INTO sign_in_failure (username, address, failures, last_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (username, address) DO UPDATE SET failures = EXCLUDED.failures, last_at = EXCLUDED.last_at`,
				k.username, k.address, counts[i]+1, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sign-in throttle: %w", err)
	}
	return wait, nil
}

// release gives back the charge of an attempt whose password was right: its own pair starts again,
// the wider counters forget one attempt. Counters are working state, not history: every failed
// sign-in stays in audit_log (migration 0008).
func (s *Service) release(ctx context.Context, tx pgx.Tx, keys []throttleKey) error {
	for i, k := range keys {
		sql := `UPDATE sign_in_failure SET failures = greatest(failures - 1, 0) WHERE username = $1 AND address = $2`
		if i == 0 {
			sql = `DELETE FROM sign_in_failure WHERE username = $1 AND address = $2`
		}
		if _, err := tx.Exec(ctx, sql, k.username, k.address); err != nil {
			return fmt.Errorf("sign-in throttle: %w", err)
		}
	}
	return nil
}

// pruneFailures deletes a bounded batch of counters older than failureMemory.
func pruneFailures(ctx context.Context, tx pgx.Tx, now time.Time) error {
	_, err := tx.Exec(ctx, `DELETE FROM sign_in_failure WHERE ctid = ANY (ARRAY(
		SELECT ctid FROM sign_in_failure WHERE last_at < $1 LIMIT $2))`, now.Add(-failureMemory), pruneBatch)
	if err != nil {
		return fmt.Errorf("prune sign-in failures: %w", err)
	}
	return nil
}

// knownClients names the request's address and device (if it carries one of our tokens, else "")
// as sign_in_known_client rows. Half a SHA-256 is plenty to name a random token, and fits a key.
func knownClients(address, device string) (addressClient, deviceClient string) {
	if hash, ok := hashToken(device); ok {
		deviceClient = "device:" + hex.EncodeToString(hash[:16])
	}
	return "address:" + address, deviceClient
}

// rememberClients records where userID just signed in, keeping only the newest few.
func rememberClients(ctx context.Context, tx pgx.Tx, userID int64, now time.Time, clients ...string) error {
	for _, c := range clients {
		if _, err := tx.Exec(ctx, `INSERT INTO sign_in_known_client (user_id, client, last_success_at) VALUES ($1, $2, $3)
			ON CONFLICT (user_id, client) DO UPDATE SET last_success_at = EXCLUDED.last_success_at`, userID, c, now); err != nil {
			return fmt.Errorf("remember sign-in client: %w", err)
		}
	}
	_, err := tx.Exec(ctx, `DELETE FROM sign_in_known_client WHERE user_id = $1 AND (last_success_at < $2 OR client NOT IN (
		SELECT client FROM sign_in_known_client WHERE user_id = $1 ORDER BY last_success_at DESC, client LIMIT $3))`,
		userID, now.Add(-knownClientMemory), knownClientsPerUser)
	if err != nil {
		return fmt.Errorf("forget old sign-in clients: %w", err)
	}
	return nil
}

// refuse audits a refused sign-in (anonymous, against the account if it exists), prunes old
// counters while it is writing anyway, and returns answer.
func (s *Service) refuse(ctx context.Context, in SignInRequest, userID int64, address, reason string, answer error) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := pruneFailures(ctx, tx, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, access.Anonymous(in.RequestID), audit.SignInFailed, "user", userID, nil,
			map[string]any{"username": throttledUsername(in.Username), "address": address, "reason": reason})
	})
	if err != nil {
		return fmt.Errorf("record failed sign-in: %w", err)
	}
	return answer
}
