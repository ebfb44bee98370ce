package assessment

import (
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/database"
	"streetchief/internal/incidents"
	"streetchief/internal/policy"
)

// Source is where an item's points come from.
type Source string

const (
	Computed Source = "computed" // from the platform's figures
	Entered  Source = "entered"  // an assessor's mark (实地检查)
	Sampled  Source = "sample"   // an assessor's mark on areas the platform drew at random (随机抽查)
)

// Item is one line of a score sheet.
type Item struct {
	Code      string       `json:"code"`
	NameZH    string       `json:"name_zh"`
	NameEN    string       `json:"name_en"`
	MaxPoints policy.Score `json:"max_points"`
	Source    Source       `json:"source"`
	Metric    string       `json:"metric,omitempty"`
	FullAt    string       `json:"full_at,omitempty"`
	ZeroAt    string       `json:"zero_at,omitempty"`
}

// Sheet is a version of the score sheet (考评细则) of one period kind.
type Sheet struct {
	ID            int64         `json:"id"`
	Kind          Kind          `json:"kind"`
	Version       int           `json:"version"`
	Name          string        `json:"name"`
	EffectiveFrom string        `json:"effective_from"`
	QuarterShare  *policy.Score `json:"quarter_share,omitempty"` // per cent of the quarter's own sheet in its score
	Items         []Item        `json:"items"`
	CreatedAt     time.Time     `json:"created_at"`
	CreatedBy     string        `json:"created_by"`
}

var itemCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// check tests a sheet from outside: items named and unique, their points adding up to exactly 100,
// computed ones on a known metric with two distinct bounds.
func (sh *Sheet) check() error {
	if sh.Kind != Month && sh.Kind != Quarter {
		return invalid("kind", "kind %q is not month or quarter", sh.Kind)
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(sh.Name)); n == 0 || n > 200 {
		return invalid("name", "a score sheet needs a name of at most 200 characters")
	}
	from, err := time.ParseInLocation(time.DateOnly, sh.EffectiveFrom, incidents.Beijing)
	if err != nil {
		return invalid("effective_from", "effective_from %q is not a date YYYY-MM-DD", sh.EffectiveFrom)
	}
	if from.Day() != 1 || (sh.Kind == Quarter && (from.Month()-1)%3 != 0) {
		return invalid("effective_from", "a %s sheet takes effect on the first day of a %s", sh.Kind, sh.Kind)
	}
	if (sh.Kind == Quarter) != (sh.QuarterShare != nil) {
		return invalid("quarter_share", "quarter_share is required of a quarter sheet and only of one")
	}
	if sh.QuarterShare != nil && (*sh.QuarterShare < 0 || *sh.QuarterShare > 10000) {
		return invalid("quarter_share", "quarter_share is a per cent, 0–100")
	}
	if len(sh.Items) == 0 || len(sh.Items) > 40 {
		return invalid("items", "a sheet has 1–40 items, not %d", len(sh.Items))
	}
	var total policy.Score
	seen := map[string]bool{}
	for i := range sh.Items {
		it := &sh.Items[i]
		if !itemCode.MatchString(it.Code) || seen[it.Code] {
			return invalid("items", "item %d: code %q is not a new lower-case code (a–z, 0–9, _)", i+1, it.Code)
		}
		seen[it.Code] = true
		for _, name := range []string{it.NameZH, it.NameEN} {
			if n := utf8.RuneCountInString(strings.TrimSpace(name)); n == 0 || n > 100 {
				return invalid("items", "item %s needs name_zh and name_en of at most 100 characters", it.Code)
			}
		}
		if it.MaxPoints <= 0 || it.MaxPoints > 10000 {
			return invalid("items", "item %s: max_points must be above 0 and at most 100", it.Code)
		}
		total += it.MaxPoints
		if err := it.checkSource(); err != nil {
			return err
		}
	}
	if total != 10000 {
		return invalid("items", "the items' max_points add up to %s, not 100.00", total)
	}
	return nil
}

func (it *Item) checkSource() error {
	switch it.Source {
	case Entered, Sampled:
		if it.Metric != "" || it.FullAt != "" || it.ZeroAt != "" {
			return invalid("items", "item %s is %s: it takes no metric, full_at or zero_at", it.Code, it.Source)
		}
		return nil
	case Computed:
	default:
		return invalid("items", "item %s: source %q is not computed, entered or sample", it.Code, it.Source)
	}
	if _, ok := metricByCode(it.Metric); !ok {
		return invalid("items", "item %s: metric %q is not one the platform computes", it.Code, it.Metric)
	}
	full, ok1 := decimal4(it.FullAt)
	zero, ok2 := decimal4(it.ZeroAt)
	if !ok1 || !ok2 || full.Cmp(zero) == 0 {
		return invalid("items", "item %s: full_at and zero_at must be two different numbers with at most 4 decimals", it.Code)
	}
	return nil
}

var decimalText = regexp.MustCompile(`^-?\d{1,8}(\.\d{1,4})?$`)

