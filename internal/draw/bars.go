package draw

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// Series is one row of values in a bar chart, one value per category.
type Series struct {
	Name   string
	Colour string
	Values []float64
}

// Bars is a grouped bar chart: one group per category (a week), one bar per series.
type Bars struct {
	Width, Height float64
	Categories    []string
	Series        []Series
}

// SVG writes the chart with its value axis, gridlines, category labels and legend.
func (c Bars) SVG() string {
	const left, right, top, bottom = 36.0, 10.0, 22.0, 30.0
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %g %g" width="%g" height="%g" font-family="sans-serif" font-size="8">`,
		c.Width, c.Height, c.Width, c.Height)
	maxV := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			maxV = math.Max(maxV, v)
		}
	}
	step := niceStep(maxV / 4)
	top4 := math.Max(step*math.Ceil(maxV/step), step)
	plotW, plotH := c.Width-left-right, c.Height-top-bottom
	y := func(v float64) float64 { return top + plotH - v/top4*plotH }
	sb.WriteString(`<g class="axis" stroke="#ddd" stroke-width="0.6">`)
	for v := 0.0; v <= top4+step/2; v += step {
		fmt.Fprintf(&sb, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f"/>`, left, y(v), left+plotW, y(v))
	}
	sb.WriteString(`</g><g class="ticks" text-anchor="end" fill="#555">`)
	for v := 0.0; v <= top4+step/2; v += step {
		fmt.Fprintf(&sb, `<text x="%g" y="%.1f">%g</text>`, left-4, y(v)+3, v)
	}
	sb.WriteString(`</g>`)
	n := len(c.Categories)
	if n > 0 && len(c.Series) > 0 {
		group := plotW / float64(n)
		bar := group * 0.8 / float64(len(c.Series))
		for i, cat := range c.Categories {
			gx := left + float64(i)*group + group*0.1
			for j, s := range c.Series {
				v := 0.0
				if i < len(s.Values) {
					v = s.Values[i]
				}
				x := gx + float64(j)*bar
				fmt.Fprintf(&sb, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`,
					x, y(v), bar*0.92, y(0)-y(v), html.EscapeString(s.Colour))
				fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#333" font-size="7">%g</text>`, x+bar*0.46, y(v)-2, v)
			}
			fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#333">%s</text>`, gx+group*0.4, top+plotH+12, html.EscapeString(cat))
		}
	}
	fmt.Fprintf(&sb, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#555" stroke-width="0.8"/>`, left, y(0), left+plotW, y(0))
	lx := left
	for _, s := range c.Series {
		fmt.Fprintf(&sb, `<rect x="%.1f" y="6" width="9" height="7" fill="%s"/><text x="%.1f" y="12.5" fill="#333">%s</text>`,
			lx, html.EscapeString(s.Colour), lx+12, html.EscapeString(s.Name))
		lx += 12 + 9*float64(len([]rune(s.Name))) + 14
	}
	sb.WriteString(`</svg>`)
	return sb.String()
}

// niceStep rounds a step up to 1, 2 or 5 × 10ⁿ (at least 1: the values are counts).
func niceStep(raw float64) float64 {
	if raw <= 1 {
		return 1
	}
	unit := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, f := range []float64{1, 2, 5, 10} {
		if f*unit >= raw {
			return f * unit
		}
	}
	return 10 * unit
}
