package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"streetchief/internal/dbtest"
)

const liechtenstein = "../../../shared/data/liechtenstein-2013-08-03.osm.pbf"

func countRows(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := dbtest.Pool(t).QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The exit status says whether anything was committed: an import that loaded the good features and
// skipped the incomplete ones succeeds with its summary; --strict refuses the whole file.
func TestImportExitsZeroWhenCommittedAndNonZeroWhenNothingWas(t *testing.T) {
	if _, err := os.Stat(liechtenstein); err != nil {
		if os.Getenv("STREETCHIEF_REQUIRE_DB") == "1" {
			t.Fatalf("the OSM extract is not here: %v", err)
		}
		t.Skipf("the OSM extract is not here: %v", err)
	}
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	ctx := context.Background()
	url := dbtest.URL(t)
	areas := countRows(t, "area")
	var out bytes.Buffer
	err := run(ctx, []string{"import", "osm", liechtenstein, "--strict", "--database-url", url}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "nothing was imported") {
		t.Fatalf("a strict import of an extract with incomplete relations: %v, want a refusal\n%s", err, out.String())
	}
	if n := countRows(t, "area"); n != areas {
		t.Fatalf("the refused import left %d areas", n-areas)
	}
	out.Reset()
	report := t.TempDir() + "/report.json"
	if err := run(ctx, []string{"import", "osm", liechtenstein, "--report", report, "--database-url", url}, &out, &out); err != nil {
		t.Fatalf("an import that committed exits non-zero: %v\n%s", err, out.String())
	}
	if n := countRows(t, "area"); n == areas || !strings.Contains(out.String(), "skipped") {
		t.Fatalf("%d areas loaded; the summary does not report the skips:\n%s", n-areas, out.String())
	}
	if info, err := os.Stat(report); err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("the report file: %v, %v; want -rw-r--r--", info, err)
	}
	var rep struct {
		Skipped []json.RawMessage `json:"skipped"`
	}
	b, err := os.ReadFile(report)
	if err != nil || json.Unmarshal(b, &rep) != nil || len(rep.Skipped) == 0 {
		t.Fatalf("the report does not keep the skips (%v): %.200s", err, b)
	}
}

// Files the command line writes are for others to read: 0644 under the usual umask, not 0600.
func TestWrittenFilesAreReadableByOthers(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	var out bytes.Buffer
	url := dbtest.URL(t)
	for _, args := range [][]string{
		{"export", "--format", "csv", "-o", dir + "/areas.csv", "--database-url", url},
		{"report", "gaps", "--format", "json", "-o", dir + "/gaps.json", "--database-url", url},
	} {
		if err := run(context.Background(), args, &out, &out); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
		info, err := os.Stat(args[len(args)-3])
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o644 {
			t.Errorf("%s is %v, want -rw-r--r--", info.Name(), info.Mode().Perm())
		}
	}
	if err := writeFile(dir+"/areas.csv", func(w io.Writer) error { return errors.New("broken") }); err == nil {
		t.Error("a failed write was not reported")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("a failed write left files behind: %v", entries)
	}
}
