package volunteers

import (
	"context"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"streetchief/internal/access"
	"streetchief/internal/funds"
)

// CommunityMonth is what a community's volunteers did in a month (Beijing), voided activities left out.
type CommunityMonth struct {
	SubdistrictID   int64   `json:"subdistrict_id"`
	SubdistrictName string  `json:"subdistrict_name"`
	CommunityID     int64   `json:"community_id"`
	CommunityName   string  `json:"community_name"`
	Month           string  `json:"month"` // YYYY-MM
	Activities      int     `json:"activities"`
	Participants    int     `json:"participants"`
	VolunteerHours  float64 `json:"volunteer_hours"`
}

// Totals is a year's activity in the caller's scope, by community and month and by month, with each
// contract's hours delivered against its target.
type Totals struct {
	Year      int              `json:"year"`
	Rows      []CommunityMonth `json:"rows"`
	ByMonth   []CommunityMonth `json:"by_month"` // community 0: everything in scope that month
	Contracts []Contract       `json:"contracts"`
}

// Totals sums the year's activities in the caller's scope.
func (s *Service) Totals(ctx context.Context, who access.Principal, year int) (Totals, error) {
	if err := reads(who); err != nil {
		return Totals{}, err
	}
	if err := funds.CheckYear(year); err != nil {
		return Totals{}, err
	}
	out := Totals{Year: year, Rows: []CommunityMonth{}, ByMonth: []CommunityMonth{}}
	pred, args := who.Scope.Predicate("a.subdistrict_id", "a.community_id", []any{year})
	rows, err := s.db.Query(ctx, `SELECT a.subdistrict_id, s.name, a.community_id, c.name, to_char(a.starts_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'),
			count(*), sum(a.participants)::bigint, sum(a.participants * a.hours_each)::float8
		FROM volunteer_activity a JOIN unit_directory c ON c.id = a.community_id JOIN unit_directory s ON s.id = a.subdistrict_id
		WHERE extract(year FROM a.starts_at AT TIME ZONE 'Asia/Shanghai') = $1
		  AND NOT EXISTS (SELECT 1 FROM volunteer_activity_void v WHERE v.activity_id = a.id) AND `+pred+`
		GROUP BY 1, 2, 3, 4, 5 ORDER BY 2, 4, 5`, args...)
	if err != nil {
		return out, translate(err, "totals")
	}
	months := map[string]*CommunityMonth{}
	for rows.Next() {
		var r CommunityMonth
		if err := rows.Scan(&r.SubdistrictID, &r.SubdistrictName, &r.CommunityID, &r.CommunityName, &r.Month, &r.Activities,
			&r.Participants, &r.VolunteerHours); err != nil {
			rows.Close()
			return out, translate(err, "totals")
		}
		out.Rows = append(out.Rows, r)
		m := months[r.Month]
		if m == nil {
			m = &CommunityMonth{Month: r.Month}
			months[r.Month] = m
		}
		m.Activities += r.Activities
		m.Participants += r.Participants
		m.VolunteerHours += r.VolunteerHours
	}
	if err := rows.Err(); err != nil {
		return out, translate(err, "totals")
	}
	for mo := 1; mo <= 12; mo++ {
		key := fmt.Sprintf("%04d-%02d", year, mo)
		if m := months[key]; m != nil {
			out.ByMonth = append(out.ByMonth, *m)
		} else {
			out.ByMonth = append(out.ByMonth, CommunityMonth{Month: key})
		}
	}
	if out.Contracts, err = s.Contracts(ctx, who, year); err != nil {
		return out, err
	}
	return out, nil
}

var totalsWords = map[string][]string{
	"zh": {"志愿服务统计", "街道", "社区", "月份", "活动数", "参与人次", "志愿服务时长（小时）", "合同", "服务组织", "年度", "合同金额（元）", "已付（元）", "未付（元）", "目标时长", "已完成时长"},
	"en": {"Volunteer totals", "Subdistrict", "Community", "Month", "Activities", "Participants", "Volunteer-hours", "Contracts", "Organisation", "Year", "Amount (yuan)", "Paid (yuan)", "Remaining (yuan)", "Hours target", "Hours delivered"},
}

// WriteXLSX writes the totals as a workbook: one sheet by community and month, one of contracts.
func (t Totals) WriteXLSX(w io.Writer, lang string) error {
	wd := totalsWords[lang]
	if wd == nil {
		wd = totalsWords["zh"]
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", wd[0]); err != nil {
		return err
	}
	if _, err := f.NewSheet(wd[7]); err != nil {
		return err
	}
	put := func(sheet string, rows [][]any) error {
		for j, row := range rows {
			cell, err := excelize.CoordinatesToCellName(1, j+1)
			if err != nil {
				return err
			}
			if err := f.SetSheetRow(sheet, cell, &row); err != nil {
				return fmt.Errorf("xlsx: %w", err)
			}
		}
		return f.SetColWidth(sheet, "A", "H", 16)
	}
	rows := [][]any{{wd[1], wd[2], wd[3], wd[4], wd[5], wd[6]}}
	for _, r := range t.Rows {
		rows = append(rows, []any{r.SubdistrictName, r.CommunityName, r.Month, r.Activities, r.Participants, r.VolunteerHours})
	}
	if err := put(wd[0], rows); err != nil {
		return err
	}
	rows = [][]any{{wd[8], wd[9], wd[10], wd[11], wd[12], wd[13], wd[14]}}
	for _, c := range t.Contracts {
		rows = append(rows, []any{c.OrgName, c.Year, float64(c.Yuan) / 100, float64(c.Paid) / 100, float64(c.Remaining) / 100, c.HoursTarget, c.HoursDelivered})
	}
	if err := put(wd[7], rows); err != nil {
		return err
	}
	return f.Write(w)
}
