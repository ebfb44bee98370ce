// Package draw draws the maps and charts of printed reports as inline SVG: the district's boundaries
// with their names, areas, coverage gaps, a scale bar and a north arrow, and bar charts. It is pure —
// no SQL, no HTTP, nothing fetched — and imports orb only, never internal/; the words it writes come
// from the caller, in the caller's language.
package draw

import (
	"fmt"
	"html"
	"math"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/planar"
)

// Feature is a boundary to outline, with the name written at its centre.
type Feature struct {
	Geom orb.Geometry
	Name string
}

// Gap is a piece of territory to draw in red; Number, when not 0, is its row in the report's table,
// written in a marker beside it.
type Gap struct {
	Geom   orb.Geometry
	Number int
	Kind   string // a class: "unassigned", "territory" or "overlap"
}

// Map is one map of a printed report, in SVG user units (px at 96 dpi: 718 wide fills A4's text width).
type Map struct {
	ID            string // unique within the page: the hatching pattern is named after it
	Width, Height float64
	Bound         orb.Bound // the part of the world shown; empty: everything drawn, with a margin
	Subdistricts  []Feature
	Communities   []Feature
	Areas         []orb.Geometry
	Gaps          []Gap
	North         string // the north arrow's letter: "北" or "N"
	Metre, Km     string // the scale bar's units: "米", "公里"; empty: "m", "km"
}

// earthRadius is the mean radius (IUGG) in metres: at city scale the local equirectangular
// projection below is true to well under a percent, closer than a printed scale bar can be read.
const earthRadius = 6371008.8

// MinGapPx is the size below which a gap would vanish on paper: it is drawn as a marker instead of
// (as well as) its shape, so that every gap is seen.
const MinGapPx = 6

// projection maps longitude/latitude onto the page: equirectangular, x scaled by cos(latitude) at the
// centre so that shapes and distances are true near it.
type projection struct {
	b             orb.Bound
	k, scale      float64 // cos(lat0); px per degree of latitude
	offX, offY, h float64
}

func newProjection(b orb.Bound, width, height, pad float64) projection {
	k := math.Cos(b.Center()[1] * math.Pi / 180)
	spanX, spanY := math.Max((b.Max[0]-b.Min[0])*k, 1e-9), math.Max(b.Max[1]-b.Min[1], 1e-9)
	scale := math.Min((width-2*pad)/spanX, (height-2*pad)/spanY)
	// Centre the drawing in the frame.
	offX := (width - spanX*scale) / 2
	offY := (height - spanY*scale) / 2
	return projection{b: b, k: k, scale: scale, offX: offX, offY: offY, h: height}
}

func (p projection) xy(pt orb.Point) (float64, float64) {
	return p.offX + (pt[0]-p.b.Min[0])*p.k*p.scale, p.h - p.offY - (pt[1]-p.b.Min[1])*p.scale
}

// metresPerPx is the ground distance one unit of the page spans.
func (p projection) metresPerPx() float64 {
	return earthRadius * math.Pi / 180 / p.scale
}

// FitHeight lowers the map's height to its content's shape, so that a wide subdistrict does not
// sit in a tall frame of empty paper; it never goes below minHeight nor above the height set.
func (m *Map) FitHeight(minHeight float64) {
	b := m.Bound
	if b.IsEmpty() || b.Min == b.Max {
		b = m.extent()
	}
	if b.IsEmpty() || b.Max[0] == b.Min[0] {
		return
	}
	k := math.Cos(b.Center()[1] * math.Pi / 180)
	h := (b.Max[1]-b.Min[1])/((b.Max[0]-b.Min[0])*k)*(m.Width-32) + 32
	m.Height = math.Round(math.Min(m.Height, math.Max(minHeight, h)))
}

