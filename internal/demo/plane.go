package demo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"
)

// The city is laid out in a local metric plane (metres east and north of origin) and converted to
// lon/lat once at the end. Every shape is an axis-aligned rectangle (or a union of a few) on whole or
// half metres, so neighbours share exactly the same coordinates and stay exactly the same after the
// conversion: x maps to lon and y to lat independently.
var origin = orb.Point{117.00, 25.07}

// metresPerDegree gives the east and north lengths of a degree at the origin on the WGS-84 ellipsoid.
// Using the ellipsoid's radii of curvature rather than one spherical R keeps the declared sizes of the
// deliberate gaps within 0.05% of what PostGIS measures (a sphere would be 0.4% off north–south).
func metresPerDegree() (east, north float64) {
	const a, e2 = 6378137.0, 0.00669437999014
	phi := origin[1] * math.Pi / 180
	w := 1 - e2*math.Sin(phi)*math.Sin(phi)
	primeVertical := a / math.Sqrt(w)
	meridian := a * (1 - e2) / (w * math.Sqrt(w))
	return primeVertical * math.Cos(phi) * math.Pi / 180, meridian * math.Pi / 180
}

// toLonLat returns the projection from the local plane to lon/lat.
func toLonLat() orb.Projection {
	east, north := metresPerDegree()
	return func(p orb.Point) orb.Point {
		return orb.Point{origin[0] + p[0]/east, origin[1] + p[1]/north}
	}
}

// rect is an axis-aligned rectangle in the local plane.
type rect struct{ x0, y0, x1, y1 float64 }

func (r rect) w() float64    { return r.x1 - r.x0 }
func (r rect) h() float64    { return r.y1 - r.y0 }
func (r rect) area() float64 { return r.w() * r.h() }

// ring is the rectangle's counter-clockwise exterior ring.
func (r rect) ring() orb.Ring {
	return orb.Ring{{r.x0, r.y0}, {r.x1, r.y0}, {r.x1, r.y1}, {r.x0, r.y1}, {r.x0, r.y0}}
}

func (r rect) polygon() orb.Polygon { return orb.Polygon{r.ring()} }

// multi turns rectangles into a multipolygon; callers pass rectangles that do not touch along an
// edge, so the result is valid.
func multi(rs ...rect) orb.MultiPolygon {
	mp := make(orb.MultiPolygon, len(rs))
	for i, r := range rs {
		mp[i] = r.polygon()
	}
	return mp
}

// line is a centreline from a to b.
func line(a, b orb.Point) orb.MultiLineString { return orb.MultiLineString{{a, b}} }

// projectCity converts every geometry of the city from the local plane to lon/lat, in place.
func projectCity(c *City) {
	proj := toLonLat()
	for i := range c.AdminUnits {
		project.MultiPolygon(c.AdminUnits[i].Boundary, proj)
	}
	for i := range c.Areas {
		project.MultiPolygon(c.Areas[i].Geom, proj)
		if c.Areas[i].Centreline != nil {
			project.MultiLineString(c.Areas[i].Centreline, proj)
		}
	}
	project.Polygon(c.UncoveredStrip, proj)
}
