package geo

import "github.com/paulmach/orb"

// PackMultiPolygons copies every geometry into three shared slices (points, rings, polygons) and
// points each *mp at its copy. An index keeps its polygons for the life of the process: decoded one
// by one they are three or more heap objects each, several hundred thousand for a large city, and
// the garbage collector visits every one on every cycle, which a busy server feels as milliseconds
// of added latency while a cycle runs. Packed, they are three objects in all.
//
// Each copy's slices are capped at their length, so appending to one never writes into another.
func PackMultiPolygons(geoms []*orb.MultiPolygon) {
	var nPolys, nRings, nPts int
	for _, mp := range geoms {
		nPolys += len(*mp)
		for _, poly := range *mp {
			nRings += len(poly)
			for _, r := range poly {
				nPts += len(r)
			}
		}
	}
	polys := make([]orb.Polygon, 0, nPolys)
	rings := make([]orb.Ring, 0, nRings)
	pts := make([]orb.Point, 0, nPts)
	for _, mp := range geoms {
		p0 := len(polys)
		for _, poly := range *mp {
			r0 := len(rings)
			for _, r := range poly {
				q0 := len(pts)
				pts = append(pts, r...)
				rings = append(rings, pts[q0:len(pts):len(pts)])
			}
			polys = append(polys, rings[r0:len(rings):len(rings)])
		}
		if *mp != nil {
			*mp = polys[p0:len(polys):len(polys)]
		}
	}
}
