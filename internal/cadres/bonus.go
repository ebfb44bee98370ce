package cadres

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/internal/registry"
)

// ScoreBasis says what the subdistrict's figures in the table are, for its header and notes.
const ScoreBasis = "The subdistrict's score the bonus is bound to is its assessment score for the year: the mean of its published " +
	"quarterly scores (考评, two decimals, half up), with the number of quarters published so far; beside it the incident KPIs " +
	"for the year (closure rate 结案率, on-time closure rate 按期结案率, rework rate 返工率); " +
	"joint cases: the cases of the year in the subdistrict that the cadre's department took part in (联合执法). " +
	"Months held: days on the post within the year (up to today for this year) × 12 ÷ days in the year."

// ScoreBasisZH is ScoreBasis for the Chinese table.
const ScoreBasisZH = "奖金挂钩的街道得分为该街道本年度考评得分，即已发布各季度考评得分的平均值（保留两位小数，四舍五入），并注明已发布季度数；" +
	"另列该街道本年度事件考核指标（结案率、按期结案率、返工率）；" +
	"联合执法案件数为本年度该街道中该干部所在部门参与的联合执法案件数；在岗月数 = 本年度在岗天数（本年截至今日）× 12 ÷ 全年天数。"

// BonusRow is one cadre post of one subdistrict for the year.
type BonusRow struct {
	Post
	PersonName      string          `json:"person_name"`
	SubdistrictName string          `json:"subdistrict_name"`
	DepartmentName  string          `json:"department_name,omitempty"`
	Primary         bool            `json:"primary"` // held as the primary holder at some time in the year, else as a deputy
	DaysHeld        float64         `json:"days_held"`
	MonthsHeld      float64         `json:"months_held"`
	Opinion         *Opinion        `json:"opinion"` // the standing opinion; nil: none recorded
	Cases           int64           `json:"cases"`   // the subdistrict's cases of the year
	ClosureRate     incidents.Ratio `json:"closure_rate"`
	OnTimeRate      incidents.Ratio `json:"on_time_rate"`
	ReworkRate      incidents.Ratio `json:"rework_rate"`
	JointCases      *int64          `json:"joint_cases"` // nil: the post names no department
	// AssessmentScore is the mean of the subdistrict's published quarterly scores of the year; nil
	// before its first quarter is published. AssessedQuarters is how many it averages.
	AssessmentScore  *string `json:"assessment_score"`
	AssessedQuarters int     `json:"assessed_quarters"`
}

// BonusTable is the year's 奖金挂钩表 in the caller's reach.
type BonusTable struct {
	Year        int              `json:"year"`
	Period      incidents.Period `json:"period"`
	GeneratedAt time.Time        `json:"generated_at"`
	ScoreBasis  string           `json:"score_basis"`
	Rows        []BonusRow       `json:"rows"`
}

// BonusBasis builds the table of year for subdistrict (0: every subdistrict the caller may read).
func (s *Service) BonusBasis(ctx context.Context, who access.Principal, year int, subdistrict int64) (BonusTable, error) {
	subs, err := readScope(who)
	if err != nil {
		return BonusTable{}, err
	}
	if err := s.checkYear(year); err != nil {
		return BonusTable{}, err
	}
	if subdistrict < 0 {
		return BonusTable{}, apperr.New(apperr.Malformed, "subdistrict is a positive id").With("field", "subdistrict")
	}
	now := s.now()
	period, err := incidents.ParsePeriod(incidents.PeriodYear, strconv.Itoa(year), "", "", now)
	if err != nil {
		return BonusTable{}, err
	}
	t := BonusTable{Year: year, Period: period, GeneratedAt: now.In(incidents.Beijing), ScoreBasis: ScoreBasis, Rows: []BonusRow{}}
	if t.Rows, err = s.posts(ctx, year, subdistrict, subs, now); err != nil {
		return t, err
	}
	if err := s.attachOpinions(ctx, year, t.Rows); err != nil {
		return t, err
	}
	if err := s.attachScores(ctx, year, t.Rows); err != nil {
		return t, err
	}
	return t, s.attachKPIs(ctx, who, period, subdistrict, t.Rows)
}

