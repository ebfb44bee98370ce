package monthly

import (
	"fmt"
	"html/template"
	"io"
	"strconv"

	"streetchief/internal/draw"
	"streetchief/internal/incidents"
	"streetchief/internal/reports"
)

// WriteHTML writes the report in Chinese for A4 paper, everything inline: printing it, or rendering
// it to PDF, fetches nothing.
func (r Report) WriteHTML(w io.Writer) error {
	unit := "街道"
	if r.Subdistrict != 0 {
		unit = "社区"
	}
	weeks := draw.Bars{Width: 700, Height: 200, Series: []draw.Series{
		{Name: "当周立案", Colour: "#4c78a8"}, {Name: "其中至周末已结案", Colour: "#59a14f"}}}
	for _, wk := range r.Weeks {
		weeks.Categories = append(weeks.Categories, wk.Label)
		weeks.Series[0].Values = append(weeks.Series[0].Values, float64(wk.Cases))
		weeks.Series[1].Values = append(weeks.Series[1].Values, float64(wk.Closed))
	}
	summary := r.Gaps.PrintSummary(reports.Chinese)
	if r.Subdistrict == 0 {
		// The district's report lists subdistricts; their communities are in each subdistrict's own.
		rows := summary.Rows[:0:0]
		for _, row := range summary.Rows {
			if row.Total {
				cells := append([]string{row.Cells[0]}, row.Cells[2:]...)
				rows = append(rows, reports.PrintRow{Cells: cells})
			}
		}
		summary.Rows = rows
		summary.Header = append([]string{summary.Header[0]}, summary.Header[2:]...)
		summary.Numeric = append([]bool{false}, summary.Numeric[2:]...)
	}
	var gapM2, overlapM2 float64
	for _, g := range r.Gaps.Territory {
		gapM2 += g.AreaM2
	}
	for _, o := range r.Gaps.Overlaps {
		overlapM2 += o.AreaM2
	}
	return monthlyPage.Execute(w, map[string]any{
		"R":       r,
		"Title":   fmt.Sprintf("%s城市管理月报（%d年%d月）", r.ScopeName, r.Period.From.Year(), int(r.Period.From.Month())),
		"Period":  r.Period.From.Format("2006年1月2日") + "至" + r.Period.To.AddDate(0, 0, -1).Format("2006年1月2日") + "（北京时间）",
		"AsOf":    reports.Chinese.Time(r.AsOf),
		"GapsAt":  reports.Chinese.Time(r.GapsAt),
		"Unit":    unit,
		"Style":   template.CSS(reports.PrintStyle),
		"Total":   r.KPIs.Total,
		"Chart":   template.HTML(weeks.SVG()), // draw escapes every text it writes
		"Map":     r.Gaps.PrintMap(reports.Chinese, "monthly-gaps", 718, 500),
		"Summary": summary,
		"GapM2":   reports.Chinese.Area(gapM2),
		"OverM2":  reports.Chinese.Area(overlapM2),
		"Cases":   r.KPIs.Total.Cases,
	})
}

// percent is a rate as printed: 87.5%, or — where there is nothing to divide by.
func percent(r incidents.Ratio) string {
	if r.Percent == "" {
		return "—"
	}
	return r.Percent + "%"
}

// change is a rate's move against the previous month in percentage points, with its arrow.
func change(now, before incidents.Ratio) string {
	if now.Percent == "" || before.Percent == "" {
		return "—"
	}
	a, _ := strconv.ParseFloat(now.Percent, 64)
	b, _ := strconv.ParseFloat(before.Percent, 64)
	d := a - b
	switch {
	case d > 0.005:
		return fmt.Sprintf("↑ %.1f", d)
	case d < -0.005:
		return fmt.Sprintf("↓ %.1f", -d)
	}
	return "→ 0"
}

// duration states a time to close as a leader reads it: minutes, hours or days.
func duration(sec *float64) string {
	if sec == nil {
		return "—"
	}
	switch s := *sec; {
	case s < 3600:
		return fmt.Sprintf("%.0f 分钟", s/60)
	case s < 48*3600:
		return fmt.Sprintf("%.1f 小时", s/3600)
	default:
		return fmt.Sprintf("%.1f 天", s/86400)
	}
}

