package reports

import (
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// sheetNames are the XLSX sheet titles, in Chinese for the offices that read them.
var sheetNames = map[string]string{
	"summary":      "汇总",
	KindUnassigned: "无责任人区域",
	KindTerritory:  "未覆盖地块",
	KindOverlaps:   "责任重叠",
	KindVacant:     "空缺岗位",
	KindWorkload:   "工作量",
	// 门前三包
	KindNoPledge:     "未签责任书商户",
	KindNoInspector:  "无包户人商户",
	KindNotInspected: "未巡查商户",
	KindOffSite:      "异地打卡",
	// 物业 (internal/partners)
	KindNoPartner: "无物业无自治组织小区",
	// 履职
	KindSilentDeputies: "久未履职代表",
	// 便民服务点 (internal/servicepoints)
	KindServicePointGaps: "便民服务点缺口",
}

// WriteXLSX writes a workbook with a summary sheet and a sheet per gap kind; numbers stay numbers.
func (r Report) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, t := range r.Tables() {
		name := sheetNames[t.Kind]
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		if err := f.SetSheetRow(name, "A1", &t.Header); err != nil {
			return err
		}
		for j, row := range t.Rows {
			cells := make([]any, len(row))
			for k, v := range row {
				if n, err := strconv.ParseFloat(v, 64); err == nil && t.Header[k] != "name" {
					cells[k] = n
				} else {
					cells[k] = v
				}
			}
			if err := f.SetSheetRow(name, fmt.Sprintf("A%d", j+2), &cells); err != nil {
				return err
			}
		}
		if err := f.SetColWidth(name, "A", "I", 16); err != nil {
			return err
		}
	}
	return f.Write(w)
}
