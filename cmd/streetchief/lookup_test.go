package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/demo"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

// streetchief lookup --csv answers through the server's batch path: every point as a lookup of
// that point alone answers it, in input order across the batch's chunks, in each format and choice
// of fields; a bad row anywhere exits 2 naming the file and the line, and prints no answer at all.
func TestLookupCSVAnswersThroughTheBatchPathAndRefusesABadRowWhole(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Own(t)
	city, err := demo.Generate(demo.Options{Seed: 7, Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, pool, city); err != nil {
		t.Fatal(err)
	}
	url := pool.Config().ConnString()
	engine := lookup.New(registry.NewStore(pool))
	if err := engine.Load(ctx); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Truncate(time.Second)
	dir := t.TempDir()
	cli := func(args ...string) (string, string, error) {
		var stdout, stderr bytes.Buffer
		err := run(ctx, append([]string{"lookup", "--database-url", url, "--at", at.Format(time.RFC3339)}, args...), &stdout, &stderr)
		return stdout.String(), stderr.String(), err
	}
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}

	// More points than two chunks, so the answers are made on both CPUs and put back in order.
	bound := city.Bound()
	rng := rand.New(rand.NewPCG(7, 20))
	pts := make([]orb.Point, 2*lookup.BatchChunk+1000)
	var in strings.Builder
	in.WriteString("\xef\xbb\xbflon,lat\r\n")
	for i := range pts {
		lon := strconv.FormatFloat(bound.Min[0]+rng.Float64()*(bound.Max[0]-bound.Min[0]), 'f', 7, 64)
		lat := strconv.FormatFloat(bound.Min[1]+rng.Float64()*(bound.Max[1]-bound.Min[1]), 'f', 7, 64)
		pts[i][0], _ = strconv.ParseFloat(lon, 64)
		pts[i][1], _ = strconv.ParseFloat(lat, 64)
		in.WriteString(lon + "," + lat + "\r\n")
	}
	points := write("points.csv", in.String())
	// expect is every point's answer alone, one a line, as items of a JSON array when listed.
	expect := func(appendAnswer func(a lookup.Answer, dst []byte) []byte, ids, listed bool) string {
		var b []byte
		for i, p := range pts {
			a, err := engine.Answer(lookup.Query{Point: p, At: at, Who: access.System("cli"), WithoutPeople: ids})
			if err != nil {
				t.Fatal(err)
			}
			if i > 0 && listed {
				b = append(b, ',')
			}
			if b = appendAnswer(a, b); b[len(b)-1] != '\n' {
				b = append(b, '\n')
			}
		}
		return string(b)
	}
	for _, c := range []struct {
		args         []string
		head, tail   string
		appendAnswer func(a lookup.Answer, dst []byte) []byte
		ids, listed  bool
	}{
		{nil, lookup.CSVHeader, "", lookup.Answer.AppendCSV, false, false},
		{[]string{"--fields", "ids"}, lookup.IDsCSVHeader, "", lookup.Answer.AppendIDsCSV, true, false},
		{[]string{"--format", "ndjson", "--fields", "ids"}, "", "", lookup.Answer.AppendIDsJSON, true, false},
		{[]string{"--format", "json"}, `{"results":[`, "]}\n", lookup.Answer.AppendJSON, false, true},
	} {
		out, stderr, err := cli(append(c.args, "--csv", points)...)
		if err != nil {
			t.Fatalf("%v: %v %s", c.args, err, stderr)
		}
		if want := c.head + expect(c.appendAnswer, c.ids, c.listed) + c.tail; out != want {
			t.Fatalf("%v: %d bytes answered, want %d; first difference at byte %d", c.args, len(out), len(want), firstDifference(out, want))
		}
	}

	// A bad row past the first chunk: the old CLI had printed thousands of answers by then.
	lines := strings.Split(in.String(), "\r\n")
	lines[30_000-1] = "117.1,north"
	bad := map[string]string{
		"late.csv":     strings.Join(lines, "\r\n"),
		"nan.csv":      "lon,lat\n117,25\nNaN,25\n",
		"range.csv":    "117,25\n117,91\n",
		"header2.csv":  "lon,lat\n117,25\nlon,lat\n",
		"cr.csv":       "117,25\r117.1,25.1\r",
		"nul.csv":      "117,25\n117,\x0025\n",
		"onecol.csv":   "lon,lat\n117\n",
		"injected.csv": "lon,lat\n=cmd|' /C calc'!A0,25\n",
	}
	wantLine := map[string]string{"late.csv": "line 30000", "nan.csv": "line 3", "range.csv": "line 2", "header2.csv": "line 3",
		"cr.csv": "line 1", "nul.csv": "line 2", "onecol.csv": "line 2", "injected.csv": "line 2"}
	for name, body := range bad {
		path := write(name, body)
		out, _, err := cli("--csv", path)
		if err == nil || exitStatus(err) != 2 || !strings.Contains(err.Error(), path+": "+wantLine[name]+":") || out != "" {
			t.Errorf("%s: exit %d, %v, %d bytes printed", name, exitStatus(err), err, len(out))
		}
	}
	for _, args := range [][]string{{"--fields", "names"}, {"--format", "xml"}} {
		if _, _, err := cli(append(args, "--csv", points)...); exitStatus(err) != 2 {
			t.Errorf("%v: exit %d (%v)", args, exitStatus(err), err)
		}
	}
	if _, _, err := cli("--csv", filepath.Join(dir, "missing.csv")); err == nil || exitStatus(err) == 0 {
		t.Errorf("a missing file: %v", err)
	}
}

func firstDifference(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