func unitName(row incidents.KPIRow) string {
	if row.ID == 0 {
		return "未落入任何单元"
	}
	if row.Name == "" {
		return "#" + strconv.FormatInt(row.ID, 10)
	}
	return row.Name
}

func share(n, of int64) string {
	if of == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", float64(n)*100/float64(of))
}

var monthlyPage = template.Must(template.New("monthly").Funcs(template.FuncMap{
	"percent": percent, "change": change, "duration": duration, "unit": unitName, "share": share,
	"inc": func(i int) int { return i + 1 },
}).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{{.Title}}</title>
<style>{{.Style}}</style>
<style>@page { @top-left { content: "{{.Title}}"; } }</style>
</head><body>
<h1>{{.Title}}</h1>
<div class="meta">统计期：{{.Period}} · 生成于 {{.AsOf}}</div>

<h2>一、主要指标</h2>
<div class="kpis">
<div class="kpi"><small>案件数（立案）</small><b>{{.Total.Cases}}</b><small>应结案 {{.Total.Due}}，不予受理或重复 {{.Total.Excluded}}</small></div>
<div class="kpi"><small>结案率</small><b>{{percent .Total.ClosureRate}}</b><small>结案 {{.Total.Closed}} / 应结案 {{.Total.Due}} · 较上月 {{change .Total.ClosureRate .Total.Previous.ClosureRate}}</small></div>
<div class="kpi"><small>按期结案率</small><b>{{percent .Total.OnTimeRate}}</b><small>按期 {{.Total.OnTime}} / 应结案 {{.Total.Due}} · 较上月 {{change .Total.OnTimeRate .Total.Previous.OnTimeRate}}</small></div>
<div class="kpi"><small>返工率</small><b>{{percent .Total.ReworkRate}}</b><small>返工 {{.Total.Reworked}} / 处置 {{.Total.Handled}} · 较上月 {{change .Total.ReworkRate .Total.Previous.ReworkRate}}</small></div>
<div class="kpi"><small>结案用时（中位数）</small><b>{{duration .Total.MedianCloseSec}}</b><small>上月 {{duration .Total.Previous.MedianCloseSec}}</small></div>
<div class="kpi"><small>结案用时（90% 分位）</small><b>{{duration .Total.P90CloseSec}}</b><small>上月 {{duration .Total.Previous.P90CloseSec}}</small></div>
<div class="kpi"><small>当前超期在办</small><b>{{.Total.OverdueNow}}</b><small>截至生成时，不限立案月份</small></div>
<div class="kpi"><small>上月案件数</small><b>{{.Total.Previous.Cases}}</b><small>结案率 {{percent .Total.Previous.ClosureRate}}</small></div>
</div>

<h2>二、{{.Unit}}排名</h2>
{{if .R.KPIs.Rows}}<table><thead><tr><th class="n">排名</th><th>{{.Unit}}</th><th class="n">案件数</th><th class="n">结案数</th><th class="n">结案率</th><th class="n">较上月（百分点）</th><th class="n">按期结案率</th><th class="n">较上月（百分点）</th><th class="n">返工率</th><th class="n">超期在办</th></tr></thead><tbody>
{{range .R.KPIs.Rows}}<tr><td class="n">{{.Rank}}</td><td>{{unit .}}</td><td class="n">{{.Cases}}</td><td class="n">{{.Closed}}</td><td class="n">{{percent .ClosureRate}}</td><td class="n">{{change .ClosureRate .Previous.ClosureRate}}</td><td class="n">{{percent .OnTimeRate}}</td><td class="n">{{change .OnTimeRate .Previous.OnTimeRate}}</td><td class="n">{{percent .ReworkRate}}</td><td class="n">{{.OverdueNow}}</td></tr>
{{end}}<tr class="total"><td></td><td>合计</td><td class="n">{{.Total.Cases}}</td><td class="n">{{.Total.Closed}}</td><td class="n">{{percent .Total.ClosureRate}}</td><td class="n">{{change .Total.ClosureRate .Total.Previous.ClosureRate}}</td><td class="n">{{percent .Total.OnTimeRate}}</td><td class="n">{{change .Total.OnTimeRate .Total.Previous.OnTimeRate}}</td><td class="n">{{percent .Total.ReworkRate}}</td><td class="n">{{.Total.OverdueNow}}</td></tr>
</tbody></table>
<p class="note">按结案率、按期结案率、返工率（低者在前）、案件数依次排序；较上月为与上月比率之差。</p>{{else}}<p>本月无案件。</p>{{end}}

<h2>三、每周趋势</h2>
<figure>{{.Chart}}<figcaption>按自然周（周一至周日，月初月末不足一周者按实际天数）统计：当周立案数，及其中至该周末已结案数。</figcaption></figure>

<h2>四、问题高发点位与类别</h2>
<h3>案件最多的管理区域</h3>
{{if .R.Spots}}<table><thead><tr><th class="n">排名</th><th>区域</th><th class="n">案件数</th><th class="n">结案率</th><th class="n">超期在办</th></tr></thead><tbody>
{{range $i, $s := .R.Spots}}<tr><td class="n">{{inc $i}}</td><td>{{unit $s}}</td><td class="n">{{$s.Cases}}</td><td class="n">{{percent $s.ClosureRate}}</td><td class="n">{{$s.OverdueNow}}</td></tr>
{{end}}
</tbody></table>{{else}}<p>无。</p>{{end}}
<h3>案件最多的类别</h3>
{{if .R.Categories}}<table><thead><tr><th class="n">排名</th><th>类别</th><th class="n">案件数</th><th class="n">占全部案件</th></tr></thead><tbody>
{{range $i, $c := .R.Categories}}<tr><td class="n">{{inc $i}}</td><td>{{$c.NameZh}}</td><td class="n">{{$c.Cases}}</td><td class="n">{{share $c.Cases $.Cases}}</td></tr>
{{end}}</tbody></table>{{else}}<p>无。</p>{{end}}

<h2>五、全覆盖缺口</h2>
<p>截至 {{.GapsAt}}：无人负责区域 {{len .R.Gaps.Unassigned}} 处，未覆盖地块 {{len .R.Gaps.Territory}} 块{{if .R.Gaps.Territory}}共 {{.GapM2}}{{end}}，责任重叠 {{len .R.Gaps.Overlaps}} 处{{if .R.Gaps.Overlaps}}共 {{.OverM2}}{{end}}，空缺岗位 {{len .R.Gaps.Vacant}} 个。各处明细见全覆盖缺口报告。</p>
<figure>{{.Map}}<figcaption class="legend">红色斜线为缺口，过小者以红点标示；圈内编号为全覆盖缺口报告中的序号。粗线为街道界，虚线为社区界，浅绿为管理区域。</figcaption></figure>
<table><thead><tr>{{range $i, $h := .Summary.Header}}<th{{if index $.Summary.Numeric $i}} class="n"{{end}}>{{$h}}</th>{{end}}</tr></thead><tbody>
{{range .Summary.Rows}}<tr{{if .Total}} class="total"{{end}}>{{range $i, $c := .Cells}}<td{{if index $.Summary.Numeric $i}} class="n"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</tbody></table>

<h2>口径说明</h2>
<p class="note">案件数为统计期内（北京时间）立案的案件；应结案数 = 案件数 − 不予受理或重复；结案数为其中至期末已结案者（已处置待核查不计，结案后又重新打开者不计）；按期结案数为其中结案前未曾超期者；处置数为其中期末前曾处置或结案者；返工数为其中处置或结案后被重新打开者。结案率 = 结案数 ÷ 应结案数，按期结案率 = 按期结案数 ÷ 应结案数，返工率 = 返工数 ÷ 处置数。结案用时为结案数中自立案至结案的时长。当前超期在办为生成报告时仍在办且已超过时限的案件，不限立案时间。面积按 CGCS2000 高斯-克吕格投影计算，1 亩 ≈ 666.7 平方米。</p>
</body></html>
`))
