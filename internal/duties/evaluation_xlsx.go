package duties

import (
	"context"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"streetchief/internal/access"
)

// Lang is the language of an export: "zh" (the default) or "en".
type Lang string

var gradeWords = map[Lang]map[Grade]string{
	"zh": {Excellent: "优秀", Qualified: "合格", BasicallyQualified: "基本合格", Unqualified: "不合格"},
	"en": {Excellent: "Excellent", Qualified: "Qualified", BasicallyQualified: "Basically qualified", Unqualified: "Unqualified"},
}

var exportWords = map[Lang]map[string]string{
	"zh": {"appraisal": "履职考评", "selection": "文明单位评选", "title": "%d年度党员文明建设履职考评表", "name": "姓名",
		"community": "社区", "unit": "单位", "item": "考评项目", "max": "分值", "points": "得分", "total": "总分", "grade": "等次",
		"evaluator": "考评人", "notes": "备注", "revision": "修订", "reason": "修订原因", "records": "履职记录(已确认)", "hours": "履职时长(小时)",
		"sel_title": "%d年度党员履职考评结果(文明单位评选依据)", "rank": "名次", "count": "%s: %d 人"},
	"en": {"appraisal": "Appraisal", "selection": "Civilised-unit selection", "title": "Party member's duty evaluation %d", "name": "Name",
		"community": "Community", "unit": "Unit", "item": "Item", "max": "Max points", "points": "Points", "total": "Total", "grade": "Grade",
		"evaluator": "Evaluator", "notes": "Notes", "revision": "Revision", "reason": "Reason of revision", "records": "Duty records (confirmed)", "hours": "Hours",
		"sel_title": "Party members' evaluations %d (basis of the civilised-unit selection)", "rank": "Rank", "count": "%s: %d"},
}

func wordsOf(lang Lang) map[string]string {
	if w, ok := exportWords[lang]; ok {
		return w
	}
	return exportWords["zh"]
}

func gradeWord(lang Lang, g Grade) string {
	if w, ok := gradeWords[lang]; ok {
		return w[g]
	}
	return gradeWords["zh"][g]
}

// WriteAppraisalXLSX writes one member's standing evaluation of a year, item by item, with the
// year's confirmed duty records: the sheet that goes into the member's own appraisal.
func (s *Service) WriteAppraisalXLSX(ctx context.Context, who access.Principal, w io.Writer, memberID int64, year int, lang Lang) error {
	m, err := s.Member(ctx, who, memberID)
	if err != nil {
		return err
	}
	hist, err := s.EvaluationHistory(ctx, who, memberID, year)
	if err != nil {
		return err
	}
	if len(hist) == 0 {
		return invalid("year", "member %d has no evaluation of %d", memberID, year)
	}
	e := hist[0]
	t, err := s.TemplateFor(ctx, year)
	if err != nil {
		return err
	}
	sum, err := s.YearSummary(ctx, who, year, "person")
	if err != nil {
		return err
	}
	var records int
	var hours float64
	for _, r := range sum.Rows {
		if r.MemberID == memberID {
			records, hours = r.Confirmed, r.Hours
		}
	}
	wd := wordsOf(lang)
	where := m.CommunityName
	if where == "" {
		where = m.UnitName
	}
	rows := [][]any{{fmt.Sprintf(wd["title"], year)}, {wd["name"], m.Name, wd["community"] + "/" + wd["unit"], where}, {},
		{wd["item"], wd["max"], wd["points"]}}
	for _, it := range t.Items {
		name := it.NameZh
		if lang == "en" {
			name = it.NameEn
		}
		rows = append(rows, []any{name, it.MaxPoints, e.Scores[it.Code]})
	}
	rows = append(rows, []any{wd["total"], 100, e.Total}, []any{wd["grade"], gradeWord(lang, e.Grade)},
		[]any{wd["records"], records}, []any{wd["hours"], hours}, []any{wd["evaluator"], e.Evaluator}, []any{wd["notes"], e.Notes},
		[]any{wd["revision"], e.Revision, wd["reason"], e.Reason})
	return writeSheet(w, wd["appraisal"], rows)
}

// WriteSelectionXLSX writes the standing evaluations of a community's or a unit's party members of a
// year, best first, with a count per grade: the basis of the unit's civilised-unit selection.
func (s *Service) WriteSelectionXLSX(ctx context.Context, who access.Principal, w io.Writer, f EvaluationFilter, lang Lang) error {
	evs, err := s.Evaluations(ctx, who, f)
	if err != nil {
		return err
	}
	wd := wordsOf(lang)
	rows := [][]any{{fmt.Sprintf(wd["sel_title"], f.Year)}, {wd["rank"], wd["name"], wd["community"], wd["unit"], wd["total"], wd["grade"], wd["evaluator"], wd["revision"]}}
	count := map[Grade]int{}
	for i, e := range evs {
		rows = append(rows, []any{i + 1, e.Name, e.Community, e.UnitName, e.Total, gradeWord(lang, e.Grade), e.Evaluator, e.Revision})
		count[e.Grade]++
	}
	rows = append(rows, []any{})
	for _, g := range Grades {
		rows = append(rows, []any{fmt.Sprintf(wd["count"], gradeWord(lang, g), count[g])})
	}
	return writeSheet(w, wd["selection"], rows)
}

func writeSheet(w io.Writer, sheet string, rows [][]any) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
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
	if err := f.SetColWidth(sheet, "A", "H", 18); err != nil {
		return err
	}
	return f.Write(w)
}
