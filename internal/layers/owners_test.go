package layers

import (
	"bufio"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// relation is one entry of ARCHITECTURE.md's ```owners block: a table or a view and the package
// that owns it.
type relation struct {
	owner string
	view  bool
}

// readOwners reads the ```owners block: "package  tables|views  name name …" per line; a line
// without a package continues the previous one, a line without a keyword continues its list.
func readOwners(t *testing.T, root string) map[string]relation {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "ARCHITECTURE.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]relation{}
	in := false
	owner, kind := "", ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "```owners":
			in = true
			continue
		case in && line == "```":
			in = false
		}
		if !in || strings.TrimSpace(line) == "" {
			continue
		}
		fields := strings.Fields(strings.ReplaceAll(line, ",", " "))
		if !strings.HasPrefix(line, " ") {
			owner, kind, fields = fields[0], "", fields[1:]
		}
		if len(fields) > 0 && (fields[0] == "tables" || fields[0] == "views") {
			kind, fields = fields[0], fields[1:]
		}
		if owner == "" || kind == "" {
			t.Fatalf("ARCHITECTURE.md's owners block: %q names no package or no tables/views", line)
		}
		for _, name := range fields {
			if prev, dup := out[name]; dup {
				t.Errorf("ARCHITECTURE.md's owners block lists %s twice (%s and %s)", name, prev.owner, owner)
			}
			out[name] = relation{owner: owner, view: kind == "views"}
		}
	}
	if len(out) == 0 {
		t.Fatal("ARCHITECTURE.md has no ```owners block")
	}
	return out
}

var (
	createRe    = regexp.MustCompile(`(?i)\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:UNLOGGED\s+)?(TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z_][a-z0-9_]*)`)
	dropRe      = regexp.MustCompile(`(?i)\bDROP\s+(TABLE|VIEW)\s+(?:IF\s+EXISTS\s+)?([a-z_][a-z0-9_]*)`)
	partitionOf = regexp.MustCompile(`(?i)^\s+PARTITION\s+OF\b`)
	commentRe   = regexp.MustCompile(`(?i)\bCOMMENT\s+ON\s+VIEW\s+([a-z_][a-z0-9_]*)\s+IS\s+'([^']*)'`)
)

// schema is what the migrations leave: each table or view (true for a view) and each view's comment.
func schema(t *testing.T, root string) (rels map[string]bool, comments map[string]string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "migrations", "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	rels, comments = map[string]bool{}, map[string]string{}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		sql := stripSQLComments(string(b))
		// Creates and drops in the order they run: a view may be dropped and made again in one file.
		type step struct {
			at     int
			create bool
			m      []string
		}
		var steps []step
		for _, ix := range createRe.FindAllStringSubmatchIndex(sql, -1) {
			// A partition belongs to its partitioned table's owner; it is not a relation of its own.
			if !partitionOf.MatchString(sql[ix[1]:]) {
				steps = append(steps, step{ix[0], true, []string{sql[ix[2]:ix[3]], sql[ix[4]:ix[5]]}})
			}
		}
		for _, ix := range dropRe.FindAllStringSubmatchIndex(sql, -1) {
			steps = append(steps, step{ix[0], false, []string{sql[ix[2]:ix[3]], sql[ix[4]:ix[5]]}})
		}
		sort.Slice(steps, func(i, j int) bool { return steps[i].at < steps[j].at })
		for _, s := range steps {
			if s.create {
				rels[strings.ToLower(s.m[1])] = strings.EqualFold(s.m[0], "VIEW")
			} else {
				delete(rels, strings.ToLower(s.m[1]))
			}
		}
		for _, m := range commentRe.FindAllStringSubmatch(sql, -1) {
			comments[strings.ToLower(m[1])] = m[2]
		}
	}
	return rels, comments
}

func stripSQLComments(sql string) string {
	var b strings.Builder
	for line := range strings.Lines(sql) {
		if i := strings.Index(line, "--"); i >= 0 {
			line = line[:i] + "\n"
		}
		b.WriteString(line)
	}
	return b.String()
}

func TestOneOwnerPerTable(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	owners := readOwners(t, root)
	rels, comments := schema(t, root)
	pkgs := packages(t, root)

	// The block and the migrations agree: every table and view has an owner, every name exists.
	for name, view := range rels {
		r, ok := owners[name]
		switch {
		case !ok:
			t.Errorf("migrations create %s, which ARCHITECTURE.md's owners block gives no owner", name)
		case r.view != view:
			t.Errorf("ARCHITECTURE.md lists %s under the wrong heading: the migrations make it a %s", name,
				map[bool]string{true: "view", false: "table"}[view])
		case view && !strings.Contains(comments[name], r.owner):
			t.Errorf("view %s has no COMMENT ON VIEW naming its owner %s as a read interface (have %q)", name, r.owner, comments[name])
		}
	}
	known := map[string]bool{}
	for name, r := range owners {
		known[name] = true
		if _, ok := pkgs[r.owner]; !ok {
			t.Errorf("ARCHITECTURE.md gives %s to %s, which is not a package of the module", name, r.owner)
		}
		if _, ok := rels[name]; !ok && !createdBy(t, root, r.owner, name) {
			t.Errorf("ARCHITECTURE.md lists %s, which neither the migrations nor %s create", name, r.owner)
		}
	}

	fset := token.NewFileSet()
	for pkg := range pkgs {
		if pkg == "internal/layers" {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(root, pkg, "*.go"))
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			rel, _ := filepath.Rel(root, file)
			rel = filepath.ToSlash(rel)
			for _, u := range fileUses(t, fset, file, known) {
				r := owners[u.name]
				if r.owner == pkg || (r.view && !u.write) {
					continue
				}
				what := "reads"
				if u.write {
					what = "writes"
				}
				t.Errorf("%s:%d: %s %s %s, which is %s's: %s", rel, u.pos.Line, pkg, what, u.name, r.owner, advice(owners, r.owner, u.write))
			}
		}
	}
}

// createdBy reports whether the owner's Go code creates the table itself (schema_migration).
func createdBy(t *testing.T, root, owner, name string) bool {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(root, owner, "*.go"))
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range createRe.FindAllStringSubmatch(string(b), -1) {
			if strings.EqualFold(m[2], name) {
				return true
			}
		}
	}
	return false
}

func advice(owners map[string]relation, owner string, write bool) string {
	if write {
		return "only its owner writes it; call " + owner + "'s Go API"
	}
	var views []string
	for name, r := range owners {
		if r.owner == owner && r.view {
			views = append(views, name)
		}
	}
	slices.Sort(views)
	if len(views) == 0 {
		return "call " + owner + "'s Go API"
	}
	return fmt.Sprintf("read it through %s's views (%s) or its Go API", owner, strings.Join(views, ", "))
}
