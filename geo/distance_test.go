package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func TestDistanceMetres(t *testing.T) {
	tests := []struct {
		name string
		a, b orb.Point
		want float64 // metres
		tol  float64 // relative
	}{
		{"same point", orb.Point{117.02, 25.08}, orb.Point{117.02, 25.08}, 0, 0},
		{"one degree of latitude", orb.Point{117, 25}, orb.Point{117, 26}, 111195.08, 1e-6},
		{"one degree of longitude on the equator", orb.Point{0, 0}, orb.Point{1, 0}, 111195.08, 1e-6},
		{"across the antimeridian", orb.Point{179.5, 0}, orb.Point{-179.5, 0}, 111195.08, 1e-6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DistanceMetres(tt.a, tt.b); math.Abs(got-tt.want) > tt.tol*tt.want+1e-9 {
				t.Errorf("DistanceMetres = %.2f, want %.2f", got, tt.want)
			}
		})
	}
}

// Nearest's equirectangular frame must stay within 0.5% of the great-circle
// distance at city scale.
func TestSegmentDistanceMetresAgreesWithHaversine(t *testing.T) {
	p := orb.Point{117.02, 25.08}
	tests := []struct {
		name    string
		a, b    orb.Point
		closest orb.Point
	}{
		{"north-south segment to the east", orb.Point{117.05, 25.0}, orb.Point{117.05, 25.2}, orb.Point{117.05, 25.08}},
		{"east-west segment to the south", orb.Point{116.9, 25.05}, orb.Point{117.1, 25.05}, orb.Point{117.02, 25.05}},
		{"endpoint is closest", orb.Point{117.03, 25.09}, orb.Point{117.06, 25.12}, orb.Point{117.03, 25.09}},
		{"far endpoint 5 km", orb.Point{117.07, 25.08}, orb.Point{117.09, 25.08}, orb.Point{117.07, 25.08}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SegmentDistanceMetres(p, tt.a, tt.b)
			want := DistanceMetres(p, tt.closest)
			if math.Abs(got-want) > 0.005*want {
				t.Errorf("SegmentDistanceMetres = %.2f, haversine to closest point %.2f", got, want)
			}
		})
	}
}

func TestAreaM2SubtractsHoles(t *testing.T) {
	whole := AreaM2(orb.MultiPolygon{{rect(117.00, 25.06, 117.04, 25.10)}})
	holed := AreaM2(squareWithHole)
	hole := AreaM2(orb.MultiPolygon{{rect(117.01, 25.07, 117.03, 25.09)}})
	if math.Abs(holed-(whole-hole)) > 1e-6*whole {
		t.Errorf("area with hole %.0f, want %.0f - %.0f", holed, whole, hole)
	}
	// 0.04° square at 25.08°N: 4447.8 m × 4031.0 m.
	if want := 4447.8 * 4031.0; math.Abs(whole-want)/want > 0.002 {
		t.Errorf("area %.0f m², want about %.0f", whole, want)
	}
}
