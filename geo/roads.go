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
// distance are one node, lines that cross are joined where they cross and a loose end near another
// line is joined to it, since drawn and imported centrelines rarely share their junctions' vertices.
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

// NewRoadNetwork builds the graph of lines (planar metres), welding vertices within weldM metres and
// joining a line's loose end to the nearest other line within joinM: drawn centrelines often stop at
// the kerb of the road they meet, half its width short of its centreline.
func NewRoadNetwork(lines []orb.LineString, weldM, joinM float64) *RoadNetwork {
	if weldM <= 0 {
		weldM = 0.5
	}
	joinM = math.Max(joinM, weldM)
	type rawSeg struct {
		a, b orb.Point
		line int
	}
	var raw []rawSeg
	for li, l := range lines {
		for i := 1; i < len(l); i++ {
			if l[i-1] != l[i] {
				raw = append(raw, rawSeg{l[i-1], l[i], li})
			}
		}
	}
	var idx rtree.RTreeG[int32]
	for i, s := range raw {
		lo, hi := segBox(s.a, s.b, 0)
		idx.Insert(lo, hi, int32(i))
	}
	// Each segment is cut where another crosses it or a loose end is joined to it.
	cuts := make([][]float64, len(raw))
	for i, s := range raw {
		lo, hi := segBox(s.a, s.b, weldM)
		idx.Search(lo, hi, func(_, _ [2]float64, j int32) bool {
			if int(j) != i {
				if t, ok := roadCrossAt(s.a, s.b, raw[j].a, raw[j].b); ok {
					cuts[i] = append(cuts[i], t)
				}
			}
			return true
		})
	}
	type join struct{ end, on orb.Point }
	var joins []join
	for li, l := range lines {
		if len(l) < 2 {
			continue
		}
		for _, end := range []orb.Point{l[0], l[len(l)-1]} {
			best, bestT, bestD := int32(-1), 0.0, math.Inf(1)
			idx.Search([2]float64{end[0] - joinM, end[1] - joinM}, [2]float64{end[0] + joinM, end[1] + joinM}, func(_, _ [2]float64, j int32) bool {
				if raw[j].line != li {
					if t, d := roadProject(raw[j].a, raw[j].b, end); d < bestD || (d == bestD && j < best) {
						best, bestT, bestD = j, t, d
					}
				}
				return true
			})
			if best < 0 || bestD > joinM {
				continue
			}
			if bestT > 0 && bestT < 1 {
				cuts[best] = append(cuts[best], bestT)
			}
			joins = append(joins, join{end, lerp(raw[best].a, raw[best].b, bestT)})
		}
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
	for _, j := range joins {
		if a, b := node(j.end), node(j.on); a != b {
			n.addSegment(a, b)
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

// RoadDistances are the shortest distances along the network from the nearest of a set of snapped
// points (the sources), and which source each is from.
type RoadDistances struct {
	n       *RoadNetwork
	sources []RoadSnap
	onSeg   map[int32][]int // sources by segment: two points on one stretch meet without a node
	dist    []float64       // from the nearest source, its leg to the road included
	from    []int32
}

// From runs Dijkstra from one snapped point over the whole network.
func (n *RoadNetwork) From(s RoadSnap) *RoadDistances { return n.FromNearest([]RoadSnap{s}) }

// FromNearest runs one Dijkstra from every source at once, so the nearest of many points of a kind
// costs one pass, not one per point.
func (n *RoadNetwork) FromNearest(sources []RoadSnap) *RoadDistances {
	d := &RoadDistances{n: n, sources: sources, onSeg: map[int32][]int{}, dist: make([]float64, len(n.nodes)), from: make([]int32, len(n.nodes))}
	for i := range d.dist {
		d.dist[i], d.from[i] = math.Inf(1), -1
	}
	q := &nodeQueue{}
	relax := func(v int32, m float64, src int32) {
		if m < d.dist[v] {
			d.dist[v], d.from[v] = m, src
			heap.Push(q, queued{v, m})
		}
	}
	for i, s := range sources {
		seg := n.segs[s.seg]
		d.onSeg[s.seg] = append(d.onSeg[s.seg], i)
		relax(seg.a, s.LegM+s.along, int32(i))
		relax(seg.b, s.LegM+n.segLen(s.seg)-s.along, int32(i))
	}
	for q.Len() > 0 {
		u := heap.Pop(q).(queued)
		if u.m > d.dist[u.node] {
			continue
		}
		for _, e := range n.adj[u.node] {
			relax(e.to, u.m+e.m, d.from[u.node])
		}
	}
	return d
}

// To is the distance from the origin to t: both legs to the road and the way along it; false when
// no road joins them.
func (d *RoadDistances) To(t RoadSnap) (float64, bool) {
	m, _, ok := d.Nearest(t)
	return m, ok
}

// Nearest is the distance from t to the nearest source along the roads and which source it is.
func (d *RoadDistances) Nearest(t RoadSnap) (float64, int, bool) {
	seg := d.n.segs[t.seg]
	best, src := d.dist[seg.a]+t.along, d.from[seg.a]
	if m := d.dist[seg.b] + d.n.segLen(t.seg) - t.along; m < best {
		best, src = m, d.from[seg.b]
	}
	for _, i := range d.onSeg[t.seg] {
		if m := d.sources[i].LegM + math.Abs(t.along-d.sources[i].along); m < best {
			best, src = m, int32(i)
		}
	}
	if src < 0 || math.IsInf(best, 1) {
		return 0, -1, false
	}
	return best + t.LegM, int(src), true
}

func (n *RoadNetwork) segLen(i int32) float64 {
	s := n.segs[i]
	return planarDist(n.nodes[s.a], n.nodes[s.b])
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
