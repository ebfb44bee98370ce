package servicepoints

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// Type is a kind of service point (四点半学校, 妈妈小屋, 环卫工人休息点, …) with the distance the gap
// report allows between a residential compound and the nearest open point of it.
type Type struct {
	Code         string     `json:"code"`
	NameZh       string     `json:"name_zh"`
	NameEn       string     `json:"name_en"`
	GapDistanceM int        `json:"gap_distance_m"`
	Colour       string     `json:"colour"`
	SortOrder    int        `json:"sort_order"`
	RetiredAt    *time.Time `json:"retired_at,omitempty"`
	RetireReason string     `json:"retire_reason,omitempty"`
}

// The seeded kinds (migration 0039); administrators add others.
const (
	AfterSchool    = "after_school"
	MothersRoom    = "mothers_room"
	SanitationRest = "sanitation_rest"
	LoveStation    = "love_station"
	PublicToilet   = "public_toilet"
)

var (
	typeCode   = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)
	typeColour = regexp.MustCompile(`^#[0-9a-f]{6}$`)
)

// Types lists every kind, retired ones last, in their sort order.
func (s *Service) Types(ctx context.Context) ([]Type, error) {
	rows, err := s.db.Query(ctx, `SELECT code, name_zh, name_en, gap_distance_m, colour, sort_order, retired_at, COALESCE(retire_reason, '')
		FROM service_point_type ORDER BY retired_at IS NOT NULL, sort_order, code`)
	if err != nil {
		return nil, fmt.Errorf("service point types: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Type, error) {
		var t Type
		err := r.Scan(&t.Code, &t.NameZh, &t.NameEn, &t.GapDistanceM, &t.Colour, &t.SortOrder, &t.RetiredAt, &t.RetireReason)
		return t, err
	})
}

func (t *Type) check() error {
	t.Code = strings.TrimSpace(t.Code)
	t.NameZh = strings.TrimSpace(t.NameZh)
	t.NameEn = strings.TrimSpace(t.NameEn)
	t.Colour = strings.ToLower(strings.TrimSpace(t.Colour))
	if !typeCode.MatchString(t.Code) {
		return apperr.New(apperr.Invalid, "code %q must be 2 to 40 lower-case letters, digits and _, starting with a letter", clip(t.Code)).With("field", "code")
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"name_zh", t.NameZh, 40}, {"name_en", t.NameEn, 60}} {
		if f.v == "" {
			return apperr.New(apperr.Invalid, "%s is required", f.name).With("field", f.name)
		}
		if err := checkText(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	if t.GapDistanceM < 50 || t.GapDistanceM > 20000 {
		return apperr.New(apperr.Invalid, "gap_distance_m %d must be 50 to 20,000 metres", t.GapDistanceM).With("field", "gap_distance_m")
	}
	if t.Colour == "" {
		t.Colour = "#5a6b7b"
	}
	if !typeColour.MatchString(t.Colour) {
		return apperr.New(apperr.Invalid, "colour %q must be #rrggbb", clip(t.Colour)).With("field", "colour")
	}
	if t.SortOrder == 0 {
		t.SortOrder = 100
	}
	return nil
}

// AddType adds a kind of point; only an administrator configures the kinds.
func (s *Service) AddType(ctx context.Context, who access.Principal, t Type) (Type, error) {
	if !who.CanChangeRegistry() {
		return Type{}, apperr.New(apperr.Forbidden, "only an administrator adds service point types")
	}
	if err := t.check(); err != nil {
		return Type{}, err
	}
	t.RetiredAt, t.RetireReason = nil, ""
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO service_point_type (code, name_zh, name_en, gap_distance_m, colour, sort_order, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, t.Code, t.NameZh, t.NameEn, t.GapDistanceM, t.Colour, t.SortOrder, who.Label()); err != nil {
			return translate(err, "service point type "+t.Code)
		}
		return audit.Record(ctx, tx, who, audit.Create, "service_point_type", 0, nil, t)
	})
	return t, err
}

// RetireType stops a kind taking new points and leaves it out of the gap report; points of it keep
// their history and stay on the map until closed.
func (s *Service) RetireType(ctx context.Context, who access.Principal, code, reason string) (Type, error) {
	if !who.CanChangeRegistry() {
		return Type{}, apperr.New(apperr.Forbidden, "only an administrator retires service point types")
	}
	reason = strings.TrimSpace(reason)
	if err := checkReason(reason); err != nil {
		return Type{}, err
	}
	var t Type
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT code, name_zh, name_en, gap_distance_m, colour, sort_order, retired_at
			FROM service_point_type WHERE code = $1 FOR UPDATE`, code).Scan(&t.Code, &t.NameZh, &t.NameEn, &t.GapDistanceM, &t.Colour, &t.SortOrder, &t.RetiredAt)
		if err != nil {
			return translate(err, fmt.Sprintf("service point type %q", clip(code)))
		}
		if t.RetiredAt != nil {
			return apperr.New(apperr.Conflict, "service point type %s was retired on %s", code, t.RetiredAt.In(beijing).Format(time.DateOnly))
		}
		if err := tx.QueryRow(ctx, `UPDATE service_point_type SET retired_at = now(), retired_by = $2, retire_reason = $3
			WHERE code = $1 RETURNING retired_at`, code, who.Label(), reason).Scan(&t.RetiredAt); err != nil {
			return translate(err, "service point type "+code)
		}
		t.RetireReason = reason
		return audit.Record(ctx, tx, who, audit.Update, "service_point_type", 0, nil, t)
	})
	return t, err
}

// activeType checks that code names a kind that takes points.
func activeType(ctx context.Context, q pgx.Tx, code string) error {
	var retired *time.Time
	err := q.QueryRow(ctx, `SELECT retired_at FROM service_point_type WHERE code = $1`, code).Scan(&retired)
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.New(apperr.Invalid, "type %q is not a service point type (GET /api/v1/service-point-types lists them)", clip(code)).With("field", "type")
	}
	if err != nil {
		return fmt.Errorf("service point type: %w", err)
	}
	if retired != nil {
		return apperr.New(apperr.Invalid, "type %q was retired and takes no points", code).With("field", "type")
	}
	return nil
}

func checkReason(reason string) error {
	if reason == "" {
		return apperr.New(apperr.Invalid, "reason is required").With("field", "reason")
	}
	return checkText("reason", reason, 500)
}
