package assessment

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/database"
	"streetchief/internal/policy"
)

// Revision is one publication of a period.
type Revision struct {
	Revision    int       `json:"revision"`
	PublishedAt time.Time `json:"published_at"`
	PublishedBy string    `json:"published_by"`
	Reason      string    `json:"reason,omitempty"`
	Follows     string    `json:"follows,omitempty"` // the amended period this revision follows from
}

// Result is a period's assessment: a live draft until it is published, then the revision asked for
// (the standing one by default) with every revision listed.
type Result struct {
	Period    Period        `json:"period"`
	Sheet     Sheet         `json:"sheet"`
	State     string        `json:"state"` // draft, published
	Revision  int           `json:"revision,omitempty"`
	Revisions []Revision    `json:"revisions"`
	Rules     *policy.Rules `json:"rules,omitempty"`
	Rows      []Row         `json:"rows"`
	AsOf      time.Time     `json:"as_of"`
}

// Result reads period p: revision 0 is the standing one. A street chief reads a draft's rows of their
// own subdistricts only; a published ranking is read by all who may read results.
func (s *Service) Result(ctx context.Context, who access.Principal, p Period, revision int) (Result, error) {
	if err := may(who, "read"); err != nil {
		return Result{}, err
	}
	res := Result{Period: p, Revisions: []Revision{}, AsOf: s.now()}
	err := pgx.BeginTxFunc(ctx, s.db, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		var periodID, templateID int64
		err := tx.QueryRow(ctx, `SELECT id, template_id FROM assessment_period WHERE kind = $1 AND label = $2`, p.Kind, p.Label).Scan(&periodID, &templateID)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			if res.Sheet, err = sheetInForce(ctx, tx, p.Kind, p.Starts); err != nil {
				return err
			}
		case err != nil:
			return wrap("period", err)
		default:
			if res.Sheet, err = readSheet(ctx, tx, templateID); err != nil {
				return err
			}
			if res.Revisions, err = revisions(ctx, tx, periodID); err != nil {
				return err
			}
		}
		if len(res.Revisions) == 0 {
			if revision != 0 {
				return notFound("%s is not published", p.Label)
			}
			res.State = "draft"
			res.Rows, err = s.draft(ctx, tx, periodID, p, res.Sheet)
			return err
		}
		if revision == 0 {
			revision = res.Revisions[len(res.Revisions)-1].Revision
		}
		if revision < 1 || revision > len(res.Revisions) {
			return notFound("%s has no revision %d", p.Label, revision)
		}
		res.State, res.Revision = "published", revision
		res.Rows, res.Rules, err = readPublication(ctx, tx, periodID, revision, res.Sheet)
		return err
	})
	if err != nil {
		return res, err
	}
	if res.State == "draft" && !seesAll(who) {
		res.Rows = slices.DeleteFunc(res.Rows, func(r Row) bool { return !slices.Contains(who.Scope.Subdistricts, r.SubdistrictID) })
	}
	return res, nil
}

func revisions(ctx context.Context, db database.Querier, periodID int64) ([]Revision, error) {
	rows, err := db.Query(ctx, `SELECT pub.revision, pub.created_at, pub.created_by, pub.reason, COALESCE(fp.label, '')
		FROM assessment_publication pub
		LEFT JOIN assessment_publication f ON f.id = pub.follows LEFT JOIN assessment_period fp ON fp.id = f.period_id
		WHERE pub.period_id = $1 ORDER BY pub.revision`, periodID)
	if err != nil {
		return nil, wrap("revisions", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Revision])
}

