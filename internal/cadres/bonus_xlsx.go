package cadres

import (
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
)

// Lang is the language of an export: "zh" (the default, for the personnel office) or "en".
type Lang string

// ParseLang checks lang= from outside.
func ParseLang(s string) (Lang, error) {
	switch s {
	case "", "zh", "zh-CN":
		return "zh", nil
	case "en":
		return "en", nil
	}
	return "", apperr.New(apperr.Malformed, "lang %q is not one of zh, en", s).With("field", "lang")
}

// words are the export's texts in each language; every key has both.
var words = map[Lang]map[string]string{
	"zh": {
		"sheet": "奖金挂钩表", "title": "%d年度挂钩干部奖金挂钩表（生成时间：%s 北京时间）",
		"person": "姓名", "department": "部门", "level": "层级", "post": "岗位", "primary": "主/副", "subdistrict": "街道",
		"days": "在岗天数", "months": "在岗月数", "rating": "街长意见", "text": "意见说明", "corrected": "已更正",
		"score": "街道考评得分", "quarters": "已发布季度数", "cases": "街道案件数", "closure": "结案率", "on_time": "按期结案率", "rework": "返工率", "joint": "部门联合执法案件数",
		"city": "市级", "district": "区级", "yes": "是", "no": "否", "main": "主", "deputy": "副",
		"department_leader": "负责领导", "department_liaison": "负责人", "linked_leader": "挂钩领导", "cross_appointee": "交叉任职",
		"excellent": "优秀", "competent": "称职", "basically_competent": "基本称职", "incompetent": "不称职", "none": "未填写",
	},
	"en": {
		"sheet": "Bonus basis", "title": "Linked cadres' bonus basis %d (generated %s Beijing time)",
		"person": "Name", "department": "Department", "level": "Level", "post": "Post", "primary": "Primary/deputy", "subdistrict": "Subdistrict",
		"days": "Days held", "months": "Months held", "rating": "Street chief's opinion", "text": "Opinion text", "corrected": "Corrected",
		"score": "Subdistrict's assessment score", "quarters": "Quarters published", "cases": "Subdistrict cases", "closure": "Closure rate", "on_time": "On-time closure rate", "rework": "Rework rate", "joint": "Department's joint cases",
		"city": "City", "district": "District", "yes": "yes", "no": "no", "main": "primary", "deputy": "deputy",
		"department_leader": "Responsible leader", "department_liaison": "Responsible person", "linked_leader": "Linked leader", "cross_appointee": "Cross-appointee",
		"excellent": "Excellent", "competent": "Competent", "basically_competent": "Basically competent", "incompetent": "Incompetent", "none": "none recorded",
	},
}

var basisNote = map[Lang]string{"zh": ScoreBasisZH, "en": ScoreBasis}

// WriteXLSX writes the table as a workbook for the personnel office: a title row with the year and
// the time it was made, the note on what the score is, the header, then one row per cadre post;
// counts and rates stay numbers (rates formatted as percentages).
func (t BonusTable) WriteXLSX(w io.Writer, lang Lang) error {
	wd := words[lang]
	if wd == nil {
		wd, lang = words["zh"], "zh"
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := wd["sheet"]
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10})
	if err != nil {
		return err
	}
	keys := []string{"person", "department", "level", "post", "primary", "subdistrict", "days", "months", "rating", "text",
		"corrected", "score", "quarters", "cases", "closure", "on_time", "rework", "joint"}
	header := make([]any, len(keys))
	for i, k := range keys {
		header[i] = wd[k]
	}
	rows := [][]any{
		{fmt.Sprintf(wd["title"], t.Year, t.GeneratedAt.In(incidents.Beijing).Format("2006-01-02 15:04"))},
		{basisNote[lang]},
		header,
	}
	for _, r := range t.Rows {
		rating, text, corrected := wd["none"], "", ""
		if o := r.Opinion; o != nil {
			rating, text, corrected = wd[string(o.Rating)], o.Text, wd["no"]
			if o.Supersedes != nil {
				corrected = wd["yes"]
			}
		}
		primary := wd["deputy"]
		if r.Primary {
			primary = wd["main"]
		}
		var joint any = ""
		if r.JointCases != nil {
			joint = *r.JointCases
		}
		var score any = ""
		if r.AssessmentScore != nil {
			score, _ = strconv.ParseFloat(*r.AssessmentScore, 64)
		}
		rows = append(rows, []any{r.PersonName, r.DepartmentName, wd[string(r.Level)], wd[string(r.Role)], primary, r.SubdistrictName,
			r.DaysHeld, r.MonthsHeld, rating, text, corrected, score, r.AssessedQuarters, r.Cases, rate(r.ClosureRate), rate(r.OnTimeRate), rate(r.ReworkRate), joint})
	}
	for j, row := range rows {
		cell, err := excelize.CoordinatesToCellName(1, j+1)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	if len(t.Rows) > 0 {
		if err := f.SetCellStyle(sheet, "M4", fmt.Sprintf("O%d", len(t.Rows)+3), pct); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(sheet, "A", "P", 14); err != nil {
		return err
	}
	if err := f.SetColWidth(sheet, "J", "J", 40); err != nil {
		return err
	}
	return f.Write(w)
}

// rate is a ratio as a number for the sheet, or empty where it has no denominator.
func rate(r incidents.Ratio) any {
	if r.Rate == "" {
		return ""
	}
	v, err := strconv.ParseFloat(r.Rate, 64)
	if err != nil {
		return r.Rate
	}
	return v
}
