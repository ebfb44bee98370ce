package funds

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"streetchief/internal/apperr"
)

// Lang is the language of an export: "zh" (the default, for the finance office) or "en".
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

var words = map[Lang]map[string]string{
	"zh": {
		"balances": "经费余额", "entries": "经费明细", "title": "%d年度经费余额（单位：元）",
		"subdistrict": "街道", "fund": "经费", "payer": "承担方", "allocation": "拨付", "reward": "奖励", "penalty": "扣减",
		"spending": "支出", "correction": "更正", "balance": "余额", "count": "笔数", "total": "合计", "district_wide": "全区",
		"civilised_city": "创建文明城市工作经费", "volunteer_service": "志愿服务经费", "city": "市财政", "district": "区财政",
		"id": "编号", "year": "年度", "kind": "类别", "yuan": "金额", "effective": "更正后金额", "source": "来源", "source_id": "来源编号",
		"reason": "事由", "corrects": "更正的条目", "corrected_by": "被更正于", "created_at": "记账时间", "created_by": "记账人",
	},
	"en": {
		"balances": "Balances", "entries": "Entries", "title": "Funds balances %d (yuan)",
		"subdistrict": "Subdistrict", "fund": "Fund", "payer": "Payer", "allocation": "Allocation", "reward": "Rewards", "penalty": "Penalties",
		"spending": "Spending", "correction": "Corrections", "balance": "Balance", "count": "Entries", "total": "Total", "district_wide": "District-wide",
		"civilised_city": "Civilised-city work funds", "volunteer_service": "Volunteer services", "city": "City finance", "district": "District finance",
		"id": "ID", "year": "Year", "kind": "Kind", "yuan": "Amount", "effective": "Amount as corrected", "source": "Source", "source_id": "Source ID",
		"reason": "Reason", "corrects": "Corrects", "corrected_by": "Corrected by", "created_at": "Booked at", "created_by": "Booked by",
	},
}

func wordsOf(lang Lang) map[string]string {
	if w := words[lang]; w != nil {
		return w
	}
	return words["zh"]
}

func yuanNumber(a Amount) float64 { return float64(a) / 100 }

// WriteXLSX writes the balances as one sheet: a title, the header, a row per subdistrict, fund and
// payer, then the totals; amounts stay numbers with two decimals.
func (b Balances) WriteXLSX(w io.Writer, lang Lang) error {
	wd := wordsOf(lang)
	header := []any{wd["subdistrict"], wd["fund"], wd["payer"], wd["allocation"], wd["reward"], wd["penalty"], wd["spending"], wd["correction"], wd["balance"], wd["count"]}
	rows := [][]any{{fmt.Sprintf(wd["title"], b.Year)}, header}
	line := func(name string, r Balance) []any {
		fund, payer := wd[string(r.Fund)], wd[string(r.Payer)]
		return []any{name, fund, payer, yuanNumber(r.Allocation), yuanNumber(r.Rewards), yuanNumber(r.Penalties), yuanNumber(r.Spending),
			yuanNumber(r.Corrections), yuanNumber(r.Balance), r.Entries}
	}
	for _, r := range b.Rows {
		name := r.SubdistrictName
		if r.SubdistrictID == 0 {
			name = wd["district_wide"]
		}
		rows = append(rows, line(name, r))
	}
	for _, t := range b.Totals {
		rows = append(rows, line(wd["total"], t))
	}
	return writeSheet(w, wd["balances"], rows, "D3", fmt.Sprintf("I%d", len(rows)))
}

// WriteXLSX writes entries as one sheet, newest first as listed.
func (l EntryList) WriteXLSX(w io.Writer, lang Lang) error {
	rows := l.table(wordsOf(lang), true)
	return writeSheet(w, wordsOf(lang)["entries"], rows, "G2", fmt.Sprintf("H%d", len(rows)))
}

// WriteCSV writes entries as CSV with the same columns, amounts as exact decimal text.
func (l EntryList) WriteCSV(w io.Writer, lang Lang) error {
	cw := csv.NewWriter(w)
	for _, row := range l.table(wordsOf(lang), false) {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = fmt.Sprint(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// EntryList is a listing of entries, for export.
type EntryList []Record

func (l EntryList) table(wd map[string]string, numbers bool) [][]any {
	rows := [][]any{{wd["id"], wd["year"], wd["subdistrict"], wd["fund"], wd["payer"], wd["kind"], wd["yuan"], wd["effective"], wd["source"], wd["source_id"],
		wd["reason"], wd["corrects"], wd["corrected_by"], wd["created_at"], wd["created_by"]}}
	for _, r := range l {
		name := r.SubdistrictName
		if r.SubdistrictID == 0 {
			name = wd["district_wide"]
		}
		kind := wd[string(r.Kind)]
		var amount, eff any = r.Yuan.String(), r.Effective.String()
		if numbers {
			amount, eff = yuanNumber(r.Yuan), yuanNumber(r.Effective)
		}
		corrects, by := "", ""
		if r.Corrects != nil {
			corrects = strconv.FormatInt(*r.Corrects, 10)
		}
		for i, id := range r.CorrectedBy {
			if i > 0 {
				by += " "
			}
			by += strconv.FormatInt(id, 10)
		}
		rows = append(rows, []any{r.ID, r.Year, name, wd[string(r.Fund)], wd[string(r.Payer)], kind, amount, eff, r.SourceType, r.SourceID,
			r.Reason, corrects, by, r.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"), r.CreatedBy})
	}
	return rows
}

func writeSheet(w io.Writer, sheet string, rows [][]any, from, to string) error {
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
	money, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		return err
	}
	if len(rows) > 1 {
		if err := f.SetCellStyle(sheet, from, to, money); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(sheet, "A", "O", 16); err != nil {
		return err
	}
	return f.Write(w)
}
