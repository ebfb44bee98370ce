package assessment

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/xuri/excelize/v2"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/policy"
)

// YearRow is a subdistrict's year as its published quarters left it: the basis of the outcomes the
// assessment is linked to — civilised-unit selection (文明单位评选), the cadres' year-end performance
// (干部年度考核) and the comprehensive-governance assessment (综治平安考核).
type YearRow struct {
	SubdistrictID      int64           `json:"subdistrict_id"`
	Name               string          `json:"name"`
	Quarters           []*policy.Score `json:"quarters"` // Q1..Q4, nil: not published
	Average            *policy.Score   `json:"average"`  // of the four, half up; nil until all four are published
	Rank               int             `json:"rank,omitempty"`
	Commended          bool            `json:"commended"`
	RewardYuan         int64           `json:"reward_yuan"`
	PenaltyYuan        int64           `json:"penalty_yuan"`
	Interviews         int             `json:"interviews"`
	PublicExplanations int             `json:"public_explanations"`
}

// YearTable is every subdistrict's year.
type YearTable struct {
	Year int       `json:"year"`
	Rows []YearRow `json:"rows"`
}

// Year reads the year's standing quarterly results and outcomes.
func (s *Service) Year(ctx context.Context, who access.Principal, year int) (YearTable, error) {
	if err := may(who, "read"); err != nil {
		return YearTable{}, err
	}
	if year < 2000 || year > s.now().Year() {
		return YearTable{}, invalid("year", "year %d is not one the assessment can have", year)
	}
	t := YearTable{Year: year}
	subs, err := subdistricts(ctx, s.db)
	if err != nil {
		return t, err
	}
	at := map[int64]int{}
	for i, sd := range subs {
		at[sd.ID] = i
		t.Rows = append(t.Rows, YearRow{SubdistrictID: sd.ID, Name: sd.Name, Quarters: make([]*policy.Score, 4)})
	}
	rows, err := s.db.Query(ctx, `SELECT v.subdistrict_id, extract(month FROM v.starts)::int, v.score::text,
		COALESCE(sum(o.yuan) FILTER (WHERE o.kind = 'reward'), 0), COALESCE(sum(o.yuan) FILTER (WHERE o.kind = 'penalty'), 0),
		count(o.id) FILTER (WHERE o.kind = 'interview'), count(o.id) FILTER (WHERE o.kind = 'public_explanation'),
		count(o.id) FILTER (WHERE o.kind = 'commendation')
		FROM assessment_published v LEFT JOIN assessment_outcome o ON o.publication_id = v.publication_id AND o.subdistrict_id = v.subdistrict_id
		WHERE v.period_kind = 'quarter' AND extract(year FROM v.starts) = $1 GROUP BY 1, 2, 3`, year)
	if err != nil {
		return t, wrap("year", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sub int64
		var month, interviews, public, commended int
		var text string
		var reward, penalty int64
		if err := rows.Scan(&sub, &month, &text, &reward, &penalty, &interviews, &public, &commended); err != nil {
			return t, wrap("year", err)
		}
		i, ok := at[sub]
		if !ok {
			continue
		}
		v, err := storedScore(text)
		if err != nil {
			return t, err
		}
		r := &t.Rows[i]
		r.Quarters[(month-1)/3] = &v
		r.RewardYuan += reward
		r.PenaltyYuan += penalty
		r.Interviews += interviews
		r.PublicExplanations += public
		r.Commended = r.Commended || commended > 0
	}
	if err := rows.Err(); err != nil {
		return t, wrap("year", err)
	}
	for i := range t.Rows {
		r := &t.Rows[i]
		if slices.Contains(r.Quarters, nil) {
			continue
		}
		var sum policy.Score
		for _, q := range r.Quarters {
			sum += *q
		}
		avg := (sum + 2) / 4 // half up, as the rules average
		r.Average = &avg
	}
	for i := range t.Rows {
		if t.Rows[i].Average == nil {
			continue
		}
		t.Rows[i].Rank = 1
		for j := range t.Rows {
			if t.Rows[j].Average != nil && *t.Rows[j].Average > *t.Rows[i].Average {
				t.Rows[i].Rank++
			}
		}
	}
	return t, nil
}

// linkedUses are the sheets of the export: the year's table as each office that uses it reads it.
var linkedUses = []struct{ sheet, note string }{
	{"年度考评结果", "街长制年度考评结果（季度考评得分及年度平均，奖惩、约谈及公开说明）"},
	{"文明单位评选", "供文明单位评选参考：年度平均得分不低于85分且排名前三的街道获集体表彰；有约谈或公开说明记录的街道应审慎推荐"},
	{"干部年度考核", "供街道主要领导年度绩效考核参考：以街道年度考评得分及排名为依据"},
	{"综治平安考核", "供综治平安考核参考：以街道年度考评得分、扣减及约谈记录为依据"},
}

// WriteXLSX writes the year's table once per office that uses it, each sheet headed by its use.
func (t YearTable) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	header := []any{"街道", "第一季度", "第二季度", "第三季度", "第四季度", "年度平均", "年度排名", "集体表彰", "奖励（元）", "扣减（元）", "约谈次数", "公开说明次数"}
	for k, use := range linkedUses {
		if k == 0 {
			if err := f.SetSheetName("Sheet1", use.sheet); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(use.sheet); err != nil {
			return err
		}
		rows := [][]any{{fmt.Sprintf("%d年度 %s（导出时间 %s）", t.Year, use.note, time.Now().Format("2006-01-02 15:04"))}, header}
		for _, r := range t.Rows {
			line := []any{r.Name}
			for _, q := range r.Quarters {
				line = append(line, scoreCell(q))
			}
			rank := any("")
			if r.Rank > 0 {
				rank = r.Rank
			}
			commended := "否"
			if r.Commended {
				commended = "是"
			}
			line = append(line, scoreCell(r.Average), rank, commended, r.RewardYuan, r.PenaltyYuan, r.Interviews, r.PublicExplanations)
			rows = append(rows, line)
		}
		for j, row := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, j+1)
			if err := f.SetSheetRow(use.sheet, cell, &row); err != nil {
				return apperr.New(apperr.Internal, "xlsx: %v", err)
			}
		}
		if err := f.SetColWidth(use.sheet, "A", "L", 14); err != nil {
			return err
		}
	}
	return f.Write(w)
}

func scoreCell(s *policy.Score) any {
	if s == nil {
		return ""
	}
	return float64(*s) / 100
}
