package monthly_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"streetchief/internal/monthly"
	"streetchief/internal/pdf"
	"streetchief/internal/reports"
)

// needTool finds a program the PDF test runs; without it the test is skipped, except where the
// database is required (make test), which is where a skip would hide a broken PDF.
func needTool(t *testing.T, name, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("STREETCHIEF_REQUIRE_DB") != "" {
			t.Fatalf("no %s: install %s (scripts/browser.sh, scripts/deps.sh)", name, pkg)
		}
		t.Skipf("no %s (%s)", name, pkg)
	}
}

// pageImages rasterises a PDF's pages first to last with poppler's pdftoppm.
func pageImages(t *testing.T, doc []byte, last int) []image.Image {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-r", "40", "-png", "-f", "1", "-l", strconv.Itoa(last), file, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "p-*.png"))
	var imgs []image.Image
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, img)
	}
	return imgs
}

// ink is the share of a page that is not white, and redPx the pixels of the gaps' red.
func ink(img image.Image) (share float64, redPx int) {
	b := img.Bounds()
	dark := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			if r < 235 || g < 235 || bl < 235 {
				dark++
			}
			if r > 170 && g < 110 && bl < 110 {
				redPx++
			}
		}
	}
	return float64(dark) / float64(b.Dx()*b.Dy()), redPx
}

var pageCount = regexp.MustCompile(`/Type\s*/Page[^s]`)

func TestPrintedReportsRenderToPDFWithTheirMap(t *testing.T) {
	needTool(t, "chromium", "chromium")
	needTool(t, "pdftoppm", "poppler-utils")
	w := demoWorld(t)
	ctx := context.Background()
	renderer := pdf.New("", 0)

	start := time.Now()
	rep, err := w.monthly.Make(ctx, admin, monthly.Query{Month: w.month})
	if err != nil {
		t.Fatal(err)
	}
	made := time.Since(start)
	var html bytes.Buffer
	if err := rep.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	doc, err := renderer.Render(ctx, html.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	rendered := time.Since(start)
	pages := len(pageCount.FindAll(doc, -1))
	if !bytes.HasPrefix(doc, []byte("%PDF")) || pages < 1 {
		t.Fatalf("not a PDF of at least a page: %q…, %d pages", doc[:min(8, len(doc))], pages)
	}
	imgs := pageImages(t, doc, pages)
	if len(imgs) != pages {
		t.Fatalf("pdftoppm made %d images of %d pages", len(imgs), pages)
	}
	if share, _ := ink(imgs[0]); share < 0.03 {
		t.Errorf("the monthly report's first page is %.1f%% ink: blank", share*100)
	}
	red := 0
	for _, img := range imgs {
		_, n := ink(img)
		red += n
	}
	if red == 0 {
		t.Errorf("no red gap pixels on any of the monthly report's %d pages", pages)
	}
	t.Logf("monthly: made in %s, %d bytes of HTML rendered in %s to %d bytes of PDF, %d pages, %d red pixels at 40 dpi",
		made.Round(time.Millisecond), html.Len(), rendered.Round(time.Millisecond), len(doc), pages, red)

	// The gap report's first page is its map: the gaps are there in red.
	gaps, err := reports.NewService(poolOf(t)).Gaps(ctx, admin, reports.Query{Scope: reports.Scope{Level: "district"}, WithMap: true})
	if err != nil {
		t.Fatal(err)
	}
	html.Reset()
	if err := gaps.WriteHTMLIn(&html, reports.Chinese); err != nil {
		t.Fatal(err)
	}
	if doc, err = renderer.Render(ctx, html.Bytes()); err != nil {
		t.Fatal(err)
	}
	first := pageImages(t, doc, 1)
	share, n := ink(first[0])
	if share < 0.05 || n == 0 {
		t.Errorf("the gap report's first page: %.1f%% ink, %d red pixels", share*100, n)
	}
}
