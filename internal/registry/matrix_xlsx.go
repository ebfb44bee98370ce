package registry

import (
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// matrixWords are the workbook's labels: it is made for the offices that file it, in Chinese.
var matrixWords = map[string]string{
	"title": "定岗定人表", "asOf": "截至", "department": "部门", "streetChief": "街长", "linked": "挂钩领导",
	"cross": "市区交叉任职", "leader": "负责领导", "responsible": "负责人", "deputy": "副", "missing": "缺",
	string(CityLevel): "市级", string(DistrictLevel): "区级", "sep": "、",
}

// beijing is the time the workbook states: China keeps UTC+8 all year.
var beijing = time.FixedZone("Asia/Shanghai", 8*3600)

// WriteXLSX writes the matrix as one sheet laid out as the dashboard shows it: departments down,
// subdistricts across, the street chiefs, linked leaders and cross-appointees above the rows, and
// vacant cells filled red with what they are missing.
func (m DepartmentMatrix) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "定岗定人"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	red, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F4C7C3"}}, Font: &excelize.Font{Color: "9C0006"}})
	if err != nil {
		return err
	}
	put := func(row int, cells []any) error {
		at, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return f.SetSheetRow(sheet, at, &cells)
	}
	title := matrixWords["title"] + "（" + matrixWords["asOf"] + " " + m.At.In(beijing).Format("2006-01-02 15:04") + "）"
	if err := put(1, []any{title}); err != nil {
		return err
	}
	above := []struct {
		label string
		posts func(MatrixColumn) []PostHolder
	}{
		{"streetChief", func(c MatrixColumn) []PostHolder { return c.StreetChiefs }},
		{"linked", func(c MatrixColumn) []PostHolder { return c.LinkedLeaders }},
		{"cross", func(c MatrixColumn) []PostHolder { return c.CrossAppointees }},
	}
	header := []any{matrixWords["department"]}
	lines := make([][]any, len(above))
	for i, a := range above {
		lines[i] = []any{matrixWords[a.label]}
	}
	for _, c := range m.Subdistricts {
		header = append(header, c.Name)
		for i, a := range above {
			lines[i] = append(lines[i], holderLines(a.posts(c), true))
		}
	}
	if err := put(2, header); err != nil {
		return err
	}
	for i, l := range lines {
		if err := put(3+i, l); err != nil {
			return err
		}
	}
	first := 3 + len(lines)
	for i, d := range m.Departments {
		row := []any{d.Name}
		for _, c := range d.Cells {
			row = append(row, cellText(c))
		}
		if err := put(first+i, row); err != nil {
			return err
		}
		for j, c := range d.Cells {
			style := wrap
			if c.Vacant {
				style = red
			}
			at, err := excelize.CoordinatesToCellName(2+j, first+i)
			if err != nil {
				return err
			}
			if err := f.SetCellStyle(sheet, at, at, style); err != nil {
				return err
			}
		}
	}
	last, err := excelize.ColumnNumberToName(1 + max(1, len(m.Subdistricts)))
	if err != nil {
		return err
	}
	if err := f.SetColWidth(sheet, "A", "A", 16); err != nil {
		return err
	}
	if err := f.SetColWidth(sheet, "B", last, 30); err != nil {
		return err
	}
	// The department column and the subdistricts' names stay in view while the sheet scrolls.
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, XSplit: 1, YSplit: 2, TopLeftCell: "B3", ActivePane: "bottomRight"}); err != nil {
		return err
	}
	return f.Write(w)
}

// cellText writes a cell's leaders and responsible people a line each, and what a vacant one lacks.
func cellText(c MatrixCell) string {
	var b []string
	if len(c.Leaders) > 0 {
		b = append(b, matrixWords["leader"]+"："+holderLines(c.Leaders, false))
	}
	if len(c.Responsible) > 0 {
		b = append(b, matrixWords["responsible"]+"："+holderLines(c.Responsible, false))
	}
	if c.Vacant {
		missing := make([]string, len(c.Missing))
		for i, r := range c.Missing {
			missing[i] = matrixWords[map[PostRole]string{DepartmentLeader: "leader", DepartmentLiaison: "responsible"}[r]]
		}
		b = append(b, matrixWords["missing"]+"："+strings.Join(missing, matrixWords["sep"]))
	}
	return strings.Join(b, "\n")
}

// holderLines names each holder with level, deputy mark and phone (where given), and, for the posts
// above the rows, the department they are linked for.
func holderLines(ps []PostHolder, withDepartment bool) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		s := p.Name
		if p.Level != "" {
			s = matrixWords[string(p.Level)] + " " + s
		}
		if !p.Primary {
			s += "（" + matrixWords["deputy"] + "）"
		}
		if withDepartment && p.Department != "" {
			s += "（" + p.Department + "）"
		}
		if p.Phone != "" {
			s += " " + p.Phone
		}
		out[i] = s
	}
	return strings.Join(out, "\n")
}
