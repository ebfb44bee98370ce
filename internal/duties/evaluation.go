package duties

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// Grade is a party member's yearly grade; duty_evaluation.grade's CHECK allows exactly these.
type Grade string

const (
	Excellent          Grade = "excellent"           // 优秀
	Qualified          Grade = "qualified"           // 合格
	BasicallyQualified Grade = "basically_qualified" // 基本合格
	Unqualified        Grade = "unqualified"         // 不合格
)

// Grades lists every Grade, best first.
var Grades = []Grade{Excellent, Qualified, BasicallyQualified, Unqualified}

var itemCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// Template is a version of the evaluation sheet: items whose points add up to 100 and the grade
// bands, in force from its year until a later version's.
type Template struct {
	ID            int64          `json:"id"`
	Name          string         `json:"name"`
	EffectiveYear int            `json:"effective_year"`
	ExcellentMin  float64        `json:"excellent_min"`
	QualifiedMin  float64        `json:"qualified_min"`
	BasicMin      float64        `json:"basic_min"`
	Items         []TemplateItem `json:"items"`
}

// TemplateItem is one line of the sheet.
type TemplateItem struct {
	Code      string  `json:"code"`
	NameZh    string  `json:"name_zh"`
	NameEn    string  `json:"name_en"`
	MaxPoints float64 `json:"max_points"`
}

// GradeOf is the grade a total earns under the template's bands.
func (t Template) GradeOf(total float64) Grade {
	switch {
	case total >= t.ExcellentMin:
		return Excellent
	case total >= t.QualifiedMin:
		return Qualified
	case total >= t.BasicMin:
		return BasicallyQualified
	}
	return Unqualified
}

// check applies the rules a template must meet before it is stored.
func (t *Template) check() error {
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" {
		return invalid("name", "a template needs its name")
	}
	if t.EffectiveYear < 2000 || t.EffectiveYear > 2100 {
		return invalid("effective_year", "effective_year must lie between 2000 and 2100")
	}
	if !(100 >= t.ExcellentMin && t.ExcellentMin > t.QualifiedMin && t.QualifiedMin > t.BasicMin && t.BasicMin > 0) {
		return invalid("excellent_min", "grade bands must fall: 100 ≥ excellent_min > qualified_min > basic_min > 0")
	}
	if len(t.Items) == 0 || len(t.Items) > 50 {
		return invalid("items", "a template has 1 to 50 items")
	}
	var sum float64
	seen := map[string]bool{}
	for i, it := range t.Items {
		if !itemCode.MatchString(it.Code) {
			return invalid("items", "item %d: code %q must be lower-case letters, digits and _", i+1, clip(it.Code, 40))
		}
		if seen[it.Code] {
			return invalid("items", "item code %q appears twice", it.Code)
		}
		seen[it.Code] = true
		if strings.TrimSpace(it.NameZh) == "" || strings.TrimSpace(it.NameEn) == "" {
			return invalid("items", "item %d needs name_zh and name_en", i+1)
		}
		if !finite(it.MaxPoints) || it.MaxPoints <= 0 || it.MaxPoints > 100 || math.Round(it.MaxPoints*100) != it.MaxPoints*100 {
			return invalid("items", "item %d: max_points %v must be above 0, at most 100, in hundredths", i+1, it.MaxPoints)
		}
		sum += it.MaxPoints
	}
	if math.Abs(sum-100) > 1e-9 {
		return invalid("items", "the items' max_points add up to %v, not 100", sum)
	}
	return nil
}

// TemplateFor returns the version of the template that scores year: the newest effective by then.
func (s *Service) TemplateFor(ctx context.Context, year int) (Template, error) {
	return templateFor(ctx, s.db, year)
}

func templateFor(ctx context.Context, q interface {
	querier
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}, year int) (Template, error) {
	var t Template
	err := q.QueryRow(ctx, `SELECT id, name, effective_year, excellent_min::float8, qualified_min::float8, basic_min::float8
		FROM duty_template WHERE effective_year <= $1 ORDER BY effective_year DESC LIMIT 1`, year).
		Scan(&t.ID, &t.Name, &t.EffectiveYear, &t.ExcellentMin, &t.QualifiedMin, &t.BasicMin)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, apperr.New(apperr.NotFound, "no evaluation template in force in %d", year)
	}
	if err != nil {
		return t, fmt.Errorf("template: %w", err)
	}
	rows, err := q.Query(ctx, `SELECT code, name_zh, name_en, max_points::float8 FROM duty_template_item WHERE template_id = $1 ORDER BY n`, t.ID)
	if err != nil {
		return t, fmt.Errorf("template items: %w", err)
	}
	t.Items, err = pgx.CollectRows(rows, pgx.RowToStructByPos[TemplateItem])
	return t, err
}

