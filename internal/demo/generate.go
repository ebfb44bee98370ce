package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/paulmach/orb"
)

// Widths in metres. Roads are corridors around their centrelines; the river band includes its banks.
const (
	mainWidth      = 30
	secondaryWidth = 15
	laneWidth      = 6
	riverWidth     = 40
)

type lineKind uint8

const (
	border lineKind = iota // the district's edge: no road on it
	secondaryLine
	mainLine
	riverLine
)

// gridLine is one street line of the irregular grid: a road or river centreline, or the district edge.
type gridLine struct {
	pos  float64
	kind lineKind
	name string
}

func (l gridLine) half() float64 {
	switch l.kind {
	case secondaryLine:
		return secondaryWidth / 2
	case mainLine:
		return mainWidth / 2
	case riverLine:
		return riverWidth / 2
	}
	return 0
}

// cells is a rectangle of grid cells between line indices: columns c0..c1, rows r0..r1.
type cells struct{ c0, r0, c1, r1 int }

// gen holds the state of one generation run; every random choice goes through r, in a fixed order.
type gen struct {
	r      *rand.Rand
	city   *City
	names  *namer
	xs, ys []gridLine    // vertical lines by x, horizontal lines by y; first and last are the edge
	comm   [][]int       // community key of block cell [i][j]
	units  map[int]cells // admin unit key → its cells
	short  map[int]string
	lanes  map[int]int // community key → back lanes named so far
}

// Generate builds the demo city for opt. It is pure and deterministic: the same Options give a
// deeply equal City.
func Generate(opt Options) (*City, error) {
	if opt.Scale < 1 {
		return nil, fmt.Errorf("demo: scale %d: must be at least 1", opt.Scale)
	}
	g := &gen{
		r:     rand.New(rand.NewPCG(uint64(opt.Seed), 0x5354_4348_4945_46)),
		city:  &City{Options: opt},
		names: newNamer(),
		units: map[int]cells{},
		short: map[int]string{},
		lanes: map[int]int{},
	}
	// About 750 blocks at Scale 1; the side grows with √Scale so the block count grows with Scale.
	side := math.Sqrt(float64(opt.Scale))
	g.xs = g.lines(int(math.Round(30*side)), verticalMainRoads, "经")
	g.ys = g.lines(int(math.Round(25*side)), horizontalMainRoads, "纬")
	if err := g.adminUnits(); err != nil {
		return nil, err
	}
	g.roads()
	if err := g.blocks(); err != nil {
		return nil, err
	}
	g.people()
	projectCity(g.city)
	return g.city, nil
}

// lines lays out n blocks' worth of parallel street lines 130–200 m apart, every 4th to 6th a main road.
func (g *gen) lines(n int, mainNames []string, prefix string) []gridLine {
	ls := make([]gridLine, n+1)
	pos, next, mains := 0.0, 2+g.r.IntN(3), 0
	for i := range ls {
		if i > 0 {
			pos += float64(130 + g.r.IntN(71))
		}
		ls[i].pos = pos
		switch {
		case i == 0 || i == n:
			ls[i].kind = border
		case i == next && i < n-1:
			ls[i].kind = mainLine
			if mains < len(mainNames) {
				ls[i].name = mainNames[mains]
			} else {
				ls[i].name = prefix + cnum(mains-len(mainNames)+1) + "路"
			}
			g.names.seen[ls[i].name]++
			mains++
			next = i + 4 + g.r.IntN(3)
		default:
			ls[i].kind = secondaryLine
		}
	}
	return ls
}

// nearestMain returns the index of the main line closest to target, other than the excluded ones.
func nearestMain(ls []gridLine, target float64, exclude ...int) int {
	best := -1
outer:
	for i, l := range ls {
		if l.kind != mainLine {
			continue
		}
		for _, e := range exclude {
			if i == e {
				continue outer
			}
		}
		if best < 0 || math.Abs(float64(i)-target) < math.Abs(float64(best)-target) {
			best = i
		}
	}
	return best
}

// adminUnits lays out the city, the district, its seven subdistricts in three rows split along main
// roads, and 8–12 communities in each, split along any street line. Admin boundaries run along
// street centrelines, so every block lies in exactly one community.
func (g *gen) adminUnits() error {
	nx, ny := len(g.xs)-1, len(g.ys)-1
	rA := nearestMain(g.ys, float64(ny)/3)
	rB := nearestMain(g.ys, 2*float64(ny)/3, rA)
	v1 := nearestMain(g.xs, float64(nx)/3)
	v2 := nearestMain(g.xs, 2*float64(nx)/3, v1)
	vS, vN := nearestMain(g.xs, 0.55*float64(nx)), nearestMain(g.xs, 0.45*float64(nx))
	if min(rA, rB, v1, v2, vS, vN) < 0 {
		return fmt.Errorf("demo: too few main roads to lay out subdistricts")
	}
	rA, rB = min(rA, rB), max(rA, rB)
	v1, v2 = min(v1, v2), max(v1, v2)
	if err := g.placeRiver(rA, rB); err != nil {
		return err
	}
	rows := []int{0, rA, rB, ny}
	cols := [][]int{{0, vS, nx}, {0, v1, v2, nx}, {0, vN, nx}}

	whole := cells{0, 0, nx, ny}
	g.addUnit(0, LevelCity, "350800", "龙岩市", whole, map[string]any{})
	g.addUnit(1, LevelDistrict, "350802", "新罗区", whole, map[string]any{})
	subs := make([]int, len(subdistrictNames))
	for i, s := range subdistrictNames {
		c := cells{cols[s.row][s.col], rows[s.row], cols[s.row][s.col+1], rows[s.row+1]}
		subs[i] = g.addUnit(2, LevelSubdistrict, fmt.Sprintf("350802%03d", i+1), s.name, c, map[string]any{})
		g.short[subs[i]] = short(s.name)
	}
	g.comm = make([][]int, nx)
	for i := range g.comm {
		g.comm[i] = make([]int, ny)
	}
	for i, s := range subdistrictNames {
		if err := g.communities(subs[i], s.villages); err != nil {
			return err
		}
	}
	g.boundaries()
	return nil
}

