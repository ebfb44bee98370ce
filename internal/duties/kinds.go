package duties

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// Kind is one entry of the configurable list of what a duty record may be (入户走访, 文明劝导, …).
type Kind struct {
	Code     string `json:"code"`
	NameZh   string `json:"name_zh"`
	NameEn   string `json:"name_en"`
	Position int    `json:"position"`
	Retired  bool   `json:"retired"`
}

var kindCode = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// Kinds lists the duty kinds, retired ones too (old records name them).
func (s *Service) Kinds(ctx context.Context) ([]Kind, error) {
	rows, err := s.db.Query(ctx, `SELECT code, name_zh, name_en, position, retired FROM duty_kind ORDER BY retired, position, code`)
	if err != nil {
		return nil, fmt.Errorf("duty kinds: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Kind])
}

// PutKind adds a kind or renames, moves or retires one (an admin's setting, not history: a record
// keeps its kind's code whatever the kind is called later).
func (s *Service) PutKind(ctx context.Context, who access.Principal, k Kind) (Kind, error) {
	if who.Role != access.Admin {
		return Kind{}, apperr.New(apperr.Forbidden, "only an administrator configures the duty kinds")
	}
	k.NameZh, k.NameEn = strings.TrimSpace(k.NameZh), strings.TrimSpace(k.NameEn)
	if !kindCode.MatchString(k.Code) {
		return Kind{}, invalid("code", "code %q must be 2 to 40 lower-case letters, digits and _", clip(k.Code, 40))
	}
	if k.NameZh == "" || k.NameEn == "" {
		return Kind{}, invalid("name_zh", "name_zh and name_en are required")
	}
	if err := checkText("name_zh", k.NameZh, 40); err != nil {
		return Kind{}, err
	}
	if err := checkText("name_en", k.NameEn, 60); err != nil {
		return Kind{}, err
	}
	_, err := s.db.Exec(ctx, `INSERT INTO duty_kind (code, name_zh, name_en, position, retired) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (code) DO UPDATE SET name_zh = $2, name_en = $3, position = $4, retired = $5`, k.Code, k.NameZh, k.NameEn, k.Position, k.Retired)
	if err != nil {
		return Kind{}, translate(err, "duty kind")
	}
	return k, nil
}
