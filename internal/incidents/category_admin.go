package incidents

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// CategoryInput is a whole category as an admin (or a catalogue file) states it. Code is set when
// creating and ignored when changing; an empty Escalation means Stepwise.
type CategoryInput struct {
	Code               string     `json:"code,omitempty"`
	Parent             string     `json:"parent"`
	NameZh             string     `json:"name_zh"`
	NameEn             string     `json:"name_en"`
	Departments        []string   `json:"departments"`
	AckHours           int        `json:"ack_hours"`
	StartHours         int        `json:"start_hours"`
	ResolveHours       int        `json:"resolve_hours"`
	Escalation         Escalation `json:"escalation"`
	AfterPhotoRequired bool       `json:"after_photo_required"`
}

// CategoryPatch changes the fields it sets and keeps the others.
type CategoryPatch struct {
	Parent             *string     `json:"parent"`
	NameZh             *string     `json:"name_zh"`
	NameEn             *string     `json:"name_en"`
	Departments        *[]string   `json:"departments"`
	AckHours           *int        `json:"ack_hours"`
	StartHours         *int        `json:"start_hours"`
	ResolveHours       *int        `json:"resolve_hours"`
	Escalation         *Escalation `json:"escalation"`
	AfterPhotoRequired *bool       `json:"after_photo_required"`
}

// maxCategoryDepartments bounds a category's default departments.
const maxCategoryDepartments = 20

// normalize trims what people type around the values.
func (in CategoryInput) normalize() CategoryInput {
	in.Code, in.Parent = strings.TrimSpace(in.Code), strings.TrimSpace(in.Parent)
	in.NameZh, in.NameEn = strings.TrimSpace(in.NameZh), strings.TrimSpace(in.NameEn)
	if in.Escalation == "" {
		in.Escalation = Stepwise
	}
	deps := make([]string, 0, len(in.Departments))
	for _, d := range in.Departments {
		if d = strings.TrimSpace(d); d != "" && !slices.Contains(deps, d) {
			deps = append(deps, d)
		}
	}
	in.Departments = deps
	return in
}

// check tests a normalized input on its own; parents and departments are tested against the database.
func (in CategoryInput) check() error {
	if !categoryCode.MatchString(in.Code) {
		return apperr.New(apperr.Invalid, "code %q must be 1 to 64 of a-z, 0-9, '_' and '-', starting with a letter or digit", in.Code).With("field", "code")
	}
	if in.Parent != "" && !categoryCode.MatchString(in.Parent) {
		return apperr.New(apperr.Invalid, "parent %q is not a category code", in.Parent).With("field", "parent")
	}
	if in.NameZh == "" || in.NameEn == "" {
		return apperr.New(apperr.Invalid, "name_zh and name_en are required").With("field", "name_zh")
	}
	for field, name := range map[string]string{"name_zh": in.NameZh, "name_en": in.NameEn} {
		if !utf8.ValidString(name) || utf8.RuneCountInString(name) > 200 || strings.ContainsAny(name, "\x00\r\n") {
			return apperr.New(apperr.Invalid, "%s must be one line of at most 200 characters", field).With("field", field)
		}
	}
	for _, h := range []struct {
		name string
		v    int
	}{{"ack_hours", in.AckHours}, {"start_hours", in.StartHours}, {"resolve_hours", in.ResolveHours}} {
		if h.v < 1 || h.v > MaxCategoryHours {
			return apperr.New(apperr.Invalid, "%s must be 1 to %d hours, got %d", h.name, MaxCategoryHours, h.v).With("field", h.name)
		}
	}
	if !slices.Contains(Escalations, in.Escalation) {
		return apperr.New(apperr.Invalid, "escalation %q is not stepwise or street_chief", in.Escalation).With("field", "escalation")
	}
	if len(in.Departments) > maxCategoryDepartments {
		return apperr.New(apperr.Invalid, "at most %d departments", maxCategoryDepartments).With("field", "departments")
	}
	return nil
}

func (c Category) input() CategoryInput {
	return CategoryInput{Code: c.Code, Parent: c.Parent, NameZh: c.NameZh, NameEn: c.NameEn, Departments: slices.Clone(c.Departments),
		AckHours: c.AckHours, StartHours: c.StartHours, ResolveHours: c.ResolveHours, Escalation: c.Escalation,
		AfterPhotoRequired: c.AfterPhotoRequired}
}