func decimal4(s string) (*big.Rat, bool) {
	if !decimalText.MatchString(s) {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// CreateSheet adds a new version of a score sheet. It takes effect on EffectiveFrom, which must be after
// the current version's and after every period of its kind already marked or published: results keep
// the sheet they were scored on.
func (s *Service) CreateSheet(ctx context.Context, who access.Principal, sh Sheet) (Sheet, error) {
	if err := may(who, "sheet"); err != nil {
		return Sheet{}, err
	}
	if err := sh.check(); err != nil {
		return Sheet{}, err
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE assessment_template IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		var latest *time.Time
		var used *string
		if err := tx.QueryRow(ctx, `SELECT (SELECT max(effective_from) FROM assessment_template WHERE period_kind = $1),
			(SELECT max(label) FROM assessment_period WHERE kind = $1 AND starts >= $2::date)`, sh.Kind, sh.EffectiveFrom).Scan(&latest, &used); err != nil {
			return wrap("sheet versions", err)
		}
		if latest != nil && latest.Format(time.DateOnly) >= sh.EffectiveFrom {
			return apperr.New(apperr.Conflict, "the current %s sheet takes effect on %s; a new version must start later", sh.Kind, latest.Format(time.DateOnly)).With("field", "effective_from")
		}
		if used != nil {
			return apperr.New(apperr.Conflict, "period %s is already being assessed on the current sheet; a new version cannot take effect before it ends", *used).With("field", "effective_from")
		}
		return insertSheet(ctx, tx, who, &sh)
	})
	return sh, err
}

func insertSheet(ctx context.Context, tx database.Querier, who access.Principal, sh *Sheet) error {
	var share *string
	if sh.QuarterShare != nil {
		v := sh.QuarterShare.String()
		share = &v
	}
	err := tx.QueryRow(ctx, `INSERT INTO assessment_template (period_kind, version, name, effective_from, quarter_share, created_by)
		VALUES ($1, (SELECT COALESCE(max(version), 0) + 1 FROM assessment_template WHERE period_kind = $1), $2, $3::date, $4::numeric, $5)
		RETURNING id, version, created_at, created_by`, sh.Kind, strings.TrimSpace(sh.Name), sh.EffectiveFrom, share, who.Label()).
		Scan(&sh.ID, &sh.Version, &sh.CreatedAt, &sh.CreatedBy)
	if err != nil {
		return wrap("insert sheet", err)
	}
	for i, it := range sh.Items {
		if _, err := tx.Exec(ctx, `INSERT INTO assessment_template_item (template_id, code, position, name_zh, name_en, max_points, source, metric, full_at, zero_at)
			VALUES ($1, $2, $3, $4, $5, $6::numeric, $7, NULLIF($8, ''), NULLIF($9, '')::numeric, NULLIF($10, '')::numeric)`,
			sh.ID, it.Code, i+1, strings.TrimSpace(it.NameZH), strings.TrimSpace(it.NameEN), it.MaxPoints.String(), it.Source, it.Metric, it.FullAt, it.ZeroAt); err != nil {
			return wrap("insert sheet item", err)
		}
	}
	return audit.Record(ctx, tx, who, audit.Create, "assessment_template", sh.ID, nil, sh)
}

// Sheets lists every version of the score sheets, newest first.
func (s *Service) Sheets(ctx context.Context, who access.Principal) ([]Sheet, error) {
	if err := may(who, "read"); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT id FROM assessment_template ORDER BY period_kind, version DESC`)
	if err != nil {
		return nil, wrap("sheets", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, wrap("sheets", err)
	}
	out := make([]Sheet, 0, len(ids))
	for _, id := range ids {
		sh, err := readSheet(ctx, s.db, id)
		if err != nil {
			return nil, err
		}
		out = append(out, sh)
	}
	return out, nil
}

// sheetInForce is the version of kind in force on day, or a conflict naming what is missing.
func sheetInForce(ctx context.Context, db database.Querier, kind Kind, day time.Time) (Sheet, error) {
	var id int64
	err := db.QueryRow(ctx, `SELECT id FROM assessment_template WHERE period_kind = $1 AND effective_from <= $2::date
		ORDER BY effective_from DESC LIMIT 1`, kind, day.Format(time.DateOnly)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Sheet{}, apperr.New(apperr.Conflict, "no %s score sheet is in force on %s; create one first", kind, day.Format(time.DateOnly))
	}
	if err != nil {
		return Sheet{}, wrap("sheet in force", err)
	}
	return readSheet(ctx, db, id)
}

func readSheet(ctx context.Context, db database.Querier, id int64) (Sheet, error) {
	var sh Sheet
	var from time.Time
	var share *string
	err := db.QueryRow(ctx, `SELECT id, period_kind, version, name, effective_from, quarter_share::text, created_at, created_by
		FROM assessment_template WHERE id = $1`, id).Scan(&sh.ID, &sh.Kind, &sh.Version, &sh.Name, &from, &share, &sh.CreatedAt, &sh.CreatedBy)
	if err != nil {
		return sh, wrap("read sheet", err)
	}
	sh.EffectiveFrom = from.Format(time.DateOnly)
	if share != nil {
		v, err := storedScore(*share)
		if err != nil {
			return sh, err
		}
		sh.QuarterShare = &v
	}
	rows, err := db.Query(ctx, `SELECT code, name_zh, name_en, max_points::text, source, COALESCE(metric, ''),
		COALESCE(trim_scale(full_at)::text, ''), COALESCE(trim_scale(zero_at)::text, '')
		FROM assessment_template_item WHERE template_id = $1 ORDER BY position`, id)
	if err != nil {
		return sh, wrap("read sheet items", err)
	}
	defer rows.Close()
	for rows.Next() {
		var it Item
		var maxText string
		if err := rows.Scan(&it.Code, &it.NameZH, &it.NameEN, &maxText, &it.Source, &it.Metric, &it.FullAt, &it.ZeroAt); err != nil {
			return sh, wrap("read sheet item", err)
		}
		if it.MaxPoints, err = storedScore(maxText); err != nil {
			return sh, err
		}
		sh.Items = append(sh.Items, it)
	}
	return sh, wrap("read sheet items", rows.Err())
}

func (sh Sheet) item(code string) (Item, bool) {
	for _, it := range sh.Items {
		if it.Code == code {
			return it, true
		}
	}
	return Item{}, false
}

func jsonNumber(s string) json.Number { return json.Number(s) }
