package auth

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// Open311Key is an Open311 api_key issued to an integrator — the 12345 hotline, a city app — for one
// jurisdiction. It signs nobody in: reports sent with it are still anonymous, but count against the
// key's own per-minute limit instead of the limit for an unknown address. Its secret is shown once.
type Open311Key struct {
	ID           int64      `json:"id"`
	Name         string     `json:"name"`
	Jurisdiction string     `json:"jurisdiction"`
	PerMinute    int        `json:"per_minute"`
	CreatedAt    time.Time  `json:"created_at"`
	ExpiresAt    time.Time  `json:"expires_at"`
	RevokedAt    *time.Time `json:"revoked_at"`
}

// Open311KeyInput is what an admin chooses for a new key.
type Open311KeyInput struct {
	Name         string    `json:"name"`
	Jurisdiction string    `json:"jurisdiction"`
	PerMinute    int       `json:"per_minute"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// Open311KeyPrefix marks the keys, so one pasted into the wrong place (a bearer header) is recognisable.
const (
	Open311KeyPrefix    = "o311_"
	MaxOpen311KeyTTL    = 2 * 365 * 24 * time.Hour
	MaxOpen311PerMinute = 100_000
)

// jurisdictionID is a domain-like id, as Open311 jurisdiction_id values are (e.g. "sfgov.org").
var jurisdictionID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$`)

// ValidJurisdiction reports whether id can be an Open311 jurisdiction_id.
func ValidJurisdiction(id string) bool { return jurisdictionID.MatchString(id) }

const open311KeyColumns = `id, name, jurisdiction, per_minute, created_at, expires_at, revoked_at`

func scanOpen311Key(row pgx.Row) (Open311Key, error) {
	var k Open311Key
	err := row.Scan(&k.ID, &k.Name, &k.Jurisdiction, &k.PerMinute, &k.CreatedAt, &k.ExpiresAt, &k.RevokedAt)
	return k, err
}

func mayManageOpen311Keys(who access.Principal) error {
	if !who.SignedIn() {
		return apperr.New(apperr.Unauthorized, "sign in first")
	}
	if who.Role != access.Admin {
		return apperr.New(apperr.Forbidden, "only an admin may manage Open311 keys")
	}
	return nil
}

func (in Open311KeyInput) check(now time.Time) (Open311KeyInput, error) {
	in.Name, in.Jurisdiction = strings.TrimSpace(in.Name), strings.TrimSpace(in.Jurisdiction)
	switch {
	case in.Name == "" || !utf8.ValidString(in.Name) || utf8.RuneCountInString(in.Name) > 100:
		return in, apperr.New(apperr.Invalid, "a key needs a name of 1 to 100 characters").With("field", "name")
	case !ValidJurisdiction(in.Jurisdiction):
		return in, apperr.New(apperr.Invalid, "jurisdiction %q is not a jurisdiction id such as xinluo.example", in.Jurisdiction).With("field", "jurisdiction")
	case in.PerMinute < 1 || in.PerMinute > MaxOpen311PerMinute:
		return in, apperr.New(apperr.Invalid, "per_minute must be 1 to %d, got %d", MaxOpen311PerMinute, in.PerMinute).With("field", "per_minute")
	case !in.ExpiresAt.After(now) || in.ExpiresAt.Sub(now) > MaxOpen311KeyTTL:
		return in, apperr.New(apperr.Invalid, "expires_at must be in the future and within %s", MaxOpen311KeyTTL).With("field", "expires_at")
	}
	return in, nil
}

// IssueOpen311Key creates a key and returns its plaintext ("o311_…") once; only its hash is kept.
// Unlike API tokens, an admin's token may issue keys: a key reads and changes nothing, it only
// lifts the report limit, so an integration's provisioning can be scripted.
func (s *Service) IssueOpen311Key(ctx context.Context, who access.Principal, in Open311KeyInput) (string, Open311Key, error) {
	if err := mayManageOpen311Keys(who); err != nil {
		return "", Open311Key{}, err
	}
	now := s.now()
	in, err := in.check(now)
	if err != nil {
		return "", Open311Key{}, err
	}
	secret, hash, err := newSecret()
	if err != nil {
		return "", Open311Key{}, err
	}
	var k Open311Key
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		k, err = scanOpen311Key(tx.QueryRow(ctx, `INSERT INTO open311_key (name, jurisdiction, key_hash, per_minute, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+open311KeyColumns, in.Name, in.Jurisdiction, hash, in.PerMinute, now, in.ExpiresAt))
		if err != nil {
			return translate(err, "Open311 key")
		}
		return audit.Record(ctx, tx, who, audit.Create, "open311_key", k.ID, nil, k)
	})
	if err != nil {
		return "", Open311Key{}, err
	}
	return Open311KeyPrefix + secret, k, nil
}

// RevokeOpen311Key ends a key at once; revoking a revoked key changes nothing.
func (s *Service) RevokeOpen311Key(ctx context.Context, who access.Principal, id int64) (Open311Key, error) {
	if err := mayManageOpen311Keys(who); err != nil {
		return Open311Key{}, err
	}
	var k Open311Key
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		before, err := scanOpen311Key(tx.QueryRow(ctx, `SELECT `+open311KeyColumns+` FROM open311_key WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return translate(err, fmt.Sprintf("Open311 key %d", id))
		}
		if before.RevokedAt != nil {
			k = before
			return nil
		}
		k, err = scanOpen311Key(tx.QueryRow(ctx, `UPDATE open311_key SET revoked_at = $2 WHERE id = $1 RETURNING `+open311KeyColumns, id, s.now()))
		if err != nil {
			return fmt.Errorf("revoke Open311 key %d: %w", id, err)
		}
		return audit.Record(ctx, tx, who, audit.End, "open311_key", id, before, k)
	})
	return k, err
}

// Open311Keys lists every key, newest first.
func (s *Service) Open311Keys(ctx context.Context, who access.Principal) ([]Open311Key, error) {
	if err := mayManageOpen311Keys(who); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT `+open311KeyColumns+` FROM open311_key ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list Open311 keys: %w", err)
	}
	keys, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Open311Key, error) { return scanOpen311Key(row) })
	if err != nil {
		return nil, fmt.Errorf("list Open311 keys: %w", err)
	}
	return keys, nil
}

// CheckOpen311Key answers the key behind an api_key for jurisdiction, or Forbidden — the answer the
// Open311 spec gives for an invalid api_key — when it is unknown, revoked, expired or another
// jurisdiction's. The reasons are not told apart, so probing learns nothing.
func (s *Service) CheckOpen311Key(ctx context.Context, plain, jurisdiction string) (Open311Key, error) {
	refused := apperr.New(apperr.Forbidden, "invalid api_key: unknown, revoked, expired or not for jurisdiction %s", jurisdiction)
	hash, ok := hashToken(strings.TrimPrefix(plain, Open311KeyPrefix))
	if !ok || !strings.HasPrefix(plain, Open311KeyPrefix) {
		return Open311Key{}, refused
	}
	k, err := scanOpen311Key(s.db.QueryRow(ctx, `SELECT `+open311KeyColumns+` FROM open311_key WHERE key_hash = $1`, hash))
	if err == pgx.ErrNoRows {
		return Open311Key{}, refused
	}
	if err != nil {
		return Open311Key{}, fmt.Errorf("check Open311 key: %w", err)
	}
	if k.RevokedAt != nil || !s.now().Before(k.ExpiresAt) || k.Jurisdiction != jurisdiction {
		return Open311Key{}, refused
	}
	return k, nil
}
