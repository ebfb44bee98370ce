package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// Nearly collinear triples are where a plain float64 cross product gets the
// sign wrong; orient must agree with exact rational arithmetic on all.
func TestOrientIsExactOnNearlyCollinearPoints(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	fallbacks := 0
	for i := range 50000 {
		a := orb.Point{117 + rng.Float64()*0.1, 25 + rng.Float64()*0.1}
		b := orb.Point{117 + rng.Float64()*0.1, 25 + rng.Float64()*0.1}
		s := rng.Float64()
		c := orb.Point{a[0] + s*(b[0]-a[0]), a[1] + s*(b[1]-a[1])}
		// Nudge c by a few ulps so that all three signs occur.
		for range rng.IntN(3) {
			c[i%2] = math.Nextafter(c[i%2], math.Inf(2*(i/2%2)-1))
		}
		got := orient(a, b, c)
		if want := refOrient(a, b, c); got != want {
			t.Fatalf("orient(%v, %v, %v) = %d, exact %d", a, b, c, got, want)
		}
		if got2 := orient(b, a, c); got2 != -got {
			t.Fatalf("orient is not antisymmetric at %v %v %v", a, b, c)
		}
		if got != orientNaive(a, b, c) {
			fallbacks++
		}
	}
	if fallbacks == 0 {
		t.Error("the naive cross product never erred; the test is too easy")
	}
}

func orientNaive(a, b, c orb.Point) int {
	return sign((a[0]-c[0])*(b[1]-c[1]) - (a[1]-c[1])*(b[0]-c[0]))
}

func TestOrient(t *testing.T) {
	tests := []struct {
		name    string
		a, b, c [2]float64
		want    int
	}{
		{"left of upward edge", [2]float64{0, 0}, [2]float64{0, 1}, [2]float64{-1, 0.5}, 1},
		{"right of upward edge", [2]float64{0, 0}, [2]float64{0, 1}, [2]float64{1, 0.5}, -1},
		{"on edge", [2]float64{0, 0}, [2]float64{2, 2}, [2]float64{1, 1}, 0},
		{"collinear beyond end", [2]float64{0, 0}, [2]float64{2, 2}, [2]float64{3, 3}, 0},
		{"degenerate edge", [2]float64{1, 1}, [2]float64{1, 1}, [2]float64{3, 4}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := orient(tt.a, tt.b, tt.c); got != tt.want {
				t.Errorf("orient = %d, want %d", got, tt.want)
			}
		})
	}
}
