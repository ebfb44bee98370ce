package reports

import (
	"html/template"
	"io"
)

// WriteHTML writes the printable report in Chinese.
func (r Report) WriteHTML(w io.Writer) error { return r.WriteHTMLIn(w, Chinese) }

// WriteHTMLIn writes a printable report in l: a map of the gaps drawn as SVG over the district's
// boundaries, enlargements of the largest gaps, and the tables in words, laid out for A4 paper with a
// running header and page numbers. No script and no external file: printing it, or rendering it
// to PDF, fetches nothing.
func (r Report) WriteHTMLIn(w io.Writer, l Lang) error {
	scope := r.Scope.Name
	if r.Scope.Level == "district" {
		scope = l.Word("district")
	}
	return reportPage.Execute(w, map[string]any{
		"Lang":   map[Lang]string{Chinese: "zh-CN", English: "en"}[l],
		"Title":  l.Word("title"),
		"Scope":  scope,
		"AsOf":   l.Word("asOf") + " " + l.Time(r.At),
		"Method": l.Word("method"),
		"Words":  words[l],
		"Map":    r.PrintMap(l, "gaps", 718, 540),
		"Insets": r.PrintInsets(l, 4, 350, 230),
		"Tables": r.PrintTables(l),
	})
}

// PrintStyle is the style sheet of the printed reports: A4, margins, a running header and page
// numbers, bordered tables whose header repeats on every page. Other printed reports share it.
const PrintStyle = `
@page { size: A4; margin: 16mm 14mm 16mm 14mm;
  @top-left { font-size: 8pt; color: #666; }
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt; color: #666; } }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif;
  font-size: 9.5pt; color: #222; margin: 0 auto; max-width: 182mm; }
h1 { font-size: 17pt; margin: 0 0 1.5mm; } h2 { font-size: 12pt; margin: 6mm 0 2mm; break-after: avoid; border-bottom: 1.5pt solid #2f4b7c; padding-bottom: 1mm; }
h3 { font-size: 10pt; margin: 3mm 0 1mm; }
.meta { color: #555; margin-bottom: 3mm; } .note { color: #666; font-size: 8pt; }
svg.map, svg.chart { display: block; width: 100%; height: auto; }
figure { margin: 0 0 3mm; break-inside: avoid; } figcaption { font-size: 8pt; color: #444; margin-top: 1mm; }
.insets { display: grid; grid-template-columns: 1fr 1fr; gap: 3mm; }
table { border-collapse: collapse; width: 100%; margin-bottom: 3mm; font-size: 8.5pt; }
th, td { border: 0.6pt solid #888; padding: 0.8mm 1.6mm; text-align: left; vertical-align: top; }
thead { display: table-header-group; } th { background: #e9e9e9; font-weight: bold; }
tr { break-inside: avoid; } td.n, th.n { text-align: right; white-space: nowrap; } tr.total td { background: #f4f4f4; font-weight: bold; }
.legend { font-size: 8pt; margin: 1mm 0 3mm; } .legend span { display: inline-block; margin-right: 5mm; }
.legend i { display: inline-block; width: 5mm; height: 3mm; margin-right: 1mm; vertical-align: middle; }
.kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: 2mm; margin: 2mm 0 3mm; }
.kpi { border: 0.6pt solid #888; padding: 1.5mm 2mm; } .kpi b { display: block; font-size: 14pt; } .kpi small { color: #555; }
`

var reportPage = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8">
<title>{{.Title}} · {{.Scope}}</title>
<style>` + PrintStyle + `</style>
<style>@page { @top-left { content: "{{.Title}} · {{.Scope}} · {{.AsOf}}"; } }</style>
</head><body>
<h1>{{.Title}} — {{.Scope}}</h1>
<div class="meta">{{.AsOf}} · {{.Method}}</div>
<h2>{{index .Words "map"}}</h2>
<figure>{{.Map}}
<figcaption class="legend"><span><i style="background:repeating-linear-gradient(45deg,#d62728 0 1.5px,#fbe3e3 1.5px 3.5px);border:1px solid #d62728"></i>{{index .Words "legendGap"}}</span><span><i style="border-top:2px solid #333"></i>{{index .Words "legendSub"}}</span><span><i style="border-top:1px dashed #8a8a8a"></i>{{index .Words "legendCom"}}</span><span><i style="background:#dfe9d8;border:1px solid #b5c7aa"></i>{{index .Words "legendArea"}}</span><span>{{index .Words "legendNo"}}</span></figcaption></figure>
{{if .Insets}}<h3>{{index .Words "insets"}}</h3><div class="insets">{{range .Insets}}<figure>{{.SVG}}<figcaption>{{.Caption}}</figcaption></figure>{{end}}</div>{{end}}
{{range .Tables}}<h2>{{.Title}}{{index $.Words "lp"}}{{len .Rows}}{{index $.Words "rp"}}</h2>
{{if .Rows}}{{$num := .Numeric}}<table><thead><tr>{{range $i, $h := .Header}}<th{{if index $num $i}} class="n"{{end}}>{{$h}}</th>{{end}}</tr></thead><tbody>
{{range .Rows}}<tr{{if .Total}} class="total"{{end}}>{{range $i, $c := .Cells}}<td{{if index $num $i}} class="n"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</tbody></table>{{else}}<p>{{index $.Words "none"}}</p>{{end}}{{end}}
</body></html>
`))
