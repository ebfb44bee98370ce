package geo

import (
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
)

// The synthetic city: a ~10 km box around Longyan, Fujian.
const (
	cityLon, cityLat = 117.02, 25.08
	cityHalfLon      = 0.05  // ≈ 5 km east and west
	cityHalfLat      = 0.045 // ≈ 5 km north and south
)

// syntheticCity returns about n street-like polygons: city blocks (jittered
// rectangles with subdivided sides) and street corridors (buffered
// polylines along the grid lines, overlapping the blocks' edges), each of
// 10–50 vertices, plus 64 communities and 4 subdistricts whose neighbours
// share edges vertex for vertex.
func syntheticCity(n int, seed uint64) []Entry {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	g := max(2, int(math.Sqrt(0.6*float64(n))))
	cw, ch := 2*cityHalfLon/float64(g), 2*cityHalfLat/float64(g)
	x0, y0 := cityLon-cityHalfLon, cityLat-cityHalfLat
	out := make([]Entry, 0, n+68)
	id := int64(1)
	for i := 0; i < g && len(out) < n; i++ {
		for j := 0; j < g && len(out) < n; j++ {
			bx, by := x0+float64(i)*cw, y0+float64(j)*ch
			out = append(out, Entry{ID: id, Class: ClassArea, Tag: "block",
				Geom: orb.MultiPolygon{{block(rng, bx+0.1*cw, by+0.1*ch, 0.8*cw, 0.8*ch)}}})
			id++
		}
	}
	for len(out) < n {
		out = append(out, Entry{ID: id, Class: ClassArea, Tag: "street",
			Geom: orb.MultiPolygon{{corridor(rng, g, x0, y0, cw, ch)}}})
		id++
	}
	const k = 8 // communities per side; two by two per subdistrict quarter
	for i := range k {
		for j := range k {
			out = append(out, Entry{ID: id, Class: ClassAdminUnit, Tag: "community",
				Geom: orb.MultiPolygon{{gridCell(x0, y0, 2*cityHalfLon/k, 2*cityHalfLat/k, i, j, 50)}}})
			id++
		}
	}
	for i := range 2 {
		for j := range 2 {
			out = append(out, Entry{ID: id, Class: ClassAdminUnit, Tag: "subdistrict",
				Geom: orb.MultiPolygon{{gridCell(x0, y0, cityHalfLon, cityHalfLat, i, j, 100)}}})
			id++
		}
	}
	return out
}

// block is a rectangle whose sides are split into 3–12 jittered pieces.
func block(rng *rand.Rand, x, y, w, h float64) orb.Ring {
	k := 3 + rng.IntN(10)
	j := func(s float64) float64 { return (rng.Float64() - 0.5) * 0.05 * s }
	r := make(orb.Ring, 0, 4*k+1)
	for i := range k {
		r = append(r, orb.Point{x + w*float64(i)/float64(k), y + j(h)})
	}
	for i := range k {
		r = append(r, orb.Point{x + w + j(w), y + h*float64(i)/float64(k)})
	}
	for i := range k {
		r = append(r, orb.Point{x + w - w*float64(i)/float64(k), y + h + j(h)})
	}
	for i := range k {
		r = append(r, orb.Point{x + j(w), y + h - h*float64(i)/float64(k)})
	}
	return append(r, r[0])
}

// corridor buffers a street running along a grid line for 4–20 cells.
func corridor(rng *rand.Rand, g int, x0, y0, cw, ch float64) orb.Ring {
	cells := 4 + rng.IntN(17)
	start := rng.IntN(max(1, g-cells))
	line := rng.IntN(g + 1)
	horizontal := rng.IntN(2) == 0
	half := 0.15 // of a cell: reaches into the blocks' edges
	var centre []orb.Point
	for c := start; c <= start+cells && c <= g; c++ {
		wob := (rng.Float64() - 0.5) * 0.04
		if horizontal {
			centre = append(centre, orb.Point{x0 + float64(c)*cw, y0 + (float64(line)+wob)*ch})
		} else {
			centre = append(centre, orb.Point{x0 + (float64(line)+wob)*cw, y0 + float64(c)*ch})
		}
	}
	r := make(orb.Ring, 0, 2*len(centre)+1)
	for _, p := range centre {
		if horizontal {
			r = append(r, orb.Point{p[0], p[1] - half*ch})
		} else {
			r = append(r, orb.Point{p[0] + half*cw, p[1]})
		}
	}
	for i := len(centre) - 1; i >= 0; i-- {
		p := centre[i]
		if horizontal {
			r = append(r, orb.Point{p[0], p[1] + half*ch})
		} else {
			r = append(r, orb.Point{p[0] - half*cw, p[1]})
		}
	}
	return append(r, r[0])
}

// gridCell is cell (i, j) of a grid, each side split into k pieces at
// positions computed from the grid, so neighbours share them exactly.
func gridCell(x0, y0, w, h float64, i, j, k int) orb.Ring {
	at := func(fi, fj float64) orb.Point { return orb.Point{x0 + fi*w, y0 + fj*h} }
	fi, fj, fk := float64(i), float64(j), float64(k)
	r := make(orb.Ring, 0, 4*k+1)
	for s := range k {
		r = append(r, at(fi+float64(s)/fk, fj))
	}
	for s := range k {
		r = append(r, at(fi+1, fj+float64(s)/fk))
	}
	for s := range k {
		r = append(r, at(fi+1-float64(s)/fk, fj+1))
	}
	for s := range k {
		r = append(r, at(fi, fj+1-float64(s)/fk))
	}
	return append(r, r[0])
}

func randomCityPoints(n int, seed uint64) []orb.Point {
	rng := rand.New(rand.NewPCG(seed, 1))
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{
			cityLon + (rng.Float64()*2-1)*cityHalfLon,
			cityLat + (rng.Float64()*2-1)*cityHalfLat,
		}
	}
	return pts
}
