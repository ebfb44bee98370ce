package reports

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"

	"github.com/paulmach/orb"
)

// WriteHTML writes a printable report: a map of the gaps drawn as SVG and the tables, laid out for
// A4 paper so that "print to PDF" from a browser gives a tidy document. No script, no external files.
func (r Report) WriteHTML(w io.Writer) error {
	return reportPage.Execute(w, map[string]any{
		"Report": r,
		"Tables": r.Tables(),
		"Map":    template.HTML(r.svgMap(760, 520)),
		"Titles": sheetNames,
	})
}

var gapColours = map[string]string{KindUnassigned: "#e6550d", KindTerritory: "#d62728", KindOverlaps: "#6a3d9a"}

// svgMap draws the gap geometries in an equirectangular projection scaled by cos(latitude), which
// keeps shapes true at city scale.
func (r Report) svgMap(width, height float64) string {
	type shape struct {
		g    orb.Geometry
		kind string
	}
	var shapes []shape
	var b orb.Bound
	add := func(g orb.Geometry, kind string) {
		if g == nil {
			return
		}
		if len(shapes) == 0 {
			b = g.Bound()
		} else {
			b = b.Union(g.Bound())
		}
		shapes = append(shapes, shape{g, kind})
	}
	for _, u := range r.Unassigned {
		add(u.Geom, KindUnassigned)
	}
	for _, t := range r.Territory {
		add(t.Geom, KindTerritory)
	}
	for _, o := range r.Overlaps {
		add(o.Geom, KindOverlaps)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" class="map">`, width, height)
	fmt.Fprintf(&sb, `<rect width="%g" height="%g" fill="#f7f7f2" stroke="#999"/>`, width, height)
	if len(shapes) == 0 {
		sb.WriteString(`<text x="50%" y="50%" text-anchor="middle" fill="#666">—</text></svg>`)
		return sb.String()
	}
	k := math.Cos(b.Center()[1] * math.Pi / 180)
	spanX, spanY := math.Max((b.Max[0]-b.Min[0])*k, 1e-6), math.Max(b.Max[1]-b.Min[1], 1e-6)
	scale := math.Min((width-40)/spanX, (height-40)/spanY)
	project := func(p orb.Point) (float64, float64) {
		return 20 + (p[0]-b.Min[0])*k*scale, height - 20 - (p[1]-b.Min[1])*scale
	}
	for _, s := range shapes {
		var path strings.Builder
		var rings []orb.Ring
		switch g := s.g.(type) {
		case orb.Polygon:
			rings = g
		case orb.MultiPolygon:
			for _, p := range g {
				rings = append(rings, p...)
			}
		}
		for _, ring := range rings {
			for i, p := range ring {
				x, y := project(p)
				cmd := "L"
				if i == 0 {
					cmd = "M"
				}
				fmt.Fprintf(&path, "%s%.1f %.1f", cmd, x, y)
			}
			path.WriteString("Z")
		}
		// Tiny gaps would vanish at city scale: give every shape at least a visible stroke.
		fmt.Fprintf(&sb, `<path d="%s" fill="%s" fill-opacity="0.6" stroke="%s" stroke-width="2" fill-rule="evenodd"/>`,
			path.String(), gapColours[s.kind], gapColours[s.kind])
	}
	sb.WriteString(`</svg>`)
	return sb.String()
}

var reportPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"colour": func(k string) string { return gapColours[k] },
}).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>全覆盖缺口报告 · {{.Report.Scope.Name}}</title>
<style>
@page { size: A4; margin: 15mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; font-size: 10pt; color: #222; margin: 0 auto; max-width: 190mm; }
h1 { font-size: 16pt; margin: 0 0 2mm; } h2 { font-size: 12pt; margin: 6mm 0 2mm; break-after: avoid; }
.meta { color: #555; margin-bottom: 4mm; } .map { width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; margin-bottom: 4mm; } th, td { border: 1px solid #bbb; padding: 1mm 2mm; text-align: left; }
th { background: #eee; } tr { break-inside: avoid; } td.n { text-align: right; }
.legend span { display: inline-block; margin-right: 6mm; } .legend i { display: inline-block; width: 4mm; height: 3mm; margin-right: 1mm; }
</style></head><body>
<h1>全覆盖缺口报告 — {{.Report.Scope.Name}}</h1>
<div class="meta">截至 {{.Report.At.Format "2006-01-02 15:04 MST"}} · 面积按 CGCS2000 高斯-克吕格 3° 带 (EPSG:4547) 计算</div>
{{.Map}}
<div class="legend"><span><i style="background:{{colour "unassigned_areas"}}"></i>无责任人区域</span><span><i style="background:{{colour "territory_gaps"}}"></i>未覆盖地块</span><span><i style="background:{{colour "overlaps"}}"></i>责任重叠</span></div>
{{range .Tables}}<h2>{{index $.Titles .Kind}} ({{len .Rows}})</h2>
<table><thead><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr></thead><tbody>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}
</tbody></table>{{end}}
</body></html>
`))
