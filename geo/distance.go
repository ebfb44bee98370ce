package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// EarthRadiusMetres is the mean Earth radius (IUGG).
const EarthRadiusMetres = 6371008.8

const degToRad = math.Pi / 180

// DistanceMetres is the great-circle (haversine) distance between two
// WGS-84 longitude/latitude points.
func DistanceMetres(a, b orb.Point) float64 {
	lat1, lat2 := a[1]*degToRad, b[1]*degToRad
	sinDLat := math.Sin((lat2 - lat1) / 2)
	sinDLon := math.Sin((b[0] - a[0]) * degToRad / 2)
	h := sinDLat*sinDLat + math.Cos(lat1)*math.Cos(lat2)*sinDLon*sinDLon
	return 2 * EarthRadiusMetres * math.Asin(math.Sqrt(min(h, 1)))
}

// localFrame is an equirectangular projection centred on a point: metres
// east and north of it. Within a few kilometres it is good to well under
// 0.5%, and it costs two multiplications per vertex.
type localFrame struct {
	x0, y0 float64 // origin, degrees
	kx, ky float64 // metres per degree
}

func newLocalFrame(origin orb.Point) localFrame {
	ky := EarthRadiusMetres * degToRad
	return localFrame{x0: origin[0], y0: origin[1], kx: ky * math.Cos(origin[1]*degToRad), ky: ky}
}

func (f localFrame) project(p orb.Point) (x, y float64) {
	return (p[0] - f.x0) * f.kx, (p[1] - f.y0) * f.ky
}

// SegmentDistanceMetres is the distance from p to the segment a–b, in an
// equirectangular frame centred on p; this is what Nearest measures.
func SegmentDistanceMetres(p, a, b orb.Point) float64 {
	f := newLocalFrame(p)
	ax, ay := f.project(a)
	bx, by := f.project(b)
	return math.Sqrt(originSegmentDist2(ax, ay, bx, by))
}

// originSegmentDist2 is the squared distance from the origin to a–b.
func originSegmentDist2(ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = min(1, max(0, -(ax*dx+ay*dy)/l2))
	}
	x, y := ax+t*dx, ay+t*dy
	return x*x + y*y
}

// boundaryDist2 is the squared distance in f from f's origin to the nearest
// ring of mp.
func boundaryDist2(f localFrame, mp orb.MultiPolygon) float64 {
	best := math.Inf(1)
	for _, poly := range mp {
		for _, r := range poly {
			if len(r) == 0 {
				continue
			}
			px, py := f.project(r[len(r)-1]) // closes an unclosed ring
			for _, q := range r {
				qx, qy := f.project(q)
				best = min(best, originSegmentDist2(px, py, qx, qy))
				px, py = qx, qy
			}
		}
	}
	return best
}

// AreaM2 is the area of mp in square metres (holes subtracted), measured in
// an equirectangular frame centred on its bounding box.
func AreaM2(mp orb.MultiPolygon) float64 {
	if len(mp) == 0 {
		return 0
	}
	f := newLocalFrame(mp.Bound().Center())
	total := 0.0
	for _, poly := range mp {
		a := 0.0
		for i, r := range poly {
			ra := math.Abs(ringArea(f, r))
			if i == 0 {
				a = ra
			} else {
				a -= ra
			}
		}
		total += max(a, 0)
	}
	return total
}

// ringArea is the shoelace formula in f's frame; centring keeps the
// products small, so little precision is lost to cancellation.
func ringArea(f localFrame, r orb.Ring) float64 {
	if len(r) < 3 {
		return 0
	}
	s := 0.0
	px, py := f.project(r[len(r)-1])
	for _, q := range r {
		qx, qy := f.project(q)
		s += px*qy - qx*py
		px, py = qx, qy
	}
	return s / 2
}
