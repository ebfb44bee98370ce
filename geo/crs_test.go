package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func TestParseCRS(t *testing.T) {
	tests := []struct {
		in      string
		want    CRS
		wantErr bool
	}{
		{"wgs84", WGS84, false},
		{"WGS-84", WGS84, false},
		{"CGCS2000", WGS84, false},
		{"gcj02", GCJ02, false},
		{"GCJ-02", GCJ02, false},
		{" bd09 ", BD09, false},
		{"BD09", BD09, false},
		{"", "", true},
		{"epsg:3857", "", true},
		{"bd09mc", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseCRS(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseCRS(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// Published outputs of the public algorithm: eviltransform's test vectors
// and coordtransform's README (wandergis).
func TestFromWGS84MatchesPublishedOutputs(t *testing.T) {
	tests := []struct {
		name string
		in   orb.Point
		to   CRS
		want orb.Point
	}{
		{"Shanghai GCJ-02", orb.Point{121.5272106, 31.1774276}, GCJ02, orb.Point{121.531541859215, 31.17530398364597}},
		{"Shenzhen GCJ-02", orb.Point{113.912316, 22.543847}, GCJ02, orb.Point{113.9171764808363, 22.540796131694766}},
		{"Beijing GCJ-02", orb.Point{116.377817, 39.911954}, GCJ02, orb.Point{116.38404722455657, 39.91334545536069}},
		{"Tiananmen GCJ-02", orb.Point{116.404, 39.915}, GCJ02, orb.Point{116.41024449916938, 39.91640428150164}},
		{"Tiananmen BD-09", orb.Point{116.404, 39.915}, BD09, orb.Point{116.41662724378733, 39.922699552216216}},
		{"Denver is not offset", orb.Point{-104.9903, 39.7392}, GCJ02, orb.Point{-104.9903, 39.7392}},
		{"WGS84 is identity", orb.Point{117.02, 25.08}, WGS84, orb.Point{117.02, 25.08}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FromWGS84(tt.in, tt.to)
			if math.Abs(got[0]-tt.want[0]) > 1e-9 || math.Abs(got[1]-tt.want[1]) > 1e-9 {
				t.Errorf("FromWGS84(%v, %s) = %v, want %v", tt.in, tt.to, got, tt.want)
			}
		})
	}
}

func TestGCJ02ToBD09MatchesPublishedOutput(t *testing.T) {
	got := gcjToBD(orb.Point{116.404, 39.915})
	want := orb.Point{116.41036949371029, 39.92133699351022}
	if math.Abs(got[0]-want[0]) > 1e-12 || math.Abs(got[1]-want[1]) > 1e-12 {
		t.Errorf("gcjToBD = %v, want %v", got, want)
	}
}

// The forward transforms are formulas; their inverses are iterated and must
// come back to the start within a centimetre anywhere in China.
func TestToWGS84RoundTripsWithinACentimetre(t *testing.T) {
	var points []orb.Point
	for lon := 73.5; lon <= 135.0; lon += 0.37 {
		for lat := 18.0; lat <= 53.5; lat += 0.29 {
			points = append(points, orb.Point{lon, lat})
		}
	}
	points = append(points,
		orb.Point{117.02, 25.08}, // Longyan, Fujian
		orb.Point{117.035, 25.1}, // Longyan centre
		orb.Point{116.397428, 39.90923},
	)
	for _, crs := range []CRS{GCJ02, BD09} {
		t.Run(string(crs), func(t *testing.T) {
			worst := 0.0
			for _, w := range points {
				back := ToWGS84(FromWGS84(w, crs), crs)
				worst = max(worst, DistanceMetres(w, back))
				// And the other way: from a coordinate in crs.
				c := FromWGS84(w, crs)
				again := FromWGS84(ToWGS84(c, crs), crs)
				worst = max(worst, DistanceMetres(c, again))
			}
			if worst > 0.01 {
				t.Errorf("worst round trip error %.4f m, want < 0.01 m", worst)
			}
			t.Logf("worst round trip error over %d points: %.2g m", len(points), worst)
		})
	}
}

func TestToWGS84FromGCJ02InLongyan(t *testing.T) {
	gcj := FromWGS84(orb.Point{117.02, 25.08}, GCJ02)
	// The GCJ-02 offset in south-east China is a few hundred metres.
	if d := DistanceMetres(gcj, orb.Point{117.02, 25.08}); d < 200 || d > 800 {
		t.Errorf("GCJ-02 offset at Longyan is %.0f m, expected a few hundred", d)
	}
	if d := DistanceMetres(ToWGS84(gcj, GCJ02), orb.Point{117.02, 25.08}); d > 1e-6 {
		t.Errorf("inverse misses by %.2g m", d)
	}
}