func (p CategoryPatch) apply(in CategoryInput) CategoryInput {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&in.Parent, p.Parent)
	set(&in.NameZh, p.NameZh)
	set(&in.NameEn, p.NameEn)
	for _, f := range []struct{ dst, v *int }{{&in.AckHours, p.AckHours}, {&in.StartHours, p.StartHours}, {&in.ResolveHours, p.ResolveHours}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	if p.Departments != nil {
		in.Departments = *p.Departments
	}
	if p.Escalation != nil {
		in.Escalation = *p.Escalation
	}
	if p.AfterPhotoRequired != nil {
		in.AfterPhotoRequired = *p.AfterPhotoRequired
	}
	return in
}

func mayChangeCategories(who access.Principal) error {
	if !who.CanChangeRegistry() {
		return apperr.New(apperr.Forbidden, "only an admin may change incident categories")
	}
	return nil
}

// CreateCategory adds a category to the catalogue; admins only.
func (s *Service) CreateCategory(ctx context.Context, who access.Principal, in CategoryInput) (Category, error) {
	if err := mayChangeCategories(who); err != nil {
		return Category{}, err
	}
	var out Category
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, _, err = saveCategory(ctx, tx, who, nil, in)
		return err
	})
	return out, err
}

// PatchCategory changes the fields p sets — names, parent, departments, clocks, escalation — and keeps
// the others; admins only. The audit log keeps the before and after of every change, renames included.
func (s *Service) PatchCategory(ctx context.Context, who access.Principal, code string, p CategoryPatch) (Category, error) {
	if err := mayChangeCategories(who); err != nil {
		return Category{}, err
	}
	var out Category
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		before, err := lockCategory(ctx, tx, code)
		if err != nil {
			return err
		}
		in := p.apply(before.input())
		in.Code = before.Code
		out, _, err = saveCategory(ctx, tx, who, &before, in)
		return err
	})
	return out, err
}

func lockCategory(ctx context.Context, tx pgx.Tx, code string) (Category, error) {
	if _, err := tx.Exec(ctx, `SELECT 1 FROM incident_category WHERE code = $1 FOR UPDATE`, code); err != nil {
		return Category{}, err
	}
	c, err := scanCategory(tx.QueryRow(ctx, categorySelect+` WHERE c.code = $1`, code))
	return c, translate(err, fmt.Sprintf("category %q", code))
}

// RetireCategory takes a category out of the catalogue for new incidents, with the reason; the
// incidents filed under it keep it. A 大类 retires with its active subcategories. Admins only.
func (s *Service) RetireCategory(ctx context.Context, who access.Principal, code, reason string) (Category, error) {
	if err := mayChangeCategories(who); err != nil {
		return Category{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 1000 || !utf8.ValidString(reason) {
		return Category{}, apperr.New(apperr.Invalid, "say why the category is retired (reason, at most 1000 characters)").With("field", "reason")
	}
	var out Category
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		before, err := lockCategory(ctx, tx, code)
		if err != nil {
			return err
		}
		if before.RetiredAt != nil {
			return apperr.New(apperr.Conflict, "category %q was already retired on %s", code, before.RetiredAt.Format("2006-01-02"))
		}
		out, err = retire(ctx, tx, who, before, reason)
		return err
	})
	return out, err
}

func retire(ctx context.Context, tx pgx.Tx, who access.Principal, before Category, reason string) (Category, error) {
	rows, err := tx.Query(ctx, `SELECT code FROM incident_category WHERE parent = $1 AND retired_at IS NULL ORDER BY code FOR UPDATE`, before.Code)
	if err != nil {
		return Category{}, err
	}
	children, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return Category{}, err
	}
	for _, code := range children {
		if _, err := retireOne(ctx, tx, who, code, reason); err != nil {
			return Category{}, err
		}
	}
	return retireOne(ctx, tx, who, before.Code, reason)
}

func retireOne(ctx context.Context, tx pgx.Tx, who access.Principal, code, reason string) (Category, error) {
	prior, err := scanCategory(tx.QueryRow(ctx, categorySelect+` WHERE c.code = $1`, code))
	if err != nil {
		return Category{}, err
	}
	if _, err := tx.Exec(ctx, `UPDATE incident_category SET retired_at = now(), retired_reason = $2, updated_at = now() WHERE code = $1`,
		code, reason); err != nil {
		return Category{}, translate(err, "category")
	}
	after, err := scanCategory(tx.QueryRow(ctx, categorySelect+` WHERE c.code = $1`, code))
	if err != nil {
		return Category{}, err
	}
	return after, audit.Record(ctx, tx, who, audit.End, "incident_category", 0, prior, after)
}

