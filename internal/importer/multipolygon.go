package importer

import (
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// member is a way of a multipolygon or boundary relation, with its role.
type member struct {
	way  int64
	role string
}

// chain is a run of nodes with the ways it was joined from (for error messages).
type chain struct {
	nodes []int64
	ways  []int64
}

// assemble builds a relation's multipolygon from its member ways: the ways of each role are joined
// end to end into closed rings, and every inner ring goes into the smallest outer ring around it.
// A relation that cannot be built exactly — member ways or nodes missing from the extract, a ring
// that does not close, an inner ring outside every outer one — is an error saying which and where;
// nothing is guessed.
func assemble(members []member, wayNodes map[int64][]int64, nodes map[int64]orb.Point) (orb.MultiPolygon, error) {
	var missing []string
	var outers, inners []chain
	for _, m := range members {
		ids, ok := wayNodes[m.way]
		if !ok {
			missing = append(missing, fmt.Sprintf("w%d", m.way))
			continue
		}
		for _, n := range ids {
			if _, ok := nodes[n]; !ok {
				return nil, fmt.Errorf("incomplete: member way w%d has nodes outside the extract (n%d)", m.way, n)
			}
		}
		c := chain{nodes: ids, ways: []int64{m.way}}
		if m.role == "inner" {
			inners = append(inners, c)
		} else {
			outers = append(outers, c)
		}
	}
	if len(missing) > 0 {
		more := ""
		if len(missing) > 5 {
			more = fmt.Sprintf(" and %d more", len(missing)-5)
			missing = missing[:5]
		}
		return nil, fmt.Errorf("incomplete: member ways %s%s are not in the extract", strings.Join(missing, ", "), more)
	}
	if len(outers) == 0 {
		return nil, fmt.Errorf("broken: no outer ring")
	}
	outerRings, err := joinRings(outers, "outer")
	if err != nil {
		return nil, err
	}
	innerRings, err := joinRings(inners, "inner")
	if err != nil {
		return nil, err
	}
	mp := make(orb.MultiPolygon, len(outerRings))
	areas := make([]float64, len(outerRings))
	for i, c := range outerRings {
		mp[i] = orb.Polygon{ringOf(c, nodes)}
		areas[i] = math.Abs(planar.Area(mp[i][0]))
	}
	for _, c := range innerRings {
		r := ringOf(c, nodes)
		best := -1
		for i := range mp {
			if ringInside(r, mp[i][0]) && (best < 0 || areas[i] < areas[best]) {
				best = i
			}
		}
		if best < 0 {
			return nil, fmt.Errorf("broken: inner ring of way w%d lies in no outer ring", c.ways[0])
		}
		mp[best] = append(mp[best], r)
	}
	return mp, nil
}

// joinRings joins chains end to end (reversing them where needed) until each is closed.
func joinRings(chains []chain, role string) ([]chain, error) {
	var rings []chain
	used := make([]bool, len(chains))
	for i := range chains {
		if used[i] {
			continue
		}
		used[i] = true
		cur := chain{nodes: append([]int64(nil), chains[i].nodes...), ways: append([]int64(nil), chains[i].ways...)}
		for len(cur.nodes) < 2 || cur.nodes[0] != cur.nodes[len(cur.nodes)-1] {
			if len(cur.nodes) == 0 {
				return nil, fmt.Errorf("broken: %s way w%d has no nodes", role, cur.ways[0])
			}
			end := cur.nodes[len(cur.nodes)-1]
			found := false
			for j := range chains {
				if used[j] || len(chains[j].nodes) == 0 {
					continue
				}
				next := chains[j].nodes
				switch end {
				case next[0]:
					cur.nodes = append(cur.nodes, next[1:]...)
				case next[len(next)-1]:
					for k := len(next) - 2; k >= 0; k-- {
						cur.nodes = append(cur.nodes, next[k])
					}
				default:
					continue
				}
				used[j], found = true, true
				cur.ways = append(cur.ways, chains[j].ways...)
				break
			}
			if !found {
				return nil, fmt.Errorf("broken: %s ring does not close: it runs from node n%d to node n%d (ways %s)",
					role, cur.nodes[0], end, wayList(cur.ways))
			}
		}
		if len(cur.nodes) < 4 {
			return nil, fmt.Errorf("broken: %s ring of ways %s has fewer than 4 nodes", role, wayList(cur.ways))
		}
		rings = append(rings, cur)
	}
	return rings, nil
}

func wayList(ways []int64) string {
	parts := make([]string, 0, min(len(ways), 6))
	for i, w := range ways {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("… %d in all", len(ways)))
			break
		}
		parts = append(parts, fmt.Sprintf("w%d", w))
	}
	return strings.Join(parts, ", ")
}

func ringOf(c chain, nodes map[int64]orb.Point) orb.Ring {
	r := make(orb.Ring, len(c.nodes))
	for i, n := range c.nodes {
		r[i] = nodes[n]
	}
	return r
}

// ringInside reports whether inner lies inside outer, judged by the first of its vertices that is not
// on outer's boundary (inner rings may touch their outer ring at a vertex).
func ringInside(inner, outer orb.Ring) bool {
	onOuter := make(map[orb.Point]bool, len(outer))
	for _, p := range outer {
		onOuter[p] = true
	}
	for _, p := range inner {
		if !onOuter[p] {
			return planar.RingContains(outer, p)
		}
	}
	return false
}
