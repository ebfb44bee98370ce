package tiles_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"streetchief/internal/demo"
	"streetchief/tiles"
)

// The golden tiles are drawn from the demo city's generator (pure, seeded; no database), the only
// thing under internal/ this package's tests touch. Regenerate with go test ./tiles -update.
var update = flag.Bool("update", false, "rewrite the golden tiles under testdata/")

var goldenSchema = map[string]tiles.Fields{
	"admin":        {"level": tiles.String, "name": tiles.String},
	"admin_labels": {"level": tiles.String, "name": tiles.String},
	"areas":        {"kind": tiles.String, "name": tiles.String},
}

func demoLayers(t *testing.T) (admin, labels, areas *tiles.Layer, centre orb.Point) {
	t.Helper()
	city, err := demo.Generate(demo.Options{Seed: 7, Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	var units, points, shapes []tiles.Feature
	var b orb.Bound
	for _, u := range city.AdminUnits {
		if u.Level != demo.LevelSubdistrict && u.Level != demo.LevelCommunity {
			continue
		}
		props := map[string]any{"level": u.Level, "name": u.Name}
		units = append(units, tiles.Feature{ID: uint64(u.Key), Geom: u.Boundary, Props: props})
		if p, ok := tiles.LabelPoint(u.Boundary); ok {
			points = append(points, tiles.Feature{ID: uint64(u.Key), Geom: p, Props: props})
		}
		if b.IsZero() {
			b = u.Boundary.Bound()
		}
		b = b.Union(u.Boundary.Bound())
	}
	for _, a := range city.Areas {
		shapes = append(shapes, tiles.Feature{ID: uint64(a.Key), Geom: a.Geom,
			Props: map[string]any{"kind": a.Kind, "name": a.Name}})
	}
	return tiles.NewLayer("admin", units, tiles.Options{}), tiles.NewLayer("admin_labels", points, tiles.Options{}),
		tiles.NewLayer("areas", shapes, tiles.Options{MinZoom: 12}), b.Center()
}

func TestGoldenTilesOfTheDemoCity(t *testing.T) {
	admin, labels, areas, centre := demoLayers(t)
	if *update {
		if err := os.WriteFile(filepath.Join("testdata", "schema.json"), mustJSON(t, goldenSchema), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, z := range []maptile.Zoom{11, 13, 15, 17} {
		tile := maptile.At(centre, z)
		name := fmt.Sprintf("demo-%d-%d-%d.mvt", tile.Z, tile.X, tile.Y)
		t.Run(name, func(t *testing.T) {
			raw := tiles.Marshal(admin.Render(tile), labels.Render(tile), areas.Render(tile))
			ls, err := tiles.Check(raw, goldenSchema)
			if err != nil {
				t.Fatal(err)
			}
			if z >= 13 && len(layerNamed(ls, "areas").Features) == 0 {
				t.Fatal("no areas in the middle of the city")
			}
			path := filepath.Join("testdata", name)
			if *update {
				if err := os.WriteFile(path, raw, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./tiles -update)", err)
			}
			if !bytes.Equal(raw, want) {
				t.Fatalf("%s differs from the golden tile (%d bytes, golden %d); if the change is meant, run go test ./tiles -update", name, len(raw), len(want))
			}
		})
	}
}

func layerNamed(ls mvt.Layers, name string) *mvt.Layer {
	for _, l := range ls {
		if l.Name == name {
			return l
		}
	}
	return &mvt.Layer{}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}