// SVG writes the map.
func (m Map) SVG() string {
	b := m.Bound
	if b.IsEmpty() || b.Min == b.Max {
		b = m.extent()
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 %g %g" width="%g" height="%g" font-family="sans-serif">`,
		m.Width, m.Height, m.Width, m.Height)
	fmt.Fprintf(&sb, `<defs><pattern id="hatch-%s" patternUnits="userSpaceOnUse" width="5" height="5" patternTransform="rotate(45)">`+
		`<rect width="5" height="5" fill="#fbe3e3"/><line x1="0" y1="0" x2="0" y2="5" stroke="#d62728" stroke-width="2.4"/></pattern></defs>`, m.ID)
	fmt.Fprintf(&sb, `<rect class="frame" width="%g" height="%g" fill="#fcfcf8" stroke="#888"/>`, m.Width, m.Height)
	if b.IsEmpty() {
		sb.WriteString(`</svg>`)
		return sb.String()
	}
	p := newProjection(b, m.Width, m.Height, 16)
	clipTo := b.Pad(0) // only insets clip: the whole map's extent holds everything drawn
	clipping := !m.Bound.IsEmpty()
	shape := func(g orb.Geometry) string {
		if clipping {
			// orb's clip cuts in place; the caller's shapes are drawn again on other maps.
			g = clip.Geometry(clipTo, orb.Clone(g))
			if g == nil {
				return ""
			}
		}
		return pathData(p, g)
	}
	sb.WriteString(`<g class="areas" fill="#dfe9d8" stroke="#b5c7aa" stroke-width="0.4">`)
	for _, a := range m.Areas {
		if d := shape(a); d != "" {
			fmt.Fprintf(&sb, `<path d="%s"/>`, d)
		}
	}
	sb.WriteString(`</g><g class="communities" fill="none" stroke="#8a8a8a" stroke-width="0.7" stroke-dasharray="3 2">`)
	for _, c := range m.Communities {
		if d := shape(c.Geom); d != "" {
			fmt.Fprintf(&sb, `<path d="%s"/>`, d)
		}
	}
	sb.WriteString(`</g><g class="subdistricts" fill="none" stroke="#333" stroke-width="1.6">`)
	for _, s := range m.Subdistricts {
		if d := shape(s.Geom); d != "" {
			fmt.Fprintf(&sb, `<path d="%s"/>`, d)
		}
	}
	sb.WriteString(`</g>`)
	var markers strings.Builder
	fmt.Fprintf(&sb, `<g class="gaps" fill="url(#hatch-%s)" stroke="#d62728" stroke-width="1" fill-rule="evenodd">`, m.ID)
	for _, g := range m.Gaps {
		if g.Geom == nil {
			continue
		}
		d := shape(g.Geom)
		if d == "" {
			continue
		}
		fmt.Fprintf(&sb, `<path class="gap %s" d="%s"/>`, html.EscapeString(g.Kind), d)
		gb := g.Geom.Bound()
		x0, y1 := p.xy(gb.Min)
		x1, y0 := p.xy(gb.Max)
		cx, cy := (x0+x1)/2, (y0+y1)/2
		tiny := x1-x0 < MinGapPx && y1-y0 < MinGapPx
		if tiny {
			// Drawn to scale it would be a speck: a red dot marks where it is.
			fmt.Fprintf(&markers, `<circle class="gap-dot" cx="%.1f" cy="%.1f" r="2.5" fill="#d62728"/>`, cx, cy)
		}
		if g.Number > 0 {
			mx, my := cx+7, cy-7
			fmt.Fprintf(&markers, `<g class="gap-mark"><line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#d62728" stroke-width="0.8"/>`+
				`<circle cx="%.1f" cy="%.1f" r="6.5" fill="#fff" stroke="#d62728" stroke-width="1"/>`+
				`<text x="%.1f" y="%.1f" font-size="7.5" text-anchor="middle" fill="#b00">%d</text></g>`,
				cx, cy, mx, my, mx, my, mx, my+2.6, g.Number)
		}
	}
	sb.WriteString(`</g><g class="markers">`)
	sb.WriteString(markers.String())
	sb.WriteString(`</g><g class="labels" text-anchor="middle" paint-order="stroke" stroke="#fcfcf8" stroke-width="2.5" stroke-linejoin="round">`)
	for _, c := range m.Communities {
		m.label(&sb, p, c, 7.5, "#555", clipping)
	}
	for _, s := range m.Subdistricts {
		m.label(&sb, p, s, 12, "#111", clipping)
	}
	sb.WriteString(`</g>`)
	scaleBar(&sb, p, m.Height, m.Metre, m.Km)
	northArrow(&sb, m.Width, m.North)
	sb.WriteString(`</svg>`)
	return sb.String()
}

func (m Map) label(sb *strings.Builder, p projection, f Feature, size float64, colour string, clipping bool) {
	if f.Geom == nil || f.Name == "" {
		return
	}
	c := labelPoint(f.Geom)
	x, y := p.xy(c)
	if x < 0 || y < 0 || x > m.Width || y > m.Height {
		return
	}
	weight := ""
	if size >= 10 {
		weight = ` font-weight="bold"`
	}
	fmt.Fprintf(sb, `<text x="%.1f" y="%.1f" font-size="%g" fill="%s"%s>%s</text>`, x, y+size/3, size, colour, weight, html.EscapeString(f.Name))
}

