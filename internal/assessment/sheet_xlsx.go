package assessment

import (
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"streetchief/internal/incidents"
	"streetchief/internal/policy"
)

// WriteXLSX writes the result as a workbook: the ranking with scores and outcomes on one sheet, every
// item's points per subdistrict on another. Scores stay numbers with two decimals; a missing mark is
// an empty cell, never a zero, so a sum over the column cannot pass it off as scored.
func (r Result) WriteXLSX(out io.Writer, lang Lang) error {
	w, lang := wordsOf(lang)
	f := excelize.NewFile()
	defer f.Close()
	ranking, items := w["workbook_ranking"], w["workbook_items"]
	if err := f.SetSheetName("Sheet1", ranking); err != nil {
		return err
	}
	if _, err := f.NewSheet(items); err != nil {
		return err
	}
	two, err := f.NewStyle(&excelize.Style{NumFmt: 2})
	if err != nil {
		return err
	}
	title := fmt.Sprintf(w["title"], periodName(r.Period, lang)) + " · " + r.stateText(w) + " · " +
		fmt.Sprintf(w["asof"], r.AsOf.In(incidents.Beijing).Format("2006-01-02 15:04"))
	quarter := r.Period.Kind == Quarter
	header := []any{w["rank"], w["subdistrict"], w["score"]}
	if quarter {
		header = append(header, w["sheet_total"], w["months_average"])
	}
	header = append(header, w["outcome"], w["yuan"], w["reason"])
	rows := [][]any{{title}, {fmt.Sprintf(w["sheet"], r.Sheet.Name, r.Sheet.Version)}, header}
	for _, row := range r.Rows {
		base := []any{row.Rank, row.Name, number(row.Score)}
		if quarter {
			var avg any = ""
			if row.MonthsAverage != nil {
				avg = number(*row.MonthsAverage)
			}
			base = append(base, number(row.SheetTotal), avg)
		}
		if len(row.Outcomes) == 0 {
			rows = append(rows, base)
		}
		for i, o := range row.Outcomes {
			text := o.Text
			if lang == "zh" && o.TextZH != "" {
				text = o.TextZH
			}
			line := base
			if i > 0 {
				line = make([]any, len(base))
				for j := range line {
					line[j] = ""
				}
			}
			rows = append(rows, append(append([]any{}, line...), w[o.Kind], o.Yuan, text))
		}
	}
	if err := setRows(f, ranking, rows); err != nil {
		return err
	}
	if err := f.SetColStyle(ranking, "C:E", two); err != nil {
		return err
	}
	if err := f.SetColWidth(ranking, "A", "H", 14); err != nil {
		return err
	}
	last := "F"
	if quarter {
		last = "H"
	}
	if err := f.SetColWidth(ranking, last, last, 80); err != nil {
		return err
	}

	header = []any{w["item"], w["max"], w["source"]}
	for _, row := range r.Rows {
		header = append(header, row.Name)
	}
	grid := [][]any{{title}, header}
	for _, it := range r.Sheet.Items {
		name := it.NameZH
		if lang == "en" {
			name = it.NameEN
		}
		line := []any{name, number(it.MaxPoints), w[string(it.Source)]}
		for _, row := range r.Rows {
			var v any = ""
			for _, l := range row.Lines {
				if l.Code == it.Code && l.Points != nil {
					v = number(*l.Points)
				}
			}
			line = append(line, v)
		}
		grid = append(grid, line)
	}
	if err := setRows(f, items, grid); err != nil {
		return err
	}
	if err := f.SetColWidth(items, "A", "A", 36); err != nil {
		return err
	}
	end, err := excelize.ColumnNumberToName(3 + len(r.Rows))
	if err != nil {
		return err
	}
	if err := f.SetColStyle(items, "B:"+end, two); err != nil {
		return err
	}
	return f.Write(out)
}

func setRows(f *excelize.File, sheet string, rows [][]any) error {
	for j, row := range rows {
		cell, err := excelize.CoordinatesToCellName(1, j+1)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	return nil
}

// number is a score as the spreadsheet's number; hundredths are exact in a float64's two decimals.
func number(s policy.Score) float64 {
	v, _ := strconv.ParseFloat(s.String(), 64)
	return v
}