// readPublication reads one revision's rows as they were published.
func readPublication(ctx context.Context, db database.Querier, periodID int64, revision int, sh Sheet) ([]Row, *policy.Rules, error) {
	var pubID int64
	var rulesJSON []byte
	if err := db.QueryRow(ctx, `SELECT id, rules FROM assessment_publication WHERE period_id = $1 AND revision = $2`, periodID, revision).Scan(&pubID, &rulesJSON); err != nil {
		return nil, nil, wrap("publication", err)
	}
	var rules policy.Rules
	if err := json.Unmarshal(rulesJSON, &rules); err != nil {
		return nil, nil, wrap("publication rules", err)
	}
	rows, err := db.Query(ctx, `SELECT r.subdistrict_id, u.name, r.sheet_total::text, r.months_average::text, r.score::text, r.rank
		FROM assessment_result r JOIN unit_directory u ON u.id = r.subdistrict_id WHERE r.publication_id = $1 ORDER BY r.rank, u.name`, pubID)
	if err != nil {
		return nil, nil, wrap("results", err)
	}
	var out []Row
	index := map[int64]int{}
	for rows.Next() {
		var r Row
		var sheet, score string
		var avg *string
		if err := rows.Scan(&r.SubdistrictID, &r.Name, &sheet, &avg, &score, &r.Rank); err != nil {
			rows.Close()
			return nil, nil, wrap("result", err)
		}
		if r.SheetTotal, err = storedScore(sheet); err == nil {
			r.Score, err = storedScore(score)
		}
		if err == nil && avg != nil {
			var v policy.Score
			v, err = storedScore(*avg)
			r.MonthsAverage = &v
		}
		if err != nil {
			rows.Close()
			return nil, nil, err
		}
		r.Outcomes = []Outcome{}
		index[r.SubdistrictID] = len(out)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, wrap("results", err)
	}
	if err := readLines(ctx, db, pubID, sh, out, index); err != nil {
		return nil, nil, err
	}
	orows, err := db.Query(ctx, `SELECT id, subdistrict_id, kind, rule, yuan, text_en, text_zh FROM assessment_outcome WHERE publication_id = $1 ORDER BY id`, pubID)
	if err != nil {
		return nil, nil, wrap("outcomes", err)
	}
	outcomes, err := pgx.CollectRows(orows, pgx.RowToStructByPos[Outcome])
	if err != nil {
		return nil, nil, wrap("outcomes", err)
	}
	for _, o := range outcomes {
		if i, ok := index[o.SubdistrictID]; ok {
			out[i].Outcomes = append(out[i].Outcomes, o)
		}
	}
	return out, &rules, nil
}

func readLines(ctx context.Context, db database.Querier, pubID int64, sh Sheet, out []Row, index map[int64]int) error {
	rows, err := db.Query(ctx, `SELECT subdistrict_id, item_code, points::text, figures FROM assessment_score WHERE publication_id = $1`, pubID)
	if err != nil {
		return wrap("scores", err)
	}
	defer rows.Close()
	lines := map[int64]map[string]Line{}
	for rows.Next() {
		var sub int64
		var code, pts string
		var raw []byte
		if err := rows.Scan(&sub, &code, &pts, &raw); err != nil {
			return wrap("score", err)
		}
		v, err := storedScore(pts)
		if err != nil {
			return err
		}
		var f struct {
			Figure *Figure       `json:"figure"`
			Mark   *Mark         `json:"mark"`
			Sample []SampleArea  `json:"sample"`
			Amend  *policy.Score `json:"amended_from"`
		}
		if err := json.Unmarshal(raw, &f); err != nil {
			return wrap("score figures", err)
		}
		if lines[sub] == nil {
			lines[sub] = map[string]Line{}
		}
		lines[sub][code] = Line{Code: code, Points: &v, Figure: f.Figure, Mark: f.Mark, Sample: f.Sample, AmendedFrom: f.Amend}
	}
	if err := rows.Err(); err != nil {
		return wrap("scores", err)
	}
	for sub, i := range index {
		for _, it := range sh.Items {
			l, ok := lines[sub][it.Code]
			if !ok {
				return apperr.New(apperr.Internal, "publication %d lacks item %s of subdistrict %d", pubID, it.Code, sub)
			}
			l.NameZH, l.NameEN, l.Source, l.MaxPoints = it.NameZH, it.NameEN, it.Source, it.MaxPoints
			out[i].Lines = append(out[i].Lines, l)
		}
	}
	return nil
}
