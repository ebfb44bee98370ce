package layers

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// A use is one place Go code names a table or view in SQL.
type use struct {
	pos   token.Position
	name  string
	write bool
}

var sqlToken = regexp.MustCompile(`'(?:[^']|'')*'|"[^"]*"|[A-Za-z_][A-Za-z0-9_$]*|\$[0-9]+|\S`)

// keywords that end a FROM item where an alias could stand.
var notAlias = map[string]bool{"WHERE": true, "JOIN": true, "ON": true, "LEFT": true, "RIGHT": true, "INNER": true,
	"FULL": true, "CROSS": true, "NATURAL": true, "GROUP": true, "ORDER": true, "LIMIT": true, "OFFSET": true,
	"UNION": true, "EXCEPT": true, "INTERSECT": true, "FOR": true, "SET": true, "USING": true, "RETURNING": true,
	"VALUES": true, "SELECT": true, "WINDOW": true, "HAVING": true, "AND": true, "OR": true, "WITH": true,
	"DEFAULT": true, "TABLESAMPLE": true}

// sqlUses finds the relations of known named in s, a Go string literal starting at pos: the name
// after FROM or JOIN (and after the commas of a FROM list) is read, the one after INTO, UPDATE,
// TABLE, COPY or TRUNCATE is written. SQL assembled from pieces is seen piece by piece, which is
// how this code base writes it: each name sits in the literal with its keyword.
func sqlUses(s string, pos token.Position, known map[string]bool) []use {
	type tok struct {
		text string
		line int
	}
	var toks []tok
	line := pos.Line
	last := 0
	for _, loc := range sqlToken.FindAllStringIndex(s, -1) {
		line += strings.Count(s[last:loc[0]], "\n")
		last = loc[0]
		toks = append(toks, tok{s[loc[0]:loc[1]], line})
	}
	upper := func(i int) string {
		if i < 0 || i >= len(toks) {
			return ""
		}
		return strings.ToUpper(toks[i].text)
	}
	isIdent := func(i int) bool {
		if i < 0 || i >= len(toks) {
			return false
		}
		c := toks[i].text[0]
		return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '"'
	}
	// relationAt reads a relation name at i (skipping ONLY and a public. schema) and returns it with
	// the index after it; ok is false for a subquery, a qualified column or, where a read's FROM
	// could call one, a function (a written table's column list looks like a call).
	relationAt := func(i int, read bool) (name string, next int, ok bool) {
		if upper(i) == "ONLY" {
			i++
		}
		if !isIdent(i) || upper(i) == "LATERAL" {
			return "", i, false
		}
		if strings.EqualFold(toks[i].text, "public") && upper(i+1) == "." {
			i += 2
		}
		if !isIdent(i) || (read && upper(i+1) == "(") || upper(i+1) == "." {
			return "", i, false
		}
		return strings.ToLower(strings.Trim(toks[i].text, `"`)), i + 1, true
	}
	var out []use
	add := func(i int, name string, write bool) {
		if known[name] {
			p := pos
			p.Line, p.Column = toks[i].line, 0
			out = append(out, use{pos: p, name: name, write: write})
		}
	}
	for i := 0; i < len(toks); i++ {
		var write bool
		switch upper(i) {
		case "FROM":
			write = upper(i-1) == "DELETE"
		case "JOIN":
		case "INTO", "TABLE", "COPY", "TRUNCATE":
			write = true
		case "UPDATE":
			if upper(i-1) == "FOR" || upper(i-1) == "DO" || upper(i-1) == "KEY" {
				continue
			}
			write = true
		default:
			continue
		}
		read := upper(i) == "FROM" || upper(i) == "JOIN"
		name, next, ok := relationAt(i+1, read)
		for ok {
			add(next-1, name, write)
			if upper(i) != "FROM" {
				break
			}
			// the alias, then perhaps a comma and the next item of the FROM list
			if upper(next) == "AS" {
				next += 2
			} else if isIdent(next) && !notAlias[upper(next)] {
				next++
			}
			if upper(next) != "," {
				break
			}
			name, next, ok = relationAt(next+1, true)
		}
	}
	return out
}

// fileUses parses one Go file and returns every use of a known relation in its string literals
// and in its pgx.Identifier{…} literals (CopyFrom's target, a write).
func fileUses(t *testing.T, fset *token.FileSet, path string, known map[string]bool) []use {
	t.Helper()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var out []use
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CompositeLit:
			if sel, ok := n.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Identifier" {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "pgx" && len(n.Elts) == 1 {
					if lit, ok := n.Elts[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if s, err := strconv.Unquote(lit.Value); err == nil && known[s] {
							out = append(out, use{pos: fset.Position(lit.Pos()), name: s, write: true})
						}
					}
				}
			}
		case *ast.BasicLit:
			if n.Kind == token.STRING {
				if s, err := strconv.Unquote(n.Value); err == nil {
					out = append(out, sqlUses(s, fset.Position(n.Pos()), known)...)
				}
			}
		}
		return true
	})
	return out
}

// The scanner finds a table wherever SQL can name one, and nothing where SQL names none.
func TestSQLUsesFindsTablesWhereSQLNamesThem(t *testing.T) {
	known := map[string]bool{"area": true, "person": true, "incident": true, "mb": true}
	for _, c := range []struct {
		sql  string
		want []string // name, with "!" for a write
	}{
		{`SELECT 1 FROM area a JOIN person p ON p.id = a.id`, []string{"area", "person"}},
		{`SELECT 1 FROM area a, person p WHERE true`, []string{"area", "person"}},
		{`SELECT 1 FROM area AS a, "person"`, []string{"area", "person"}},
		{`SELECT 1 FROM public.area`, []string{"area"}},
		{`SELECT 1 FROM ONLY area`, []string{"area"}},
		{"INSERT INTO incident (id) SELECT id FROM\n\tarea", []string{"incident!", "area"}},
		{`UPDATE person SET name = 'x' FROM area WHERE true`, []string{"person!", "area"}},
		{`DELETE FROM area WHERE id = $1`, []string{"area!"}},
		{`TRUNCATE area`, []string{"area!"}},
		{`ALTER TABLE area DROP CONSTRAINT x`, []string{"area!"}},
		{`COPY person FROM STDIN`, []string{"person!"}},
		{`SELECT 1 FROM incident FOR UPDATE`, []string{"incident"}},
		{`INSERT INTO incident (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET id = 2`, []string{"incident!"}},
		{`SELECT a IS DISTINCT FROM mb.ids FROM unnest(x) area`, nil},
		{`SELECT EXTRACT(epoch FROM now()), 'FROM area' FROM (SELECT 1) area`, nil},
		{`SELECT area.id, person_id FROM area_directory area`, nil},
	} {
		var got []string
		for _, u := range sqlUses(c.sql, token.Position{Line: 1}, known) {
			got = append(got, u.name+map[bool]string{true: "!"}[u.write])
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: found %v, want %v", c.sql, got, c.want)
		}
	}
}