// CreateTemplate stores a new version, in force from its year; a year already evaluated keeps the
// version it was scored on, so the new one must begin after every evaluated year.
func (s *Service) CreateTemplate(ctx context.Context, who access.Principal, t Template) (Template, error) {
	if who.Role != access.Admin && who.Role != access.DistrictLeader {
		return Template{}, apperr.New(apperr.Forbidden, "only an administrator or a district leader keeps the evaluation template")
	}
	if err := t.check(); err != nil {
		return Template{}, err
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE duty_template IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("lock templates: %w", err)
		}
		var last *int
		if err := tx.QueryRow(ctx, `SELECT max(year) FROM duty_evaluation`).Scan(&last); err != nil {
			return fmt.Errorf("evaluated years: %w", err)
		}
		if last != nil && t.EffectiveYear <= *last {
			return apperr.New(apperr.Conflict, "%d is already evaluated: a new template begins in %d or later", *last, *last+1)
		}
		err := tx.QueryRow(ctx, `INSERT INTO duty_template (name, effective_year, excellent_min, qualified_min, basic_min, created_by)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, t.Name, t.EffectiveYear, t.ExcellentMin, t.QualifiedMin, t.BasicMin, who.Label()).Scan(&t.ID)
		if err != nil {
			return translate(err, fmt.Sprintf("a template effective in %d", t.EffectiveYear))
		}
		for i, it := range t.Items {
			if _, err := tx.Exec(ctx, `INSERT INTO duty_template_item (template_id, n, code, name_zh, name_en, max_points) VALUES ($1, $2, $3, $4, $5, $6)`,
				t.ID, i+1, it.Code, strings.TrimSpace(it.NameZh), strings.TrimSpace(it.NameEn), it.MaxPoints); err != nil {
				return translate(err, "template item")
			}
		}
		return nil
	})
	return t, err
}

// Evaluation is one revision of a party member's evaluation of a year.
type Evaluation struct {
	ID         int64              `json:"id"`
	MemberID   int64              `json:"member_id"`
	Name       string             `json:"name"`
	Community  string             `json:"community,omitempty"`
	UnitName   string             `json:"unit_name,omitempty"`
	Year       int                `json:"year"`
	Revision   int                `json:"revision"`
	TemplateID int64              `json:"template_id"`
	Scores     map[string]float64 `json:"scores"`
	Total      float64            `json:"total"`
	Grade      Grade              `json:"grade"`
	Evaluator  string             `json:"evaluator"`
	Notes      string             `json:"notes,omitempty"`
	Reason     string             `json:"reason,omitempty"`
	CreatedBy  string             `json:"created_by"`
	CreatedAt  time.Time          `json:"created_at"`
}

// EvaluationInput is an evaluation as sent; a second one of the same member and year is a revision
// and needs its reason.
type EvaluationInput struct {
	MemberID  int64              `json:"member_id"`
	Year      int                `json:"year"`
	Scores    map[string]float64 `json:"scores"`
	Evaluator string             `json:"evaluator"` // empty: the caller
	Notes     string             `json:"notes"`
	Reason    string             `json:"reason"`
}

// Evaluate stores a party member's evaluation of a year, scored on the template in force then; the
// total and the grade are computed, never sent.
func (s *Service) Evaluate(ctx context.Context, who access.Principal, in EvaluationInput) (Evaluation, error) {
	if in.MemberID <= 0 {
		return Evaluation{}, invalid("member_id", "member_id is required")
	}
	if in.Year < 2000 || in.Year > s.today().Year() {
		return Evaluation{}, invalid("year", "year %d is not a year that has begun", in.Year)
	}
	in.Evaluator = strings.TrimSpace(in.Evaluator)
	if in.Evaluator == "" {
		in.Evaluator = who.Label()
	}
	in.Notes, in.Reason = strings.TrimSpace(in.Notes), strings.TrimSpace(in.Reason)
	for _, t := range []struct {
		field, s string
		max      int
	}{{"evaluator", in.Evaluator, 100}, {"notes", in.Notes, 2000}, {"reason", in.Reason, 1000}} {
		if err := checkText(t.field, t.s, t.max); err != nil {
			return Evaluation{}, err
		}
	}
	var id int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		m, err := s.member(ctx, tx, who, in.MemberID)
		if apperr.Is(err, apperr.NotFound) {
			return invalid("member_id", "no member %d you may evaluate", in.MemberID)
		}
		if err != nil {
			return err
		}
		if m.Type != PartyMember {
			return invalid("member_id", "member %d is a %s: the evaluation is for party members", m.ID, m.Type)
		}
		if !evaluates(who, m.place()) {
			return apperr.New(apperr.Forbidden, "a party member is evaluated by the street or lane chief of their community, never by themselves")
		}
		if m.From.Year() > in.Year || m.Until != nil && m.Until.Year() < in.Year {
			return invalid("year", "member %d was not a member in %d", m.ID, in.Year)
		}
		t, err := templateFor(ctx, tx, in.Year)
		if err != nil {
			return err
		}
		total, err := score(t, in.Scores)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('duty_evaluation'), $1::int)`, m.ID); err != nil {
			return fmt.Errorf("lock evaluation: %w", err)
		}
		var revision int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(max(revision), 0) + 1 FROM duty_evaluation WHERE member_id = $1 AND year = $2`, m.ID, in.Year).Scan(&revision); err != nil {
			return fmt.Errorf("revision: %w", err)
		}
		if revision > 1 && in.Reason == "" {
			return invalid("reason", "member %d's %d evaluation exists: a correction is a new revision and needs its reason", m.ID, in.Year)
		}
		scores, err := json.Marshal(in.Scores)
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO duty_evaluation (member_id, year, revision, template_id, scores, total, grade, evaluator, notes, reason, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`, m.ID, in.Year, revision, t.ID, scores, total,
			string(t.GradeOf(total)), in.Evaluator, in.Notes, in.Reason, who.Label()).Scan(&id)
		return translate(err, "evaluation")
	})
	if err != nil {
		return Evaluation{}, err
	}
	hist, err := s.EvaluationHistory(ctx, access.System("duties"), in.MemberID, in.Year)
	if err != nil || len(hist) == 0 {
		return Evaluation{}, fmt.Errorf("evaluation %d vanished: %w", id, err)
	}
	return hist[0], nil
}

