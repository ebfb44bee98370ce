package layers

import (
	"bufio"
	"go/build"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "streetchief"

// readLayers reads the ```layers block of ARCHITECTURE.md: "N  package  description" per line,
// description lines indented without a number.
func readLayers(t *testing.T, root string) map[string]int {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "ARCHITECTURE.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	layers := map[string]int{}
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "```layers":
			in = true
			continue
		case in && line == "```":
			in = false
		}
		if !in {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		n, err := strconv.Atoi(fields[0])
		if err != nil {
			continue // a description's continuation line
		}
		if _, dup := layers[fields[1]]; dup {
			t.Errorf("ARCHITECTURE.md lists %s twice", fields[1])
		}
		layers[fields[1]] = n
	}
	if len(layers) == 0 {
		t.Fatal("ARCHITECTURE.md has no ```layers block")
	}
	return layers
}

// packages returns every package of the module (by path relative to the root) with the module's
// packages its non-test files import.
func packages(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata" || name == "bin") {
			return filepath.SkipDir
		}
		pkg, err := build.Default.ImportDir(path, 0)
		if err != nil {
			if _, none := err.(*build.NoGoError); none {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(root, path)
		var deps []string
		for _, imp := range pkg.Imports {
			if strings.HasPrefix(imp, module+"/") {
				deps = append(deps, strings.TrimPrefix(imp, module+"/"))
			}
		}
		out[filepath.ToSlash(rel)] = deps
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestImportsPointDown(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	layers := readLayers(t, root)
	pkgs := packages(t, root)
	for pkg, deps := range pkgs {
		if pkg == "internal/layers" {
			continue
		}
		own, ok := layers[pkg]
		if !ok {
			t.Errorf("%s is not in ARCHITECTURE.md's layers: give it a layer above everything it imports", pkg)
			continue
		}
		for _, dep := range deps {
			if l, ok := layers[dep]; ok && l >= own {
				t.Errorf("%s (layer %d) imports %s (layer %d): imports must point to a lower layer", pkg, own, dep, l)
			}
		}
	}
	for pkg := range layers {
		if _, ok := pkgs[pkg]; !ok {
			t.Errorf("ARCHITECTURE.md lists %s, which is not a package of the module", pkg)
		}
	}
}
