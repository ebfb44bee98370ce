package importer

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestAssembleJoinsWaysAndReportsBrokenRelations(t *testing.T) {
	// Nodes 1-4 a 10×10 square, 5-8 a 2×2 square inside it, 9 far away.
	nodes := map[int64]orb.Point{1: {0, 0}, 2: {10, 0}, 3: {10, 10}, 4: {0, 10},
		5: {4, 4}, 6: {6, 4}, 7: {6, 6}, 8: {4, 6}, 9: {50, 50}}
	ways := map[int64][]int64{
		10: {1, 2, 3},        // half the outer ring
		11: {1, 4, 3},        // the other half, running the same way: must be reversed to join
		12: {5, 6, 7, 8, 5},  // the inner ring
		13: {1, 2},           // a ring that never closes
		14: {1, 9, 2, 3},     // a node missing below
		15: {9, 9 + 100, 9},  // nodes outside the extract
		16: {20, 21, 22, 20}, // an "inner" ring outside the outer one
	}
	nodes[20], nodes[21], nodes[22] = orb.Point{30, 30}, orb.Point{31, 30}, orb.Point{31, 31}
	tests := []struct {
		name    string
		members []member
		wantErr string
		polys   int
		holes   int
	}{
		{"outer from two ways with a hole", []member{{10, "outer"}, {11, "outer"}, {12, "inner"}}, "", 1, 1},
		{"empty role counts as outer", []member{{10, ""}, {11, ""}}, "", 1, 0},
		{"missing member way", []member{{10, "outer"}, {99, "outer"}}, "incomplete: member ways w99", 0, 0},
		{"missing node", []member{{15, "outer"}}, "incomplete: member way w15 has nodes outside", 0, 0},
		{"ring does not close", []member{{13, "outer"}}, "broken: outer ring does not close", 0, 0},
		{"no outer", []member{{12, "inner"}}, "broken: no outer ring", 0, 0},
		{"inner outside", []member{{10, "outer"}, {11, "outer"}, {16, "inner"}}, "broken: inner ring of way w16 lies in no outer ring", 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mp, err := assemble(tc.members, ways, nodes)
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("got %v (%v), want an error starting %q", err, mp, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(mp) != tc.polys || len(mp[0])-1 != tc.holes {
				t.Fatalf("got %d polygons, %d holes: %v", len(mp), len(mp[0])-1, mp)
			}
			if r := mp[0][0]; len(r) != 5 || r[0] != r[len(r)-1] {
				t.Fatalf("outer ring %v is not the closed square", r)
			}
		})
	}
}

func TestParseMetres(t *testing.T) {
	for in, want := range map[string]float64{"7": 7, "7.5 m": 7.5, "7,5m": 7.5, " 12 ": 12} {
		if got, ok := parseMetres(in); !ok || got != want {
			t.Errorf("parseMetres(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "wide", "12'", "-3", "0"} {
		if _, ok := parseMetres(in); ok {
			t.Errorf("parseMetres(%q) accepted", in)
		}
	}
}
