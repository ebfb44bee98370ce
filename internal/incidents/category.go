package incidents

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/database"
)

// Category is a kind of incident — 乱搭乱建 illegal construction, 占道经营 street occupying, … — with the
// departments its joint enforcement calls in and the hours each stage may take.
type Category struct {
	Code         string    `json:"code"`
	NameZh       string    `json:"name_zh"`
	NameEn       string    `json:"name_en"`
	Departments  []string  `json:"departments"`
	AckHours     int       `json:"ack_hours"`
	StartHours   int       `json:"start_hours"`
	ResolveHours int       `json:"resolve_hours"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// CategoryInput is what an admin may change of a category.
type CategoryInput struct {
	NameZh       string   `json:"name_zh"`
	NameEn       string   `json:"name_en"`
	Departments  []string `json:"departments"`
	AckHours     int      `json:"ack_hours"`
	StartHours   int      `json:"start_hours"`
	ResolveHours int      `json:"resolve_hours"`
}

func (in CategoryInput) check() error {
	if strings.TrimSpace(in.NameZh) == "" || strings.TrimSpace(in.NameEn) == "" {
		return apperr.New(apperr.Invalid, "name_zh and name_en are required")
	}
	for name, h := range map[string]int{"ack_hours": in.AckHours, "start_hours": in.StartHours, "resolve_hours": in.ResolveHours} {
		if h < 1 || h > 8760 {
			return apperr.New(apperr.Invalid, "%s must be 1 to 8760 hours, got %d", name, h)
		}
	}
	return nil
}

// Due is when an incident entering status st at t must have moved on, or nil when nobody is on the clock.
func (c Category) Due(st Status, t time.Time) *time.Time {
	var h int
	switch st {
	case Reported:
		h = c.AckHours
	case Assigned, Reopened, Escalated:
		h = c.StartHours
	case InProgress, JointEnforcement:
		h = c.ResolveHours
	default:
		return nil
	}
	d := t.Add(time.Duration(h) * time.Hour)
	return &d
}

const categoryColumns = `code, name_zh, name_en, departments, ack_hours, start_hours, resolve_hours, updated_at`

func scanCategory(row pgx.Row) (Category, error) {
	var c Category
	err := row.Scan(&c.Code, &c.NameZh, &c.NameEn, &c.Departments, &c.AckHours, &c.StartHours, &c.ResolveHours, &c.UpdatedAt)
	return c, err
}

// Categories lists every category; anyone may read them.
func (s *Service) Categories(ctx context.Context) ([]Category, error) {
	rows, err := s.db.Query(ctx, `SELECT `+categoryColumns+` FROM incident_category ORDER BY code`)
	if err != nil {
		return nil, translate(err, "categories")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Category, error) { return scanCategory(r) })
	return out, translate(err, "categories")
}

func category(ctx context.Context, db database.Querier, code string) (Category, error) {
	c, err := scanCategory(db.QueryRow(ctx, `SELECT `+categoryColumns+` FROM incident_category WHERE code = $1`, code))
	if err != nil {
		if err == pgx.ErrNoRows {
			return c, apperr.New(apperr.Invalid, "unknown category %q", code).With("field", "category")
		}
		return c, translate(err, "category")
	}
	return c, nil
}

// UpdateCategory changes a category's names, departments and hours; admins only.
func (s *Service) UpdateCategory(ctx context.Context, who access.Principal, code string, in CategoryInput) (Category, error) {
	if !who.CanChangeRegistry() {
		return Category{}, apperr.New(apperr.Forbidden, "only an admin may change incident categories")
	}
	if err := in.check(); err != nil {
		return Category{}, err
	}
	if in.Departments == nil {
		in.Departments = []string{}
	}
	var out Category
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		before, err := scanCategory(tx.QueryRow(ctx, `SELECT `+categoryColumns+` FROM incident_category WHERE code = $1 FOR UPDATE`, code))
		if err != nil {
			return translate(err, fmt.Sprintf("category %q", code))
		}
		if _, err := departmentIDs(ctx, tx, in.Departments); err != nil {
			return err
		}
		out, err = scanCategory(tx.QueryRow(ctx, `UPDATE incident_category SET name_zh = $2, name_en = $3, departments = $4,
			ack_hours = $5, start_hours = $6, resolve_hours = $7, updated_at = now() WHERE code = $1 RETURNING `+categoryColumns,
			code, strings.TrimSpace(in.NameZh), strings.TrimSpace(in.NameEn), in.Departments, in.AckHours, in.StartHours, in.ResolveHours))
		if err != nil {
			return translate(err, "category")
		}
		return audit.Record(ctx, tx, who, audit.Update, "incident_category", 0, before, out)
	})
	return out, err
}

// departmentIDs resolves department codes, refusing unknown ones.
func departmentIDs(ctx context.Context, db database.Querier, codes []string) ([]int64, error) {
	if len(codes) == 0 {
		return []int64{}, nil
	}
	rows, err := db.Query(ctx, `SELECT code, id FROM department WHERE code = ANY($1)`, codes)
	if err != nil {
		return nil, translate(err, "departments")
	}
	found := map[string]int64{}
	var code string
	var id int64
	if _, err := pgx.ForEachRow(rows, []any{&code, &id}, func() error { found[code] = id; return nil }); err != nil {
		return nil, translate(err, "departments")
	}
	out := make([]int64, 0, len(codes))
	for _, c := range codes {
		id, ok := found[c]
		if !ok {
			return nil, apperr.New(apperr.Invalid, "unknown department %q", c).With("field", "departments")
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}