// labelPoint is the centroid of a shape's largest polygon: inside for the convex-ish units of a
// district, and never between two parts of a multipolygon.
func labelPoint(g orb.Geometry) orb.Point {
	var best orb.Polygon
	bestA := -1.0
	switch g := g.(type) {
	case orb.Polygon:
		best = g
	case orb.MultiPolygon:
		for _, p := range g {
			if a := math.Abs(planar.Area(p)); a > bestA {
				best, bestA = p, a
			}
		}
	}
	if len(best) == 0 {
		return g.Bound().Center()
	}
	c, _ := planar.CentroidArea(best)
	return c
}

// extent is the bound of everything drawn.
func (m Map) extent() orb.Bound {
	var b orb.Bound
	first := true
	add := func(g orb.Geometry) {
		if g == nil {
			return
		}
		if first {
			b, first = g.Bound(), false
		} else {
			b = b.Union(g.Bound())
		}
	}
	for _, f := range m.Subdistricts {
		add(f.Geom)
	}
	for _, f := range m.Communities {
		add(f.Geom)
	}
	if first {
		for _, a := range m.Areas {
			add(a)
		}
		for _, g := range m.Gaps {
			add(g.Geom)
		}
	}
	if first {
		return orb.Bound{Min: orb.Point{1, 1}, Max: orb.Point{-1, -1}} // empty
	}
	return b
}

// pathData writes a geometry's rings as an SVG path, dropping vertices closer than half a unit to
// the last one kept: at print scale they add bytes, not detail.
func pathData(p projection, g orb.Geometry) string {
	var sb strings.Builder
	ring := func(r []orb.Point, closed bool) {
		var lx, ly float64
		n := 0
		for i, pt := range r {
			x, y := p.xy(pt)
			last := i == len(r)-1
			if n > 0 && !last && math.Abs(x-lx) < 0.5 && math.Abs(y-ly) < 0.5 {
				continue
			}
			if n == 0 {
				fmt.Fprintf(&sb, "M%.1f %.1f", x, y)
			} else {
				fmt.Fprintf(&sb, "L%.1f %.1f", x, y)
			}
			lx, ly, n = x, y, n+1
		}
		if closed && n > 0 {
			sb.WriteString("Z")
		}
	}
	var walk func(g orb.Geometry)
	walk = func(g orb.Geometry) {
		switch g := g.(type) {
		case orb.Polygon:
			for _, r := range g {
				ring(r, true)
			}
		case orb.MultiPolygon:
			for _, pg := range g {
				walk(pg)
			}
		case orb.LineString:
			ring(g, false)
		case orb.MultiLineString:
			for _, l := range g {
				ring(l, false)
			}
		case orb.Ring:
			ring(g, true)
		case orb.Collection:
			for _, c := range g {
				walk(c)
			}
		}
	}
	walk(g)
	return sb.String()
}

// scaleBar draws a bar of a round length (1, 2 or 5 × 10ⁿ metres) near a fifth of the map's width.
func scaleBar(sb *strings.Builder, p projection, height float64, metre, km string) {
	if metre == "" {
		metre, km = "m", "km"
	}
	mpp := p.metresPerPx()
	target := 120 * mpp
	unit := math.Pow(10, math.Floor(math.Log10(target)))
	length := unit
	for _, f := range []float64{5, 2, 1} {
		if f*unit <= target {
			length = f * unit
			break
		}
	}
	px := length / mpp
	label := fmt.Sprintf("%g %s", length, metre)
	if length >= 1000 {
		label = fmt.Sprintf("%g %s", length/1000, km)
	}
	x, y := 14.0, height-14
	fmt.Fprintf(sb, `<g class="scale-bar" font-size="8"><rect x="%.1f" y="%.1f" width="%.1f" height="4" fill="#fff" stroke="#222" stroke-width="0.8"/>`+
		`<rect x="%.1f" y="%.1f" width="%.1f" height="4" fill="#222"/>`+
		`<text x="%.1f" y="%.1f">0</text><text x="%.1f" y="%.1f" text-anchor="middle">%s</text></g>`,
		x, y, px, x, y, px/2, x-2, y-3, x+px, y-3, html.EscapeString(label))
}

func northArrow(sb *strings.Builder, width float64, letter string) {
	if letter == "" {
		letter = "N"
	}
	x, y := width-22, 14.0
	fmt.Fprintf(sb, `<g class="north-arrow"><path d="M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fZ" fill="#222"/>`+
		`<text x="%.1f" y="%.1f" font-size="10" text-anchor="middle" font-weight="bold">%s</text></g>`,
		x, y+6, x-6, y+26, x, y+21, x+6, y+26, x, y+2, html.EscapeString(letter))
}
