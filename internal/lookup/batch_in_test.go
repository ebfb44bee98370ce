package lookup_test

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"streetchief/internal/apperr"
	"streetchief/internal/lookup"
)

// What spreadsheets and scripts write is read as they meant it.
func TestDecodeBatchReadsTheCSVsPeopleWrite(t *testing.T) {
	want := []orb.Point{{117.02, 25.08}, {-0.5, 51.5}}
	for name, body := range map[string]string{
		"a header":                         "lon,lat\n117.02,25.08\n-0.5,51.5\n",
		"another header":                   "x,y,name\n117.02,25.08,a\n-0.5,51.5,b\n",
		"no header, no last line end":      "117.02,25.08\n-0.5,51.5",
		"a byte order mark and a header":   "\xef\xbb\xbflon,lat\r\n117.02,25.08\r\n-0.5,51.5\r\n",
		"a byte order mark and no header":  "\xef\xbb\xbf117.02,25.08\n-0.5,51.5\n",
		"quoted fields, spaces, more cols": "\"lon\",\"lat\"\n \"117.02\" , 25.08 ,\"x, y\"\n-0.5,\"51.5\"\n",
		"blank lines":                      "\n\nlon,lat\n\n117.02,25.08\n   \n-0.5,51.5\n\n",
	} {
		got, err := lookup.DecodeBatch(lookup.FormatCSV, []byte(body), 0)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %v, %v; want %v", name, got, err, want)
		}
	}
}

// A hostile or broken CSV is refused whole, at its first bad line, named by its number; nothing
// in it is silently skipped.
func TestDecodeBatchRefusesABadCSVAtItsLine(t *testing.T) {
	long := strings.Repeat("9", 5000)
	for _, c := range []struct{ name, body, want string }{
		{"text for a latitude", "lon,lat\n117,25\n117,north\n", `line 3: "117,north" is not lon,lat`},
		{"a broken first row is no header", "117,north\n117,25\n", `line 1: "117,north"`},
		{"one column", "lon,lat\n117\n", "line 2:"},
		{"NaN", "117,25\nNaN,25\n", "line 2:"},
		{"infinity", "117,25\n117,-Inf\n", "line 2:"},
		{"a number past float64", "117,25\n1e400,25\n", "line 2:"},
		{"latitude out of range", "117,25\n\n117,91\n", "line 3: [117, 91] is out of range"},
		{"longitude out of range", "-180.0001,0\n", "line 1: [-180.0001, 0] is out of range"},
		{"a second header", "lon,lat\n117,25\nlon,lat\n", "line 3:"},
		{"carriage returns alone end no line", "117,25\r117.1,25.1\r117.2,25.2\r", `line 1: "117,25\r117.1,25.1\r117.2,25.2"`},
		{"a NUL byte", "117,25\n117,\x0025\n", "line 2:"},
		{"a line of megabytes", "117,25\n117," + long + "x\n", "line 2: \"117," + long[:56] + "…\" is not lon,lat"},
		{"semicolons", "117;25\n117;26\n", "line 2:"},
		{"decimal commas", "lon;lat\n\"117,5\";\"25,1\"\n", "line 2:"},
	} {
		got, err := lookup.DecodeBatch(lookup.FormatCSV, []byte(c.body), 0)
		if !apperr.Is(err, apperr.Malformed) || !strings.Contains(apperr.Message(err), c.want) {
			t.Errorf("%s: %v, %v; want malformed %q", c.name, got, err, c.want)
		}
	}
}

// A body long enough to be read in pieces on every CPU names its bad line as one read alone would.
func TestDecodeBatchNumbersLinesAcrossPieces(t *testing.T) {
	var b strings.Builder
	b.WriteString("lon,lat\n")
	for i := 2; i <= 200_000; i++ {
		if i%1000 == 0 {
			b.WriteString("\n") // blank lines count as lines
			continue
		}
		fmt.Fprintf(&b, "117.%07d,25.%07d\n", i, i)
	}
	good := b.String()
	pts, err := lookup.DecodeBatch(lookup.FormatCSV, []byte(good), 0)
	if err != nil || len(pts) != 200_000-1-200 || pts[len(pts)-1] != (orb.Point{117.0199999, 25.0199999}) {
		t.Fatalf("%d points, last %v, %v", len(pts), pts[len(pts)-1], err)
	}
	for _, bad := range []int{2, 123_457, 199_999} {
		lines := strings.Split(good, "\n")
		lines[bad-1] = "117,x"
		_, err := lookup.DecodeBatch(lookup.FormatCSV, []byte(strings.Join(lines, "\n")), 0)
		if want := fmt.Sprintf("line %d: ", bad); err == nil || !strings.HasPrefix(apperr.Message(err), want) {
			t.Errorf("a bad line %d: %v", bad, err)
		}
	}
	if _, err := lookup.DecodeBatch(lookup.FormatCSV, []byte(good), 1000); !apperr.Is(err, apperr.TooLarge) {
		t.Errorf("199,799 points under a limit of 1,000: %v", err)
	}
}

var lineNumber = regexp.MustCompile(`^line (\d+): `)

// Whatever the bytes, DecodeBatch either refuses them naming a line the body has, or returns only
// finite points in range, one for each line that reads as one.
func FuzzDecodeBatchCSV(f *testing.F) {
	for _, s := range []string{"lon,lat\n117,25\n", "117,25\r\n\"1\",\"2\",x\n", "\xef\xbb\xbf1,2", "NaN,1\n", "1e400,2", ",\n,", "\"\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		pts, err := lookup.DecodeBatch(lookup.FormatCSV, body, 0)
		lines := strings.Count(string(body), "\n") + 1
		if err != nil {
			m := lineNumber.FindStringSubmatch(apperr.Message(err))
			if m == nil {
				t.Fatalf("%q: %v names no line", body, err)
			}
			if n, _ := strconv.Atoi(m[1]); n < 1 || n > lines {
				t.Fatalf("%q: line %d of %d", body, n, lines)
			}
			return
		}
		if len(pts) > lines {
			t.Fatalf("%q: %d points from %d lines", body, len(pts), lines)
		}
		for _, p := range pts {
			if math.IsNaN(p[0]) || math.IsNaN(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
				t.Fatalf("%q: point %v", body, p)
			}
		}
	})
}
