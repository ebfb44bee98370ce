package incidents

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/apperr"
	"streetchief/internal/database"
)

// Category is a kind of incident in the city's catalogue of urban-management events (数字化城市管理
// 事件): a 大类 such as 市容环境 (Parent empty) or a 小类 under one such as 暴露垃圾, with the departments
// its joint enforcement calls in, the hours each stage may take and how an overdue case escalates.
// Incidents are filed under 小类 only, as the national standard classifies cases; a retired category is
// kept for the incidents that have it but offered for no new one.
type Category struct {
	Code               string     `json:"code"`
	Parent             string     `json:"parent"`
	NameZh             string     `json:"name_zh"`
	NameEn             string     `json:"name_en"`
	Departments        []string   `json:"departments"`
	AckHours           int        `json:"ack_hours"`
	StartHours         int        `json:"start_hours"`
	ResolveHours       int        `json:"resolve_hours"`
	Escalation         Escalation `json:"escalation"`
	AfterPhotoRequired bool       `json:"after_photo_required"`
	// Selectable says whether a new incident may be filed under it: an active 小类.
	Selectable    bool       `json:"selectable"`
	RetiredAt     *time.Time `json:"retired_at,omitempty"`
	RetiredReason string     `json:"retired_reason,omitempty"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// Escalation is how an overdue incident of a category moves up.
type Escalation string

const (
	// Stepwise goes one post up: area manager → lane chief → street chief.
	Stepwise Escalation = "stepwise"
	// ToStreetChief goes straight to the street chief (emergencies).
	ToStreetChief Escalation = "street_chief"
)

// Escalations lists every escalation setting (the migration's CHECK has the same list).
var Escalations = []Escalation{Stepwise, ToStreetChief}

// MaxCategoryHours bounds every stage clock: a year.
const MaxCategoryHours = 8760

var categoryCode = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

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

// offered refuses a category a new incident may not be filed under.
func (c Category) offered() error {
	switch {
	case c.RetiredAt != nil:
		return apperr.New(apperr.Invalid, "category %q (%s) was retired on %s and takes no new incidents: %s",
			c.Code, c.NameZh, c.RetiredAt.Format("2006-01-02"), c.RetiredReason).With("field", "category")
	case c.Parent == "":
		return apperr.New(apperr.Invalid, "category %q (%s) is a group (大类); choose one of its subcategories", c.Code, c.NameZh).With("field", "category")
	}
	return nil
}

// categorySelect reads categories with their departments (codes, in order, through the registry's
// department_directory view).
const categorySelect = `SELECT c.code, COALESCE(c.parent, ''), c.name_zh, c.name_en,
	ARRAY(SELECT d.code FROM incident_category_department cd JOIN department_directory d ON d.id = cd.department_id
		WHERE cd.category = c.code ORDER BY cd.position),
	c.ack_hours, c.start_hours, c.resolve_hours, c.escalation, c.after_photo_required, c.retired_at, c.retired_reason,
	c.updated_at
	FROM incident_category c`

func scanCategory(row pgx.Row) (Category, error) {
	var c Category
	err := row.Scan(&c.Code, &c.Parent, &c.NameZh, &c.NameEn, &c.Departments, &c.AckHours, &c.StartHours, &c.ResolveHours,
		&c.Escalation, &c.AfterPhotoRequired, &c.RetiredAt, &c.RetiredReason, &c.UpdatedAt)
	c.Selectable = c.RetiredAt == nil && c.Parent != ""
	return c, err
}

// CatalogueQuery narrows Catalogue.
type CatalogueQuery struct {
	IncludeRetired bool
}

// Catalogue lists the categories, 大类 and 小类, each 大类 followed by its subcategories; anyone may read it.
func (s *Service) Catalogue(ctx context.Context, q CatalogueQuery) ([]Category, error) {
	return catalogue(ctx, s.db, q)
}

func catalogue(ctx context.Context, db database.Querier, q CatalogueQuery) ([]Category, error) {
	sql := categorySelect
	if !q.IncludeRetired {
		sql += ` WHERE c.retired_at IS NULL`
	}
	rows, err := db.Query(ctx, sql+` ORDER BY COALESCE(c.parent, c.code), c.parent IS NOT NULL, c.code`)
	if err != nil {
		return nil, translate(err, "categories")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Category, error) { return scanCategory(r) })
	return out, translate(err, "categories")
}

// Categories lists the categories a new incident may be filed under (the active 小类): the Open311
// services.
func (s *Service) Categories(ctx context.Context) ([]Category, error) {
	all, err := s.Catalogue(ctx, CatalogueQuery{})
	return slices.DeleteFunc(all, func(c Category) bool { return !c.Selectable }), err
}

// Category reads one category, retired or not.
func (s *Service) Category(ctx context.Context, code string) (Category, error) {
	c, err := scanCategory(s.db.QueryRow(ctx, categorySelect+` WHERE c.code = $1`, code))
	return c, translate(err, fmt.Sprintf("category %q", code))
}

// category reads the category an incident names; an unknown one is the caller's mistake. Intake reads it
// in its own transaction, by primary key, so a change an admin commits applies to the next report on
// every replica at once — there is no cache to fall behind.
func category(ctx context.Context, db database.Querier, code string) (Category, error) {
	c, err := scanCategory(db.QueryRow(ctx, categorySelect+` WHERE c.code = $1`, code))
	if err != nil {
		if err == pgx.ErrNoRows {
			return c, apperr.New(apperr.Invalid, "unknown category %q", code).With("field", "category")
		}
		return c, translate(err, "category")
	}
	return c, nil
}

// departmentIDs resolves department codes, refusing unknown ones.
func departmentIDs(ctx context.Context, db database.Querier, codes []string) ([]int64, error) {
	if len(codes) == 0 {
		return []int64{}, nil
	}
	rows, err := db.Query(ctx, `SELECT code, id FROM department_directory WHERE code = ANY($1)`, codes)
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
