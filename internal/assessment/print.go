package assessment

import (
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"

	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/internal/reports"
)

// Lang is the language of a printed sheet or workbook: "zh" (the default, for the district) or "en".
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

// printWords are the printed sheet's and the workbook's texts; every key has both languages.
var printWords = map[Lang]map[string]string{
	"zh": {
		"title": "%s考评结果", "month": "月度考评", "quarter": "季度考评", "draft": "草稿（未发布）", "published": "已发布 第%d次修订",
		"sheet": "考评细则：%s（第%d版）", "asof": "生成时间：%s（北京时间）", "ranking": "一、排名", "outcomes": "二、奖惩及理由",
		"items": "三、各项得分", "revisions": "四、发布与修订记录",
		"rank": "名次", "subdistrict": "街道", "score": "得分", "sheet_total": "本期考评分", "months_average": "月度平均分",
		"outcome": "奖惩", "rule": "规则", "yuan": "金额（元）", "reason": "理由", "none": "本期无奖惩。", "missing": "待录入",
		"revision": "修订", "published_at": "发布时间", "published_by": "发布人", "first": "首次发布",
		"reward": "奖励", "penalty": "扣减", "interview": "约谈", "public_explanation": "公开说明", "commendation": "集体表彰", "note": "说明",
		"workbook_ranking": "排名", "workbook_items": "各项得分", "item": "考评项目", "max": "满分", "points": "得分", "source": "来源",
		"computed": "平台计算", "entered": "实地检查", "sample": "随机抽查", "figure": "计算依据", "mark_note": "检查说明",
	},
	"en": {
		"title": "Assessment result %s", "month": "Monthly assessment", "quarter": "Quarterly assessment", "draft": "Draft (not published)",
		"published": "Published, revision %d", "sheet": "Score sheet: %s (version %d)", "asof": "Generated %s Beijing time",
		"ranking": "1. Ranking", "outcomes": "2. Rewards, penalties and reasons", "items": "3. Points per item", "revisions": "4. Publications and amendments",
		"rank": "Rank", "subdistrict": "Subdistrict", "score": "Score", "sheet_total": "Sheet total", "months_average": "Months' average",
		"outcome": "Outcome", "rule": "Rule", "yuan": "Yuan", "reason": "Reason", "none": "No outcome this period.", "missing": "to be entered",
		"revision": "Revision", "published_at": "Published at", "published_by": "Published by", "first": "first publication",
		"reward": "Reward", "penalty": "Deduction", "interview": "Interview", "public_explanation": "Public explanation", "commendation": "Commendation", "note": "Note",
		"workbook_ranking": "Ranking", "workbook_items": "Items", "item": "Item", "max": "Max", "points": "Points", "source": "Source",
		"computed": "computed", "entered": "field check", "sample": "spot check", "figure": "Figures", "mark_note": "Assessor's note",
	},
}

func wordsOf(lang Lang) (map[string]string, Lang) {
	if w, ok := printWords[lang]; ok {
		return w, lang
	}
	return printWords["zh"], "zh"
}

// periodName is a period as the district writes it: 2026年第1季度, 2026年3月; in English its label.
func periodName(p Period, lang Lang) string {
	if lang == "en" {
		return p.Label
	}
	if p.Kind == Quarter {
		return fmt.Sprintf("%d年第%d季度", p.Starts.Year(), (int(p.Starts.Month())-1)/3+1)
	}
	return fmt.Sprintf("%d年%d月", p.Starts.Year(), int(p.Starts.Month()))
}

// stateText says whether the result is a draft or which revision of a publication it is.
func (r Result) stateText(w map[string]string) string {
	if r.State != "published" {
		return w["draft"]
	}
	return fmt.Sprintf(w["published"], r.Revision)
}

