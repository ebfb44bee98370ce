package reports_test

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"streetchief/internal/dbtest"
	"streetchief/internal/reports"
)

// snakeCase finds a field name such as territory_gap_m2 or back_lane in printed text.
var snakeCase = regexp.MustCompile(`\b[a-z][a-z0-9]*(_[a-z0-9]+)+\b`)

// englishLabels are words of the English report that must not appear in the Chinese one.
var englishLabels = regexp.MustCompile(`\b(Subdistrict|Community|Area|Areas|Kind|Name|Length|Overlap|Overlaps|Vacant|Workload|Post|Department|Outlier|None|Total|summary|high|low)\b`)

var (
	tags    = regexp.MustCompile(`(?s)<style.*?</style>|<[^>]*>`)
	entity  = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&#34;", `"`, "&#39;", "'", "&nbsp;", " ")
	viewBox = regexp.MustCompile(`viewBox="0 0 ([0-9.]+) ([0-9.]+)"`)
	coords  = regexp.MustCompile(`[ML](-?[0-9.]+) (-?[0-9.]+)`)
)

// printedText is what a reader sees: the text between the tags, styles dropped.
func printedText(html string) string { return entity.Replace(tags.ReplaceAllString(html, " ")) }

func demoGapReport(t *testing.T) reports.Report {
	t.Helper()
	demoCity(t)
	rep, err := reports.NewService(dbtest.Pool(t)).Gaps(context.Background(), admin, reports.Query{Scope: reports.Scope{Level: "district"}, WithMap: true})
	if err != nil {
		t.Fatal(err)
	}
	return withoutFixture(rep)
}

func TestPrintedGapReportSpeaksChineseWithoutFieldNames(t *testing.T) {
	rep := demoGapReport(t)
	if len(rep.Territory) == 0 || len(rep.Unassigned) == 0 {
		t.Fatalf("the demo city has %d territory gaps and %d unassigned areas; the test needs both", len(rep.Territory), len(rep.Unassigned))
	}
	for _, lang := range []reports.Lang{reports.Chinese, reports.English} {
		var buf bytes.Buffer
		if err := rep.WriteHTMLIn(&buf, lang); err != nil {
			t.Fatal(err)
		}
		if dir := os.Getenv("STREETCHIEF_PRINT_DIR"); dir != "" {
			_ = os.WriteFile(dir+"/gaps-"+string(lang)+".html", buf.Bytes(), 0o644)
		}
		text := printedText(buf.String())
		if m := snakeCase.FindAllString(text, 5); m != nil {
			t.Errorf("%s: raw field names in the printed text: %q", lang, m)
		}
		if lang == reports.Chinese {
			if m := englishLabels.FindAllString(text, 5); m != nil {
				t.Errorf("zh: English labels in the printed text: %q", m)
			}
			for _, want := range []string{"全覆盖缺口报告", "北京时间", "未覆盖地块", "平方米", "亩", "背街小巷"} {
				if !strings.Contains(text, want) {
					t.Errorf("zh: no %q in the printed text", want)
				}
			}
		} else if !strings.Contains(text, "Uncovered territory") || !strings.Contains(text, "Beijing time") {
			t.Errorf("en: the English report lacks its labels")
		}
		if !strings.Contains(buf.String(), "size: A4") {
			t.Errorf("%s: no A4 page rule", lang)
		}
	}
}

func TestPrintedGapMapDrawsBoundariesAndGapsInsideItsFrame(t *testing.T) {
	rep := demoGapReport(t)
	svg := string(rep.PrintMap(reports.Chinese, "t", 718, 540))
	vb := viewBox.FindStringSubmatch(svg)
	if vb == nil {
		t.Fatalf("no viewBox: %.200s", svg)
	}
	w, _ := strconv.ParseFloat(vb[1], 64)
	h, _ := strconv.ParseFloat(vb[2], 64)
	group := func(class string) string {
		i := strings.Index(svg, `<g class="`+class+`"`)
		if i < 0 {
			t.Fatalf("no %s group", class)
		}
		return svg[i : i+strings.Index(svg[i:], "</g>")]
	}
	if n, want := strings.Count(group("subdistricts"), "<path"), len(rep.Basemap.Subdistricts); n != want || n == 0 {
		t.Errorf("%d subdistrict outlines, want %d", n, want)
	}
	if n, want := strings.Count(group("communities"), "<path"), len(rep.Basemap.Communities); n != want || n == 0 {
		t.Errorf("%d community outlines, want %d", n, want)
	}
	gaps := strings.Count(group("gaps"), `<path class="gap`)
	if want := len(rep.Territory) + len(rep.Unassigned) + len(rep.Overlaps); gaps != want {
		t.Errorf("%d gaps drawn, want %d", gaps, want)
	}
	if n := strings.Count(svg, `class="gap-mark"`); n == 0 || n > reports.MaxMarkers {
		t.Errorf("%d numbered gap markers, want 1..%d", n, reports.MaxMarkers)
	}
	for _, name := range []string{rep.Basemap.Subdistricts[0].Name + "<", rep.Basemap.Communities[0].Name + "<", ">北<"} {
		if !strings.Contains(svg, name) {
			t.Errorf("the map does not write %q", name)
		}
	}
	if !regexp.MustCompile(`>[0-9.]+ (米|公里)<`).MatchString(svg) {
		t.Error("the scale bar's length is not in 米 or 公里")
	}
	if !strings.Contains(svg, `class="scale-bar"`) || !strings.Contains(svg, `class="north-arrow"`) {
		t.Error("no scale bar or north arrow")
	}
	for _, m := range coords.FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		if x < 0 || y < 0 || x > w || y > h {
			t.Fatalf("point %v %v outside the viewBox %v × %v", x, y, w, h)
		}
	}
	// The enlargements cut shapes to their frames; the report's own shapes must come out whole, or
	// the next language's map is drawn from the cut pieces.
	rep.PrintInsets(reports.Chinese, 4, 350, 230)
	if again := string(rep.PrintMap(reports.Chinese, "t", 718, 540)); again != svg {
		t.Error("the map drawn after the enlargements differs from the one before")
	}
	t.Logf("map: %d bytes, %d gaps, %d areas", len(svg), gaps, len(rep.Basemap.Areas))
}
