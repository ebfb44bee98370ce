package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// WeightedPoint is a WGS-84 point that counts for Weight in a heat grid.
type WeightedPoint struct {
	Point  orb.Point
	Weight float64
}

// gridCell returns the square of cell c (column-major index within the tile) in tile units.
func gridCell(cx, cy, cell int) orb.Polygon {
	x0, y0 := float64(cx*cell), float64(cy*cell)
	x1, y1 := x0+float64(cell), y0+float64(cell)
	// Clockwise on screen (y down): positive surveyor area, an exterior ring.
	return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
}

func cellSize(cell int) int {
	if cell <= 0 || Extent%cell != 0 {
		return 256
	}
	return cell
}

// HeatGrid aggregates points into square cells of cell tile units (a divisor of Extent) aligned to
// tile t, so cells are a fixed number of screen pixels at every zoom and neighbouring tiles tile
// seamlessly. Each non-empty cell is a square polygon with "count" (points) and "weight" (the sum
// of their weights). Points outside the tile are ignored.
func HeatGrid(name string, t maptile.Tile, cell int, pts []WeightedPoint) *mvt.Layer {
	cell = cellSize(cell)
	per := Extent / cell
	count := make([]int, per*per)
	weight := make([]float64, per*per)
	fr := frameOf(t)
	for _, wp := range pts {
		p := fr.point(World(wp.Point))
		if p[0] < 0 || p[1] < 0 || p[0] >= Extent || p[1] >= Extent {
			continue
		}
		k := int(p[1])/cell*per + int(p[0])/cell
		count[k]++
		weight[k] += wp.Weight
	}
	out := newLayer(name)
	for k, n := range count {
		if n == 0 {
			continue
		}
		w := math.Round(weight[k]*1000) / 1000
		out.Features = append(out.Features, &geojson.Feature{Type: "Feature", Geometry: gridCell(k%per, k/per, cell),
			Properties: geojson.Properties{"count": n, "weight": w}})
	}
	return out
}

// CoverageGrid estimates, for each square cell of cell tile units in tile t, how much of it is
// covered: it samples samples×samples points spread evenly over the cell (cell-centred strata) and
// asks sample whether each lies inside the territory and whether it is covered. Cells with no
// territory are left out; the others are square polygons with "share" (covered samples over all
// samples: the covered share of the cell's area, ±1/samples²) and "territory_share" (the share
// inside the territory, to tell a border cell from a gap).
func CoverageGrid(name string, t maptile.Tile, cell, samples int, sample func(lonlat orb.Point) (inside, covered bool)) *mvt.Layer {
	cell = cellSize(cell)
	if samples < 1 {
		samples = 1
	}
	per := Extent / cell
	fr := frameOf(t)
	out := newLayer(name)
	total := float64(samples * samples)
	step := float64(cell) / float64(samples)
	for cy := 0; cy < per; cy++ {
		for cx := 0; cx < per; cx++ {
			var in, cov int
			for sy := 0; sy < samples; sy++ {
				for sx := 0; sx < samples; sx++ {
					p := orb.Point{float64(cx*cell) + (float64(sx)+0.5)*step, float64(cy*cell) + (float64(sy)+0.5)*step}
					inside, covered := sample(Unworld(fr.world(p)))
					if inside {
						in++
					}
					if covered {
						cov++
					}
				}
			}
			if in == 0 && cov == 0 {
				continue
			}
			out.Features = append(out.Features, &geojson.Feature{Type: "Feature", Geometry: gridCell(cx, cy, cell),
				Properties: geojson.Properties{
					"share":           math.Round(float64(cov)/total*1000) / 1000,
					"territory_share": math.Round(float64(in)/total*1000) / 1000,
				}})
		}
	}
	return out
}