// score checks every item is scored within its points and nothing else is, and adds them up.
func score(t Template, scores map[string]float64) (float64, error) {
	var total float64
	for _, it := range t.Items {
		v, ok := scores[it.Code]
		if !ok {
			return 0, invalid("scores", "score item %s (%s) too", it.Code, it.NameZh)
		}
		if !finite(v) || v < 0 || v > it.MaxPoints || math.Round(v*100) != v*100 {
			return 0, invalid("scores", "%s: %v is not between 0 and %v (in hundredths)", it.Code, v, it.MaxPoints)
		}
		total += v
	}
	for code := range scores {
		if !slices.ContainsFunc(t.Items, func(it TemplateItem) bool { return it.Code == code }) {
			return 0, invalid("scores", "%q is not an item of the template %q", clip(code, 40), t.Name)
		}
	}
	return math.Round(total*100) / 100, nil
}

const evaluationColumns = `e.id, e.member_id, COALESCE(p.name, ''), COALESCE(c.name, ''), m.unit_name, e.year, e.revision, e.template_id,
	e.scores, e.total::float8, e.grade, e.evaluator, e.notes, e.reason, e.created_by, e.created_at
	FROM duty_evaluation e JOIN duty_member m ON m.id = e.member_id
	LEFT JOIN person_directory p ON p.id = m.person_id
	LEFT JOIN unit_directory c ON c.id = m.community_id`

func scanEvaluation(r pgx.CollectableRow) (Evaluation, error) {
	var e Evaluation
	err := r.Scan(&e.ID, &e.MemberID, &e.Name, &e.Community, &e.UnitName, &e.Year, &e.Revision, &e.TemplateID, &e.Scores,
		&e.Total, &e.Grade, &e.Evaluator, &e.Notes, &e.Reason, &e.CreatedBy, &e.CreatedAt)
	return e, err
}

// EvaluationHistory lists every revision of a member's evaluation of a year, newest first.
func (s *Service) EvaluationHistory(ctx context.Context, who access.Principal, memberID int64, year int) ([]Evaluation, error) {
	if _, err := s.Member(ctx, who, memberID); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT `+evaluationColumns+` WHERE e.member_id = $1 AND e.year = $2 ORDER BY e.revision DESC`, memberID, year)
	if err != nil {
		return nil, fmt.Errorf("evaluations: %w", err)
	}
	return pgx.CollectRows(rows, scanEvaluation)
}

// EvaluationFilter selects the standing evaluations of a year: of a community or a unit.
type EvaluationFilter struct {
	Year        int
	CommunityID int64
	UnitName    string
}

// Evaluations lists the standing (newest) revision of each evaluation of a year in scope.
func (s *Service) Evaluations(ctx context.Context, who access.Principal, f EvaluationFilter) ([]Evaluation, error) {
	pred, args := memberPredicate(who, []any{f.Year, f.CommunityID, f.UnitName})
	rows, err := s.db.Query(ctx, `SELECT `+evaluationColumns+`
		WHERE e.year = $1 AND ($2 = 0 OR m.community_id = $2) AND ($3 = '' OR m.unit_name = $3) AND `+pred+`
		  AND NOT EXISTS (SELECT 1 FROM duty_evaluation n WHERE n.member_id = e.member_id AND n.year = e.year AND n.revision > e.revision)
		ORDER BY e.total DESC, p.name, e.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("evaluations: %w", err)
	}
	return pgx.CollectRows(rows, scanEvaluation)
}