// yuanText writes whole yuan with thousands separators, the sign kept: money must read exactly.
func yuanText(y int64) string {
	s := strconv.FormatInt(y, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

type printedOutcome struct {
	Name, Kind, Rule, Yuan, Text string
}

// WriteHTML writes the result sheet for A4 (the quarterly result sheet the district prints), everything
// inline: the ranking, every outcome with the rule and the figures that triggered it, each item's
// points, and the publication's revisions with their reasons.
func (r Result) WriteHTML(out io.Writer, lang Lang) error {
	w, lang := wordsOf(lang)
	var outcomes []printedOutcome
	for _, row := range r.Rows {
		for _, o := range row.Outcomes {
			text := o.Text
			if lang == "zh" && o.TextZH != "" {
				text = o.TextZH
			}
			yuan := ""
			if o.Yuan != 0 {
				yuan = yuanText(o.Yuan)
			}
			outcomes = append(outcomes, printedOutcome{Name: row.Name, Kind: w[o.Kind], Rule: o.Rule, Yuan: yuan, Text: text})
		}
	}
	title := fmt.Sprintf(w["title"], periodName(r.Period, lang))
	htmlLang := "zh-CN"
	if lang == "en" {
		htmlLang = "en"
	}
	return printPage.Execute(out, map[string]any{
		"Lang": htmlLang, "Title": title, "Style": template.CSS(reports.PrintStyle), "W": w, "R": r,
		"Kind": w[string(r.Period.Kind)], "State": r.stateText(w),
		"Sheet":    fmt.Sprintf(w["sheet"], r.Sheet.Name, r.Sheet.Version),
		"AsOf":     fmt.Sprintf(w["asof"], r.AsOf.In(incidents.Beijing).Format("2006-01-02 15:04")),
		"Quarter":  r.Period.Kind == Quarter,
		"Outcomes": outcomes, "EN": lang == "en",
	})
}

var printPage = template.Must(template.New("assessment").Funcs(template.FuncMap{
	"at": func(r Revision) string { return r.PublishedAt.In(incidents.Beijing).Format("2006-01-02 15:04") },
	// cell finds a row's item by code: a row's items need not be in the sheet's order.
	"cell": func(row Row, code, missing string) string {
		for _, l := range row.Lines {
			if l.Code == code {
				if l.Points == nil {
					return missing
				}
				return l.Points.String()
			}
		}
		return ""
	},
}).Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8">
<title>{{.Title}}</title>
<style>{{.Style}}</style>
<style>@page { size: A4; @top-left { content: "{{.Title}}"; } } td.n { text-align: right; } #outcomes td:nth-child(-n+3) { white-space: nowrap; } .small { font-size: 9pt; }</style>
</head><body>
<h1>{{.Title}}</h1>
<div class="meta">{{.Kind}} · {{.State}} · {{.Sheet}} · {{.AsOf}}</div>
<h2>{{.W.ranking}}</h2>
<table id="ranking"><thead><tr><th>{{.W.rank}}</th><th>{{.W.subdistrict}}</th>{{if .Quarter}}<th>{{.W.sheet_total}}</th><th>{{.W.months_average}}</th>{{end}}<th>{{.W.score}}</th></tr></thead><tbody>
{{range .R.Rows}}<tr><td class="n">{{.Rank}}</td><td>{{.Name}}</td>{{if $.Quarter}}<td class="n">{{.SheetTotal}}</td><td class="n">{{with .MonthsAverage}}{{.}}{{end}}</td>{{end}}<td class="n">{{.Score}}</td></tr>
{{end}}</tbody></table>
<h2>{{.W.outcomes}}</h2>
{{if .Outcomes}}<table id="outcomes"><thead><tr><th>{{.W.subdistrict}}</th><th>{{.W.outcome}}</th><th>{{.W.yuan}}</th><th>{{.W.reason}}</th></tr></thead><tbody>
{{range .Outcomes}}<tr><td>{{.Name}}</td><td>{{.Kind}}</td><td class="n">{{.Yuan}}</td><td class="small">{{.Text}}{{if $.EN}} <span class="meta">({{.Rule}})</span>{{end}}</td></tr>
{{end}}</tbody></table>{{else}}<p>{{.W.none}}</p>{{end}}
<h2>{{.W.items}}</h2>
<table id="items"><thead><tr><th>{{.W.item}}</th><th>{{.W.max}}</th>{{range .R.Rows}}<th>{{.Name}}</th>{{end}}</tr></thead><tbody>
{{range $i, $it := .R.Sheet.Items}}<tr><td>{{if $.EN}}{{$it.NameEN}}{{else}}{{$it.NameZH}}{{end}}</td><td class="n">{{$it.MaxPoints}}</td>{{range $.R.Rows}}<td class="n">{{cell . $it.Code $.W.missing}}</td>{{end}}</tr>
{{end}}</tbody></table>
{{if .R.Revisions}}<h2>{{.W.revisions}}</h2><table id="revisions"><thead><tr><th>{{.W.revision}}</th><th>{{.W.published_at}}</th><th>{{.W.published_by}}</th><th>{{.W.reason}}</th></tr></thead><tbody>
{{range .R.Revisions}}<tr><td class="n">{{.Revision}}</td><td>{{at .}}</td><td>{{.PublishedBy}}</td><td>{{if .Reason}}{{.Reason}}{{else}}{{$.W.first}}{{end}}</td></tr>
{{end}}</tbody></table>{{end}}
</body></html>
`))
