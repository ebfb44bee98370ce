package merchants

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes the coverage table as a workbook whose counts and rates stay numbers, with a
// second sheet stating the period and the definitions. The credible and suspect columns follow the
// older ones, so a sheet read by column letter still reads.
func (c Coverage) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "门前三包覆盖"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	rows := [][]any{{map[CoverageBy]string{ByCommunity: "社区", BySubdistrict: "街道", ByInspector: "督查员"}[c.By], "商户数",
		"已签责任书", "签订率%", "已包户到人", "包户率%", "当日已巡查", "当日巡查率%", "本周已巡查", "本周巡查率%",
		"本期已巡查", "本期巡查率%", "巡查次数", "发现违规", "异地打卡", "异地打卡占比%",
		"当日有效巡查", "当日有效巡查率%", "本周有效巡查", "本周有效巡查率%", "本期有效巡查", "本期有效巡查率%", "可疑打卡", "可疑打卡占比%"}}
	for _, r := range append(c.Rows, c.Total) {
		rows = append(rows, []any{r.Name, r.Shops, r.Pledged, r.PledgedPct, r.WithInspector, r.WithInspectorPct, r.InspectedDay,
			r.InspectedDayPct, r.InspectedWeek, r.InspectedWeekPct, r.InspectedPeriod, r.InspectedPeriodPct, r.Inspections,
			r.Violations, r.OffSite, r.OffSiteShare, r.CredibleDay, r.CredibleDayPct, r.CredibleWeek, r.CredibleWeekPct, r.CrediblePeriod,
			r.CrediblePeriodPct, r.Suspect, r.SuspectShare})
	}
	if err := putRows(f, sheet, rows); err != nil {
		return err
	}
	if _, err := f.NewSheet("说明"); err != nil {
		return err
	}
	notes := [][]any{{"by", string(c.By)}, {"period", c.Period.Kind + " " + c.Period.Label}, {"day", c.Period.Day},
		{"from", c.Period.From}, {"to", c.Period.To}, {"definitions", c.Definitions}}
	if err := putRows(f, "说明", notes); err != nil {
		return err
	}
	return f.Write(w)
}

func putRows(f *excelize.File, sheet string, rows [][]any) error {
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
