package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// WeightedPoint is a WGS-84 point that counts for Weight in a heat grid.
type WeightedPoint struct {
	Point  orb.Point
	Weight float64
}

// gridCell writes the square of cell cx, cy of the tile's grid as a polygon feature.
func (e *encoder) gridCell(cx, cy, cell int, props []prop) {
	x0, y0 := int32(cx*cell), int32(cy*cell)
	x1, y1 := x0+int32(cell), y0+int32(cell)
	e.begin(typePolygon)
	// Clockwise on screen (y down): positive surveyor area, an exterior ring.
	e.pts = append(e.pts[:0], ipoint{x0, y0}, ipoint{x1, y0}, ipoint{x1, y1}, ipoint{x0, y1}, ipoint{x0, y0})
	e.ring(e.pts, false)
	e.end(0, props)
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
func HeatGrid(name string, t maptile.Tile, cell int, pts []WeightedPoint) *LayerTile {
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
	e := getEncoder()
	for k, n := range count {
		if n == 0 {
			continue
		}
		w := math.Round(weight[k]*1000) / 1000
		e.gridCell(k%per, k/per, cell, []prop{{"count", intValue(int64(n))}, {"weight", doubleValue(w)}})
	}
	return e.finish(name)
}

// CoverageGrid estimates, for each square cell of cell tile units in tile t, how much of it is
// covered: it samples samples×samples points spread evenly over the cell (cell-centred strata) and
// asks sample whether each lies inside the territory and whether it is covered. Cells with no
// territory are left out; the others are square polygons with "share" (covered samples over all
// samples: the covered share of the cell's area, ±1/samples²) and "territory_share" (the share
// inside the territory, to tell a border cell from a gap).
func CoverageGrid(name string, t maptile.Tile, cell, samples int, sample func(lonlat orb.Point) (inside, covered bool)) *LayerTile {
	cell = cellSize(cell)
	if samples < 1 {
		samples = 1
	}
	per := Extent / cell
	fr := frameOf(t)
	e := getEncoder()
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
			share, territory := math.Round(float64(cov)/total*1000)/1000, math.Round(float64(in)/total*1000)/1000
			e.gridCell(cx, cy, cell, []prop{{"share", doubleValue(share)}, {"territory_share", doubleValue(territory)}})
		}
	}
	return e.finish(name)
}