// saveCategory writes in over before (nil: a new category) with its departments and the audit row.
// It reports whether anything changed; an unchanged category is not written, so importing the same
// catalogue twice changes nothing the second time.
func saveCategory(ctx context.Context, tx pgx.Tx, who access.Principal, before *Category, in CategoryInput) (Category, bool, error) {
	in = in.normalize()
	if err := in.check(); err != nil {
		return Category{}, false, err
	}
	deps, err := departmentIDs(ctx, tx, in.Departments)
	if err != nil {
		return Category{}, false, err
	}
	if before != nil && before.input().normalize().equal(in) {
		return *before, false, nil
	}
	if in.Parent != "" && (before == nil || before.Parent != in.Parent) {
		var retired bool
		err := tx.QueryRow(ctx, `SELECT retired_at IS NOT NULL FROM incident_category WHERE code = $1`, in.Parent).Scan(&retired)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return Category{}, false, apperr.New(apperr.Invalid, "parent %q is not a category", in.Parent).With("field", "parent")
		case err != nil:
			return Category{}, false, err
		case retired:
			return Category{}, false, apperr.New(apperr.Invalid, "parent %q is retired", in.Parent).With("field", "parent")
		}
	}
	if before == nil {
		tag, err := tx.Exec(ctx, `INSERT INTO incident_category (code, parent, name_zh, name_en, ack_hours, start_hours, resolve_hours,
				escalation, after_photo_required) VALUES ($1, NULLIF($2, ''), $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (code) DO NOTHING`,
			in.Code, in.Parent, in.NameZh, in.NameEn, in.AckHours, in.StartHours, in.ResolveHours, in.Escalation, in.AfterPhotoRequired)
		if err != nil {
			return Category{}, false, translateCategory(err, in)
		}
		if tag.RowsAffected() == 0 {
			return Category{}, false, apperr.New(apperr.Conflict, "category %q already exists", in.Code).With("field", "code")
		}
	} else if _, err := tx.Exec(ctx, `UPDATE incident_category SET parent = NULLIF($2, ''), name_zh = $3, name_en = $4, ack_hours = $5,
			start_hours = $6, resolve_hours = $7, escalation = $8, after_photo_required = $9, updated_at = now() WHERE code = $1`,
		in.Code, in.Parent, in.NameZh, in.NameEn, in.AckHours, in.StartHours, in.ResolveHours, in.Escalation, in.AfterPhotoRequired); err != nil {
		return Category{}, false, translateCategory(err, in)
	}
	// The default departments are a setting of the catalogue, replaced as a whole: each case keeps the
	// departments it was given, and the audit row of this change keeps the list before and after.
	if _, err := tx.Exec(ctx, `DELETE FROM incident_category_department WHERE category = $1`, in.Code); err != nil {
		return Category{}, false, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO incident_category_department (category, department_id, position)
		SELECT $1, d, n FROM unnest($2::bigint[]) WITH ORDINALITY AS u (d, n)`, in.Code, deps); err != nil {
		return Category{}, false, err
	}
	out, err := scanCategory(tx.QueryRow(ctx, categorySelect+` WHERE c.code = $1`, in.Code))
	if err != nil {
		return Category{}, false, err
	}
	action := audit.Update
	var prior any = before
	if before == nil {
		action, prior = audit.Create, nil
	}
	return out, true, audit.Record(ctx, tx, who, action, "incident_category", 0, prior, out)
}

func (in CategoryInput) equal(o CategoryInput) bool {
	return in.Code == o.Code && in.Parent == o.Parent && in.NameZh == o.NameZh && in.NameEn == o.NameEn &&
		slices.Equal(in.Departments, o.Departments) && in.AckHours == o.AckHours && in.StartHours == o.StartHours &&
		in.ResolveHours == o.ResolveHours && in.Escalation == o.Escalation && in.AfterPhotoRequired == o.AfterPhotoRequired
}

// translateCategory names the parent when the foreign key refuses it.
func translateCategory(err error, in CategoryInput) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.ConstraintName == "incident_category_parent_fkey" {
		return apperr.New(apperr.Invalid, "parent %q is not a category", in.Parent).With("field", "parent")
	}
	return translate(err, "category "+in.Code)
}
