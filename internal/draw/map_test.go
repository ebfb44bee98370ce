package draw_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"streetchief/internal/draw"
)

func square(x, y, d float64) orb.Polygon {
	return orb.Polygon{{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}
}

var point = regexp.MustCompile(`[ML](-?[0-9.]+) (-?[0-9.]+)`)

// A district of 0.1° with a gap of 10 m: the gap is a speck at that scale, so it gets a dot and its
// numbered marker; everything lies in the frame; the scale bar is a round length.
func TestMapMarksTinyGapsAndStaysInItsFrame(t *testing.T) {
	m := draw.Map{ID: "t", Width: 700, Height: 500, North: "北", Metre: "米", Km: "公里",
		Subdistricts: []draw.Feature{{Geom: square(117, 25, 0.1), Name: "东城街道"}},
		Communities:  []draw.Feature{{Geom: square(117, 25, 0.05), Name: "甲社区"}},
		Areas:        []orb.Geometry{square(117.01, 25.01, 0.01)},
		Gaps:         []draw.Gap{{Geom: square(117.02, 25.02, 0.0001), Number: 7, Kind: "territory"}, {Geom: square(117.06, 25.06, 0.02), Kind: "territory"}},
	}
	svg := m.SVG()
	for _, want := range []string{">东城街道<", ">甲社区<", ">北<", `class="gap-dot"`, `class="gap-mark"`, ">7<", `class="scale-bar"`} {
		if !strings.Contains(svg, want) {
			t.Errorf("no %s", want)
		}
	}
	if n := strings.Count(svg, `class="gap-dot"`); n != 1 {
		t.Errorf("%d dots: only the tiny gap needs one", n)
	}
	if n := strings.Count(svg, `<path class="gap `); n != 2 {
		t.Errorf("%d gaps drawn, want 2", n)
	}
	if !regexp.MustCompile(`>(1|2|5)(0*) (米|公里)<`).MatchString(svg) {
		t.Error("the scale bar's length is not a round number of 米 or 公里")
	}
	for _, p := range point.FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.ParseFloat(p[1], 64)
		y, _ := strconv.ParseFloat(p[2], 64)
		if x < 0 || y < 0 || x > 700 || y > 500 {
			t.Fatalf("point %v %v outside the frame", x, y)
		}
	}
}

// An inset clips what lies beyond its bound instead of drawing it off the page.
func TestInsetClipsToItsBound(t *testing.T) {
	m := draw.Map{ID: "i", Width: 300, Height: 200, Bound: orb.Bound{Min: orb.Point{117.02, 25.02}, Max: orb.Point{117.03, 25.03}},
		Subdistricts: []draw.Feature{{Geom: square(117, 25, 0.1), Name: "东城街道"}},
		Gaps:         []draw.Gap{{Geom: square(117.024, 25.024, 0.002), Number: 1}}}
	before := orb.Clone(m.Subdistricts[0].Geom)
	svg := m.SVG()
	if !orb.Equal(before, m.Subdistricts[0].Geom) {
		t.Fatal("drawing the inset changed the shape it was given: the next map draws it cut")
	}
	for _, p := range point.FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.ParseFloat(p[1], 64)
		y, _ := strconv.ParseFloat(p[2], 64)
		if x < -0.1 || y < -0.1 || x > 300.1 || y > 200.1 {
			t.Fatalf("point %v %v outside the inset", x, y)
		}
	}
	if strings.Contains(svg, `class="gap-dot"`) {
		t.Error("an enlarged gap needs no dot")
	}
}

func TestBarsDrawABarPerValue(t *testing.T) {
	svg := draw.Bars{Width: 400, Height: 150, Categories: []string{"11/1–11/2", "11/3–11/9"},
		Series: []draw.Series{{Name: "立案", Colour: "#4c78a8", Values: []float64{3, 40}}, {Name: "结案", Colour: "#59a14f", Values: []float64{1, 30}}}}.SVG()
	if n := strings.Count(svg, `class="bar"`); n != 4 {
		t.Errorf("%d bars, want 4", n)
	}
	for _, want := range []string{">11/3–11/9<", ">立案<", ">40<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("no %s", want)
		}
	}
}
