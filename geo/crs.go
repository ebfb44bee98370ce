package geo

import (
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
)

// CRS names a geographic coordinate system in use in China. Everything in
// this package and the database is WGS-84; the others are converted at the
// edges.
type CRS string

const (
	// WGS84 is GPS's system; CGCS2000 differs from it by centimetres and
	// is treated as the same.
	WGS84 CRS = "wgs84"
	// GCJ02 is the obfuscated system required for Chinese web maps
	// (国测局坐标, "Mars coordinates"): AMap, Tencent.
	GCJ02 CRS = "gcj02"
	// BD09 is Baidu Maps' further offset of GCJ-02 (百度坐标).
	BD09 CRS = "bd09"
)

// ParseCRS reads a CRS name, ignoring case, hyphens and underscores:
// "wgs84", "cgcs2000" (as WGS84), "gcj02", "bd09".
func ParseCRS(s string) (CRS, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	n = strings.NewReplacer("-", "", "_", "").Replace(n)
	switch n {
	case "wgs84", "cgcs2000":
		return WGS84, nil
	case "gcj02":
		return GCJ02, nil
	case "bd09":
		return BD09, nil
	}
	return "", fmt.Errorf("unknown coordinate system %q: want wgs84, cgcs2000, gcj02 or bd09", s)
}

// ToWGS84 converts p (longitude, latitude) from the system from. A CRS
// that ParseCRS would not return leaves p unchanged.
func ToWGS84(p orb.Point, from CRS) orb.Point {
	switch from {
	case GCJ02:
		return gcjToWGS(p)
	case BD09:
		return gcjToWGS(bdToGCJ(p))
	}
	return p
}

// FromWGS84 converts a WGS-84 p (longitude, latitude) to the system to. A
// CRS that ParseCRS would not return leaves p unchanged.
func FromWGS84(p orb.Point, to CRS) orb.Point {
	switch to {
	case GCJ02:
		return wgsToGCJ(p)
	case BD09:
		return gcjToBD(wgsToGCJ(p))
	}
	return p
}

// The published GCJ-02 algorithm: Krasovsky 1940 ellipsoid constants.
const (
	gcjA  = 6378245.0
	gcjEE = 0.00669342162296594323
)

// outOfChina is the published rough box outside which GCJ-02 is WGS-84.
func outOfChina(lon, lat float64) bool {
	return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271
}

func wgsToGCJ(p orb.Point) orb.Point {
	lon, lat := p[0], p[1]
	if outOfChina(lon, lat) {
		return p
	}
	dLon, dLat := gcjDelta(lon, lat)
	return orb.Point{lon + dLon, lat + dLat}
}

func gcjDelta(lon, lat float64) (dLon, dLat float64) {
	x, y := lon-105.0, lat-35.0
	dLat = transformLat(x, y)
	dLon = transformLon(x, y)
	radLat := lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - gcjEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((gcjA * (1 - gcjEE)) / (magic * sqrtMagic) * math.Pi)
	dLon = (dLon * 180.0) / (gcjA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return dLon, dLat
}

func transformLat(x, y float64) float64 {
	r := -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	r += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	return r
}

func transformLon(x, y float64) float64 {
	r := 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	r += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	return r
}

// gcjToWGS inverts wgsToGCJ, which has no closed form, by fixed-point
// iteration: the offset changes by ~1e-5 of a step, so each round gains
// about five digits and three or four rounds reach 1e-10 degrees. The
// one-step inverse most libraries use is off by up to a metre or two.
func gcjToWGS(g orb.Point) orb.Point {
	if outOfChina(g[0], g[1]) {
		return g
	}
	w := g
	best, bestErr := g, math.Inf(1)
	for range maxInverseIterations {
		f := wgsToGCJ(w)
		ex, ey := f[0]-g[0], f[1]-g[1]
		if e := math.Abs(ex) + math.Abs(ey); e < bestErr {
			best, bestErr = w, e
		}
		if math.Abs(ex) < inverseTolerance && math.Abs(ey) < inverseTolerance {
			break
		}
		w = orb.Point{w[0] - ex, w[1] - ey}
	}
	// Near the edge of the outOfChina box the forward map jumps, and the
	// iteration can cycle; the best iterate is then the honest answer.
	return best
}

const (
	maxInverseIterations = 30
	inverseTolerance     = 1e-10 // degrees, ~0.01 mm
)

// xPi is the constant of the published BD-09 formulas.
const xPi = math.Pi * 3000.0 / 180.0

func gcjToBD(p orb.Point) orb.Point {
	x, y := p[0], p[1]
	z := math.Sqrt(x*x+y*y) + 0.00002*math.Sin(y*xPi)
	theta := math.Atan2(y, x) + 0.000003*math.Cos(x*xPi)
	return orb.Point{z*math.Cos(theta) + 0.0065, z*math.Sin(theta) + 0.006}
}

// bdToGCJ is the published inverse formula, refined by the same fixed-point
// iteration as gcjToWGS so that BD-09 round trips to well under 0.01 m.
func bdToGCJ(b orb.Point) orb.Point {
	x, y := b[0]-0.0065, b[1]-0.006
	z := math.Sqrt(x*x+y*y) - 0.00002*math.Sin(y*xPi)
	theta := math.Atan2(y, x) - 0.000003*math.Cos(x*xPi)
	g := orb.Point{z * math.Cos(theta), z * math.Sin(theta)}
	for range maxInverseIterations {
		f := gcjToBD(g)
		ex, ey := f[0]-b[0], f[1]-b[1]
		if math.Abs(ex) < inverseTolerance && math.Abs(ey) < inverseTolerance {
			break
		}
		g = orb.Point{g[0] - ex, g[1] - ey}
	}
	return g
}
