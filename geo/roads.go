package geo

import (
	"container/heap"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// RoadNetwork is a graph of road centrelines in a planar projection in metres (the reports' EPSG:4547),
// for distances along the roads rather than as the crow flies. Vertices closer than the weld
// distance are one node, and lines that cross or end on another line are joined there, since
// drawn and imported centrelines rarely share their junctions' vertices exactly.
type RoadNetwork struct {
	nodes []orb.Point
	adj   [][]roadArc
	segs  []roadSegment
	tree  rtree.RTreeG[int32]
}

type roadArc struct {
	to int32
	m  float64
}

type roadSegment struct{ a, b int32 }

// RoadSnap is where a point meets the network: the nearest spot on a segment, how far along the
// segment from its first node it lies, and the straight leg from the point to it.
type RoadSnap struct {
	seg   int32
	along float64 // metres from the segment's node a
	LegM  float64 // from the point to the road
}

// NewRoadNetwork builds the graph of lines (planar metres), welding vertices within weldM metres.
func NewRoadNetwork(lines []orb.LineString, weldM float64) *RoadNetwork {
	if weldM <= 0 {
		weldM = 0.5
	}
	type rawSeg struct{ a, b orb.Point }
	var raw []rawSeg
	for _, l := range lines {
		for i := 1; i < len(l); i++ {
			if l[i-1] != l[i] {
				raw = append(raw, rawSeg{l[i-1], l[i]})
			}
		}
	}
	var idx rtree.RTreeG[int32]
	for i, s := range raw {
		lo, hi := segBox(s.a, s.b, weldM)
		idx.Insert(lo, hi, int32(i))
	}
	// Each segment is cut where another crosses it or ends on it, within the weld distance.
	cuts := make([][]float64, len(raw))
	for i, s := range raw {
		lo, hi := segBox(s.a, s.b, weldM)
		idx.Search(lo, hi, func(_, _ [2]float64, j int32) bool {
			if int(j) == i {
				return true
			}
			o := raw[j]
			if t, ok := roadCrossAt(s.a, s.b, o.a, o.b); ok {
				cuts[i] = append(cuts[i], t)
			}
			for _, end := range []orb.Point{o.a, o.b} {
				if t, d := roadProject(s.a, s.b, end); d <= weldM && t > 0 && t < 1 {
					cuts[i] = append(cuts[i], t)
				}
			}
			return true
		})
	}
	n := &RoadNetwork{}
	weld := map[[2]int64]int32{}
	node := func(p orb.Point) int32 {
		k := [2]int64{int64(math.Floor(p[0] / weldM)), int64(math.Floor(p[1] / weldM))}
		for dx := int64(-1); dx <= 1; dx++ {
			for dy := int64(-1); dy <= 1; dy++ {
				if id, ok := weld[[2]int64{k[0] + dx, k[1] + dy}]; ok && planarDist(n.nodes[id], p) <= weldM {
					return id
				}
			}
		}
		id := int32(len(n.nodes))
		n.nodes = append(n.nodes, p)
		n.adj = append(n.adj, nil)
		weld[k] = id
		return id
	}
	for i, s := range raw {
		ts := append([]float64{0, 1}, cuts[i]...)
		slices.Sort(ts)
		prev := node(s.a)
		for _, t := range ts[1:] {
			cur := node(lerp(s.a, s.b, t))
			if cur == prev {
				continue
			}
			n.addSegment(prev, cur)
			prev = cur
		}
	}
	return n
}

func (n *RoadNetwork) addSegment(a, b int32) {
	m := planarDist(n.nodes[a], n.nodes[b])
	n.adj[a] = append(n.adj[a], roadArc{b, m})
	n.adj[b] = append(n.adj[b], roadArc{a, m})
	n.segs = append(n.segs, roadSegment{a, b})
	lo, hi := segBox(n.nodes[a], n.nodes[b], 0)
	n.tree.Insert(lo, hi, int32(len(n.segs)-1))
}

// Len is the number of segments after noding.
func (n *RoadNetwork) Len() int { return len(n.segs) }

// Snap finds the road nearest p within withinM metres.
func (n *RoadNetwork) Snap(p orb.Point, withinM float64) (RoadSnap, bool) {
	best := RoadSnap{seg: -1, LegM: math.Inf(1)}
	lo, hi := [2]float64{p[0] - withinM, p[1] - withinM}, [2]float64{p[0] + withinM, p[1] + withinM}
	n.tree.Search(lo, hi, func(_, _ [2]float64, i int32) bool {
		s := n.segs[i]
		a, b := n.nodes[s.a], n.nodes[s.b]
		t, d := roadProject(a, b, p)
		if d < best.LegM || (d == best.LegM && i < best.seg) {
			best = RoadSnap{seg: i, along: t * planarDist(a, b), LegM: d}
		}
		return true
	})
	return best, best.seg >= 0 && best.LegM <= withinM
}

// RoadDistances are the shortest distances along the network from one snapped point.
type RoadDistances struct {
	n    *RoadNetwork
	from RoadSnap
	dist []float64
}

// From runs Dijkstra from s over the whole network.
func (n *RoadNetwork) From(s RoadSnap) *RoadDistances {
	d := &RoadDistances{n: n, from: s, dist: make([]float64, len(n.nodes))}
	for i := range d.dist {
		d.dist[i] = math.Inf(1)
	}
	seg := n.segs[s.seg]
	segLen := planarDist(n.nodes[seg.a], n.nodes[seg.b])
	q := &nodeQueue{}
	relax := func(v int32, m float64) {
		if m < d.dist[v] {
			d.dist[v] = m
			heap.Push(q, queued{v, m})
		}
	}
	relax(seg.a, s.along)
	relax(seg.b, segLen-s.along)
	for q.Len() > 0 {
		u := heap.Pop(q).(queued)
		if u.m > d.dist[u.node] {
			continue
		}
		for _, e := range n.adj[u.node] {
			relax(e.to, u.m+e.m)
		}
	}
	return d
}

// To is the distance from the origin to t: both legs to the road and the way along it; false when
// no road joins them.
func (d *RoadDistances) To(t RoadSnap) (float64, bool) {
	seg := d.n.segs[t.seg]
	segLen := planarDist(d.n.nodes[seg.a], d.n.nodes[seg.b])
	along := math.Min(d.dist[seg.a]+t.along, d.dist[seg.b]+segLen-t.along)
	if t.seg == d.from.seg {
		along = math.Min(along, math.Abs(t.along-d.from.along))
	}
	if math.IsInf(along, 1) {
		return 0, false
	}
	return d.from.LegM + along + t.LegM, true
}

type queued struct {
	node int32
	m    float64
}

type nodeQueue []queued

func (q nodeQueue) Len() int           { return len(q) }
func (q nodeQueue) Less(i, j int) bool { return q[i].m < q[j].m }
func (q nodeQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *nodeQueue) Push(x any)        { *q = append(*q, x.(queued)) }
func (q *nodeQueue) Pop() any {
	old := *q
	v := old[len(old)-1]
	*q = old[:len(old)-1]
	return v
}

func planarDist(a, b orb.Point) float64 { return math.Hypot(b[0]-a[0], b[1]-a[1]) }

func lerp(a, b orb.Point, t float64) orb.Point {
	return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
}

// roadProject is where p falls on a–b (0 at a, 1 at b, clamped) and how far p is from there.
func roadProject(a, b, p orb.Point) (t, dist float64) {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	if l2 > 0 {
		t = math.Min(1, math.Max(0, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l2))
	}
	return t, planarDist(lerp(a, b, t), p)
}

// roadCrossAt is where a–b properly crosses c–d, as a fraction of a–b.
func roadCrossAt(a, b, c, d orb.Point) (float64, bool) {
	r := orb.Point{b[0] - a[0], b[1] - a[1]}
	s := orb.Point{d[0] - c[0], d[1] - c[1]}
	den := r[0]*s[1] - r[1]*s[0]
	if den == 0 {
		return 0, false
	}
	t := ((c[0]-a[0])*s[1] - (c[1]-a[1])*s[0]) / den
	u := ((c[0]-a[0])*r[1] - (c[1]-a[1])*r[0]) / den
	return t, t > 0 && t < 1 && u >= 0 && u <= 1
}

func segBox(a, b orb.Point, pad float64) (lo, hi [2]float64) {
	return [2]float64{math.Min(a[0], b[0]) - pad, math.Min(a[1], b[1]) - pad}, [2]float64{math.Max(a[0], b[0]) + pad, math.Max(a[1], b[1]) + pad}
}
