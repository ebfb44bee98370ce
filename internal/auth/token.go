package auth

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// Token describes an API token. Its secret is shown once, by IssueToken, and never stored.
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

const tokenColumns = `id, user_id, name, created_at, expires_at, revoked_at, last_used_at`

func scanToken(row pgx.Row) (Token, error) {
	var t Token
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &t.ExpiresAt, &t.RevokedAt, &t.LastUsedAt)
	return t, err
}

// mayManageTokens decides whether who may touch userID's tokens: administrators any user's, everyone
// else only their own.
func mayManageTokens(who access.Principal, userID int64) error {
	if !who.SignedIn() {
		return apperr.New(apperr.Unauthorized, "sign in first")
	}
	if who.Role != access.Admin && who.UserID != userID {
		return apperr.New(apperr.Forbidden, "you may manage only your own API tokens")
	}
	return nil
}

// IssueToken creates an API token for userID that expires after ttl (at most MaxTokenTTL). It returns
// the plaintext ("sc_…") once; only its hash is kept. A request authenticated by a token may not mint
// more tokens: a leaked token must not be able to outlive its own expiry.
func (s *Service) IssueToken(ctx context.Context, who access.Principal, userID int64, name string, ttl time.Duration) (string, Token, error) {
	if err := mayManageTokens(who, userID); err != nil {
		return "", Token{}, err
	}
	if who.TokenID != 0 {
		return "", Token{}, apperr.New(apperr.Forbidden, "an API token cannot issue tokens; sign in with your password")
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", Token{}, apperr.New(apperr.Invalid, "a token needs a name of 1 to 100 characters")
	}
	if ttl <= 0 || ttl > MaxTokenTTL {
		return "", Token{}, apperr.New(apperr.Invalid, "token lifetime must be positive and at most %s", MaxTokenTTL)
	}
	secret, hash, err := newSecret()
	if err != nil {
		return "", Token{}, err
	}
	var t Token
	now := s.now()
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		var disabled bool
		err := tx.QueryRow(ctx, `SELECT disabled FROM app_user WHERE id = $1 FOR SHARE`, userID).Scan(&disabled)
		if err != nil {
			return translate(err, fmt.Sprintf("user %d", userID))
		}
		if disabled {
			return apperr.New(apperr.Invalid, "user %d is disabled", userID)
		}
		t, err = scanToken(tx.QueryRow(ctx, `INSERT INTO api_token (user_id, name, token_hash, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING `+tokenColumns, userID, name, hash, now, now.Add(ttl)))
		if err != nil {
			return translate(err, "token")
		}
		return audit.Record(ctx, tx, who, audit.Create, "api_token", t.ID, nil, t)
	})
	if err != nil {
		return "", Token{}, err
	}
	return TokenPrefix + secret, t, nil
}

// RevokeToken ends a token at once. Another user's token is "not found" to a non-administrator, so
// token ids reveal nothing. Revoking a revoked token changes nothing.
func (s *Service) RevokeToken(ctx context.Context, who access.Principal, id int64) (Token, error) {
	if !who.SignedIn() {
		return Token{}, apperr.New(apperr.Unauthorized, "sign in first")
	}
	var t Token
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		before, err := scanToken(tx.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_token WHERE id = $1 FOR UPDATE`, id))
		if err == nil && mayManageTokens(who, before.UserID) != nil {
			err = pgx.ErrNoRows
		}
		if err != nil {
			return translate(err, fmt.Sprintf("token %d", id))
		}
		if before.RevokedAt != nil {
			t = before
			return nil
		}
		t, err = scanToken(tx.QueryRow(ctx, `UPDATE api_token SET revoked_at = $2 WHERE id = $1 RETURNING `+tokenColumns, id, s.now()))
		if err != nil {
			return fmt.Errorf("revoke token %d: %w", id, err)
		}
		return audit.Record(ctx, tx, who, audit.End, "api_token", id, before, t)
	})
	return t, err
}

// Tokens lists userID's tokens, newest first; userID 0 means the caller's own.
func (s *Service) Tokens(ctx context.Context, who access.Principal, userID int64) ([]Token, error) {
	if userID == 0 {
		userID = who.UserID
	}
	if userID == 0 {
		return nil, apperr.New(apperr.Invalid, "name the user whose tokens to list")
	}
	if err := mayManageTokens(who, userID); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT `+tokenColumns+` FROM api_token WHERE user_id = $1 ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	tokens, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Token, error) { return scanToken(row) })
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return tokens, nil
}