// placeRiver turns the secondary line nearest the middle of the middle row into the 龙津河.
func (g *gen) placeRiver(rA, rB int) error {
	best := -1
	for j := rA + 2; j <= rB-2; j++ {
		if g.ys[j].kind == secondaryLine && (best < 0 || abs(2*j-rA-rB) < abs(2*best-rA-rB)) {
			best = j
		}
	}
	if best < 0 {
		return fmt.Errorf("demo: no room for the river between rows %d and %d", rA, rB)
	}
	g.ys[best].kind, g.ys[best].name = riverLine, "龙津河"
	return nil
}

func abs(x int) int { return max(x, -x) }

func (g *gen) addUnit(parent int, level, code, name string, c cells, attrs map[string]any) int {
	key := len(g.city.AdminUnits) + 1
	g.city.AdminUnits = append(g.city.AdminUnits, AdminUnit{
		Key: key, Parent: parent, Level: level, Code: code, Name: name, Attributes: attrs,
	})
	g.units[key] = c
	return key
}

// communities splits a subdistrict into 2 or 3 rows of communities, each row into columns.
func (g *gen) communities(sub, maxVillages int) error {
	c := g.units[sub]
	n := 8 + g.r.IntN(5)
	villages := maxVillages/2 + g.r.IntN(maxVillages-maxVillages/2+1)
	isVillage := map[int]bool{}
	for _, k := range g.r.Perm(n)[:villages] {
		isVillage[k] = true
	}
	nrows := 2
	if n >= 10 {
		nrows = 3
	}
	rowSplit, err := g.split(c.r0, c.r1, nrows)
	if err != nil {
		return err
	}
	code := g.city.AdminUnits[sub-1].Code
	k, shequ, cun := 0, 0, 200 // statistical codes: 居委会 001–199, 村委会 201–399
	for t := range nrows {
		ncols := n / nrows
		if t < n%nrows {
			ncols++
		}
		colSplit, err := g.split(c.c0, c.c1, ncols)
		if err != nil {
			return err
		}
		for u := range ncols {
			cc := cells{colSplit[u], rowSplit[t], colSplit[u+1], rowSplit[t+1]}
			name := g.names.fresh(func() string { return placeName(g.r) })
			kind, seq := "社区", &shequ
			if isVillage[k] {
				kind, seq = "村", &cun
			}
			*seq++
			key := g.addUnit(sub, LevelCommunity, fmt.Sprintf("%s%03d", code, *seq), name+kind, cc,
				map[string]any{"type": kind})
			g.short[key] = name
			for i := cc.c0; i < cc.c1; i++ {
				for j := cc.r0; j < cc.r1; j++ {
					g.comm[i][j] = key
				}
			}
			k++
		}
	}
	return nil
}

// split divides line indices a..b into k runs of nearly equal length, jittered by one line where
// runs are long enough that the jitter cannot empty one.
func (g *gen) split(a, b, k int) ([]int, error) {
	if b-a < k {
		return nil, fmt.Errorf("demo: cannot split %d grid lines into %d communities", b-a, k)
	}
	s := make([]int, k+1)
	s[0], s[k] = a, b
	for t := 1; t < k; t++ {
		s[t] = a + int(math.Round(float64(t*(b-a))/float64(k)))
		if (b-a)/k >= 3 {
			s[t] += g.r.IntN(3) - 1
		}
	}
	return s, nil
}

// boundaries gives every admin unit a rectangle ring that also passes through every community
// corner lying on its edges, so neighbours share identical vertices (no T-junctions) and each
// parent's ring runs through its children's corners.
func (g *gen) boundaries() {
	corner := map[[2]int]bool{}
	for _, c := range g.units {
		for _, p := range [][2]int{{c.c0, c.r0}, {c.c1, c.r0}, {c.c1, c.r1}, {c.c0, c.r1}} {
			corner[p] = true
		}
	}
	keys := make([]int, 0, len(g.units))
	for k := range g.units {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, key := range keys {
		c := g.units[key]
		var ring orb.Ring
		add := func(i, j int) { ring = append(ring, orb.Point{g.xs[i].pos, g.ys[j].pos}) }
		for i := c.c0; i < c.c1; i++ {
			if i == c.c0 || corner[[2]int{i, c.r0}] {
				add(i, c.r0)
			}
		}
		for j := c.r0; j < c.r1; j++ {
			if j == c.r0 || corner[[2]int{c.c1, j}] {
				add(c.c1, j)
			}
		}
		for i := c.c1; i > c.c0; i-- {
			if i == c.c1 || corner[[2]int{i, c.r1}] {
				add(i, c.r1)
			}
		}
		for j := c.r1; j > c.r0; j-- {
			if j == c.r1 || corner[[2]int{c.c0, j}] {
				add(c.c0, j)
			}
		}
		ring = append(ring, ring[0])
		g.city.AdminUnits[key-1].Boundary = orb.MultiPolygon{{ring}}
	}
}