// posts reads the cadre posts held during the year, one row per post; the days of the posts'
// assignments are unioned first, so a deputy post overlapping the primary is not counted twice.
func (s *Service) posts(ctx context.Context, year int, subdistrict int64, subs []int64, now time.Time) ([]BonusRow, error) {
	from, to := yearRange(year)
	end := to
	if now.Before(end) {
		end = now
	}
	rows, err := s.db.Query(ctx, `WITH held AS (
			SELECT a.person_id, a.admin_unit_id, a.role, COALESCE(a.department_id, 0) AS dept, a.level,
			       bool_or(a.is_primary) AS is_primary, range_agg(a.valid * tstzrange($1, $2)) AS spans
			  FROM assignment_standing a
			  JOIN unit_directory u ON u.id = a.admin_unit_id AND u.level = 'subdistrict'
			 WHERE a.role = ANY($3) AND a.valid && tstzrange($1, $2)
			   AND ($4 = 0 OR a.admin_unit_id = $4) AND ($5::bigint[] IS NULL OR a.admin_unit_id = ANY($5))
			 GROUP BY 1, 2, 3, 4, 5)
		SELECT h.person_id, h.admin_unit_id, h.role, h.dept, h.level, h.is_primary,
		       COALESCE((SELECT sum(extract(epoch FROM upper(r) - lower(r))) FROM unnest(h.spans) r), 0)::float8,
		       COALESCE(p.name, ''), COALESCE(u.name, ''), COALESCE(d.name, '')
		  FROM held h
		  LEFT JOIN person_directory p ON p.id = h.person_id
		  LEFT JOIN unit_directory u ON u.id = h.admin_unit_id
		  LEFT JOIN department_directory d ON d.id = h.dept
		 ORDER BY u.name, h.admin_unit_id, d.name NULLS FIRST, h.dept, h.level, h.role, h.is_primary DESC, p.name, h.person_id`,
		from, end, cadrePostNames(), subdistrict, subs)
	if err != nil {
		return nil, translate(err, "cadre posts")
	}
	yearSec := to.Sub(from).Seconds()
	out := []BonusRow{}
	var r BonusRow
	var sec float64
	_, err = pgx.ForEachRow(rows, []any{&r.PersonID, &r.SubdistrictID, &r.Role, &r.DepartmentID, &r.Level, &r.Primary, &sec,
		&r.PersonName, &r.SubdistrictName, &r.DepartmentName}, func() error {
		r.Role, r.Level = r.Role.Canonical(), registry.Level(r.Level)
		r.DaysHeld = round1(sec / 86400)
		r.MonthsHeld = round1(sec * 12 / yearSec)
		out = append(out, r)
		return nil
	})
	return out, translate(err, "cadre posts")
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

func (s *Service) attachOpinions(ctx context.Context, year int, rows []BonusRow) error {
	if len(rows) == 0 {
		return nil
	}
	q, err := s.db.Query(ctx, opinionSelect+`
		WHERE o.year = $1 AND NOT EXISTS (SELECT 1 FROM cadre_opinion n WHERE n.supersedes = o.id)`, year)
	if err != nil {
		return translate(err, "opinions")
	}
	standing := map[Post]Opinion{}
	for q.Next() {
		o, err := scanOpinion(q)
		if err != nil {
			q.Close()
			return translate(err, "opinions")
		}
		o.Role = o.Role.Canonical()
		standing[o.Post] = o
	}
	if err := q.Err(); err != nil {
		return translate(err, "opinions")
	}
	for i := range rows {
		if o, ok := standing[rows[i].Post]; ok {
			rows[i].Opinion = &o
		}
	}
	return nil
}

// attachKPIs fills in each row's subdistrict figures and, for a department's post, that department's
// joint cases there — both through the incidents' KPI API, one table per subdistrict with posts of a
// department.
func (s *Service) attachKPIs(ctx context.Context, who access.Principal, p incidents.Period, subdistrict int64, rows []BonusRow) error {
	if len(rows) == 0 {
		return nil
	}
	league, err := s.incidents.KPIs(ctx, who, incidents.BySubdistrict, p, incidents.KPIFilter{SubdistrictID: subdistrict})
	if err != nil {
		return err
	}
	bySub := map[int64]incidents.KPIFigures{}
	for _, r := range league.Rows {
		bySub[r.ID] = r.KPIFigures
	}
	joint := map[int64]map[int64]int64{} // subdistrict → department → cases
	for i := range rows {
		r := &rows[i]
		f := bySub[r.SubdistrictID]
		r.Cases, r.ClosureRate, r.OnTimeRate, r.ReworkRate = f.Cases, f.ClosureRate, f.OnTimeRate, f.ReworkRate
		if r.DepartmentID == 0 {
			continue
		}
		depts, ok := joint[r.SubdistrictID]
		if !ok {
			rep, err := s.incidents.KPIs(ctx, who, incidents.ByDepartment, p, incidents.KPIFilter{SubdistrictID: r.SubdistrictID})
			if err != nil {
				return err
			}
			depts = map[int64]int64{}
			for _, d := range rep.Rows {
				depts[d.ID] = d.Cases
			}
			joint[r.SubdistrictID] = depts
		}
		n := depts[r.DepartmentID]
		r.JointCases = &n
	}
	return nil
}

// attachScores fills in each row's subdistrict assessment score from the assessment's published view.
func (s *Service) attachScores(ctx context.Context, year int, rows []BonusRow) error {
	q, err := s.db.Query(ctx, `SELECT subdistrict_id, round(avg(score), 2)::text, count(*) FROM assessment_published
		WHERE period_kind = 'quarter' AND extract(year FROM starts) = $1 GROUP BY subdistrict_id`, year)
	if err != nil {
		return fmt.Errorf("assessment scores: %w", err)
	}
	defer q.Close()
	type score struct {
		mean string
		n    int
	}
	by := map[int64]score{}
	for q.Next() {
		var sub int64
		var sc score
		if err := q.Scan(&sub, &sc.mean, &sc.n); err != nil {
			return fmt.Errorf("assessment score: %w", err)
		}
		by[sub] = sc
	}
	if err := q.Err(); err != nil {
		return fmt.Errorf("assessment scores: %w", err)
	}
	for i := range rows {
		if sc, ok := by[rows[i].SubdistrictID]; ok {
			mean := sc.mean
			rows[i].AssessmentScore, rows[i].AssessedQuarters = &mean, sc.n
		}
	}
	return nil
}
