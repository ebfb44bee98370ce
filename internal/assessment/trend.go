package assessment

import (
	"context"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/policy"
)

// PeriodState is one period that has an assessment under way or published.
type PeriodState struct {
	Kind     Kind   `json:"kind"`
	Label    string `json:"label"`
	State    string `json:"state"` // draft, published
	Revision int    `json:"revision,omitempty"`
	Sheet    int    `json:"sheet_version"`
}

// Periods lists the periods of kind (both when empty) with their state, newest first.
func (s *Service) Periods(ctx context.Context, who access.Principal, kind Kind) ([]PeriodState, error) {
	if err := may(who, "read"); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT p.kind, p.label, CASE WHEN max(pub.revision) IS NULL THEN 'draft' ELSE 'published' END,
		COALESCE(max(pub.revision), 0), t.version
		FROM assessment_period p JOIN assessment_template t ON t.id = p.template_id
		LEFT JOIN assessment_publication pub ON pub.period_id = p.id
		WHERE $1 = '' OR p.kind = $1 GROUP BY p.id, t.version ORDER BY p.starts DESC, p.kind`, string(kind))
	if err != nil {
		return nil, wrap("periods", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[PeriodState])
}

// Series is one subdistrict's published scores and ranks over a trend's periods (nil: not published).
type Series struct {
	SubdistrictID int64           `json:"subdistrict_id"`
	Name          string          `json:"name"`
	Scores        []*policy.Score `json:"scores"`
	Ranks         []*int          `json:"ranks"`
}

// Trend is the published scores of every subdistrict over consecutive periods of one kind.
type Trend struct {
	Kind    Kind     `json:"kind"`
	Periods []string `json:"periods"`
	Series  []Series `json:"series"`
}

// MaxTrendPeriods bounds a trend: four years of months.
const MaxTrendPeriods = 48

// Trend reads the published scores from one period to another of the same kind, both included.
func (s *Service) Trend(ctx context.Context, who access.Principal, from, to Period) (Trend, error) {
	if err := may(who, "read"); err != nil {
		return Trend{}, err
	}
	if from.Kind != to.Kind {
		return Trend{}, invalid("to", "from and to must be periods of one kind")
	}
	if to.Starts.Before(from.Starts) {
		return Trend{}, invalid("to", "%s is before %s", to.Label, from.Label)
	}
	t := Trend{Kind: from.Kind}
	for p := from; !p.Starts.After(to.Starts); p = p.Next() {
		if len(t.Periods) == MaxTrendPeriods {
			return Trend{}, invalid("to", "a trend covers at most %d periods", MaxTrendPeriods)
		}
		t.Periods = append(t.Periods, p.Label)
	}
	subs, err := subdistricts(ctx, s.db)
	if err != nil {
		return t, err
	}
	at := map[int64]int{}
	for i, sd := range subs {
		at[sd.ID] = i
		t.Series = append(t.Series, Series{SubdistrictID: sd.ID, Name: sd.Name,
			Scores: make([]*policy.Score, len(t.Periods)), Ranks: make([]*int, len(t.Periods))})
	}
	col := map[string]int{}
	for i, l := range t.Periods {
		col[l] = i
	}
	rows, err := s.db.Query(ctx, `SELECT period, subdistrict_id, score::text, rank FROM assessment_published WHERE period_kind = $1 AND period = ANY($2)`,
		string(from.Kind), t.Periods)
	if err != nil {
		return t, wrap("trend", err)
	}
	defer rows.Close()
	for rows.Next() {
		var label, text string
		var sub int64
		var rank int
		if err := rows.Scan(&label, &sub, &text, &rank); err != nil {
			return t, wrap("trend", err)
		}
		i, ok := at[sub]
		if !ok {
			continue
		}
		v, err := storedScore(text)
		if err != nil {
			return t, err
		}
		t.Series[i].Scores[col[label]], t.Series[i].Ranks[col[label]] = &v, &rank
	}
	return t, wrap("trend", rows.Err())
}
