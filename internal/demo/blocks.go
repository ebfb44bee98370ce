package demo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Sizes of the deliberate flaws, in metres.
const (
	stripWidth    = 20  // the uncovered strip runs across a block of about stripLength
	stripLength   = 150 //
	overlapWidth  = 10  // the night market's tab reaching into the park
	overlapLength = 30
)

// block is the land between four street corridors; it lies in exactly one community.
type block struct {
	rect
	community int
}

func (g *gen) block(i, j int) block {
	return block{rect{
		g.xs[i].pos + g.xs[i].half(), g.ys[j].pos + g.ys[j].half(),
		g.xs[i+1].pos - g.xs[i+1].half(), g.ys[j+1].pos - g.ys[j+1].half(),
	}, g.comm[i][j]}
}

// blocks fills every block: most with residential compounds and back lanes, some with parks,
// commercial streets, squares and markets, and three with the deliberate flaws.
func (g *gen) blocks() error {
	nx, ny := len(g.xs)-1, len(g.ys)-1
	// The strip block is the one whose height is closest to stripLength, wide enough for two
	// compounds beside the strip.
	strip, best := [2]int{-1, -1}, math.Inf(1)
	for i := range nx {
		for j := range ny {
			if b := g.block(i, j); b.w() >= 120 && math.Abs(b.h()-stripLength) < best {
				strip, best = [2]int{i, j}, math.Abs(b.h()-stripLength)
			}
		}
	}
	if strip[0] < 0 {
		return fmt.Errorf("demo: no block wide enough for the uncovered strip")
	}
	special := map[[2]int]string{strip: "strip"}
	// One night market overlaps a park; one to three more stand on their own.
	want := []string{"overlap", KindNightMarket}
	for range g.r.IntN(3) {
		want = append(want, KindNightMarket)
	}
	for tries := 0; len(want) > 0; tries++ {
		if tries > 10000 {
			return fmt.Errorf("demo: no room for the night markets")
		}
		c := [2]int{g.r.IntN(nx), g.r.IntN(ny)}
		if b := g.block(c[0], c[1]); special[c] == "" && b.w() >= 140 && b.h() >= 100 {
			special[c] = want[0]
			want = want[1:]
		}
	}
	for i := range nx {
		for j := range ny {
			b := g.block(i, j)
			switch s := special[[2]int{i, j}]; s {
			case "strip":
				g.stripBlock(b)
			case "overlap":
				g.overlapBlock(b)
			case KindNightMarket:
				g.subdivide(b, KindNightMarket)
			default:
				switch u := g.r.Float64(); {
				case u < 0.04:
					g.addArea(KindPark, g.names.unique(pick(g.r, parkNames)+"公园", "号"), multi(b.rect), nil, map[string]any{}, b.community)
				case u < 0.09:
					g.addArea(KindCommercialStreet, g.names.unique(pick(g.r, shopStreet), "段"), multi(b.rect), nil, map[string]any{}, b.community)
				case u < 0.11:
					g.subdivide(b, KindSquare)
				case u < 0.145:
					g.subdivide(b, KindFarmersMarket)
				default:
					g.subdivide(b, "")
				}
			}
		}
	}
	g.chooseUnassigned()
	return nil
}

// subdivide splits a block along its longer side into one to three parts, with a back lane between
// some neighbouring parts. The parts are residential compounds except one, which becomes special
// when that is set.
func (g *gen) subdivide(b block, special string) {
	alongX := b.w() >= b.h()
	long := b.h()
	if alongX {
		long = b.w()
	}
	parts := min(3, 1+g.r.IntN(1+int(long/70)))
	if special != "" && long >= 80 {
		parts = max(parts, 2)
	}
	gaps := make([]float64, parts) // gaps[k] precedes part k
	free := long
	for k := 1; k < parts; k++ {
		if g.r.Float64() < 0.45 {
			gaps[k] = laneWidth
			free -= laneWidth
		}
	}
	weights, sum := make([]float64, parts), 0.0
	for k := range weights {
		weights[k] = 0.8 + 0.4*g.r.Float64()
		sum += weights[k]
	}
	slot := -1
	if special != "" {
		slot = g.r.IntN(parts)
	}
	// Positions are rounded to whole metres from the block's edge so neighbours share coordinates.
	at, start := 0.0, 0.0
	for k := range parts {
		start = at + gaps[k]
		end := long
		if k < parts-1 {
			end = start + math.Round(free*weights[k]/sum)
		}
		if gaps[k] > 0 {
			g.backLane(b, alongX, at, start)
		}
		r := b.span(alongX, start, end)
		if k == slot {
			g.specialArea(special, r, b.community)
		} else {
			g.addArea(KindResidentialCompound, g.names.unique(compoundName(g.r), "期"), multi(r), nil, map[string]any{}, b.community)
		}
		at = end
	}
}

// span is the part of the block from offset a to b along its long side (x when alongX).
func (b block) span(alongX bool, a, c float64) rect {
	if alongX {
		return rect{b.x0 + a, b.y0, b.x0 + c, b.y1}
	}
	return rect{b.x0, b.y0 + a, b.x1, b.y0 + c}
}

// backLane adds a back lane across the block between offsets a and c of its long side.
func (g *gen) backLane(b block, alongX bool, a, c float64) {
	r := b.span(alongX, a, c)
	var cl orb.MultiLineString
	if alongX {
		x := (r.x0 + r.x1) / 2
		cl = line(orb.Point{x, r.y0}, orb.Point{x, r.y1})
	} else {
		y := (r.y0 + r.y1) / 2
		cl = line(orb.Point{r.x0, y}, orb.Point{r.x1, y})
	}
	g.lanes[b.community]++
	name := g.short[b.community] + cnum(g.lanes[b.community]) + "巷"
	g.addArea(KindBackLane, name, multi(r), cl, map[string]any{"width_m": laneWidth}, b.community)
}

func (g *gen) specialArea(kind string, r rect, community int) int {
	var name string
	switch kind {
	case KindNightMarket:
		name = g.names.unique(pick(g.r, nightNames)+"夜市疏导区", "号")
	case KindSquare:
		name = g.names.unique(pick(g.r, squareName)+"广场", "号")
	case KindFarmersMarket:
		name = g.names.unique(g.short[community]+"农贸市场", "号")
	}
	return g.addArea(kind, name, multi(r), nil, map[string]any{}, community)
}

// stripBlock leaves a strip across the middle of the block uncovered, between two compounds.
func (g *gen) stripBlock(b block) {
	xs := b.x0 + math.Round((b.w()-stripWidth)/2)
	s := rect{xs, b.y0, xs + stripWidth, b.y1}
	g.addArea(KindResidentialCompound, g.names.unique(compoundName(g.r), "期"), multi(rect{b.x0, b.y0, s.x0, b.y1}), nil, map[string]any{}, b.community)
	g.addArea(KindResidentialCompound, g.names.unique(compoundName(g.r), "期"), multi(rect{s.x1, b.y0, b.x1, b.y1}), nil, map[string]any{}, b.community)
	g.city.UncoveredStrip, g.city.UncoveredStripArea = s.polygon(), s.area()
}

// overlapBlock puts a park in the west of the block and a night market in the east whose tab reaches
// overlapWidth metres into the park: the one overlap a gap report must find.
func (g *gen) overlapBlock(b block) {
	xp := b.x0 + math.Round(0.55*b.w())
	ym := b.y0 + math.Round((b.h()-overlapLength)/2)
	park := g.addArea(KindPark, g.names.unique(pick(g.r, parkNames)+"公园", "号"), multi(rect{b.x0, b.y0, xp, b.y1}), nil, map[string]any{}, b.community)
	market := g.specialArea(KindNightMarket, rect{xp, b.y0, b.x1, b.y1}, b.community)
	xt := xp - overlapWidth
	g.city.Areas[market-1].Geom = orb.MultiPolygon{{orb.Ring{
		{xp, b.y0}, {b.x1, b.y0}, {b.x1, b.y1}, {xp, b.y1},
		{xp, ym + overlapLength}, {xt, ym + overlapLength}, {xt, ym}, {xp, ym}, {xp, b.y0},
	}}}
	g.city.OverlapNames = [2]string{g.city.Areas[park-1].Name, g.city.Areas[market-1].Name}
	g.city.OverlapArea = overlapWidth * overlapLength
}

// chooseUnassigned picks the back lane that will get no one responsible.
func (g *gen) chooseUnassigned() {
	var lanes []int
	for _, a := range g.city.Areas {
		if a.Kind == KindBackLane {
			lanes = append(lanes, a.Key)
		}
	}
	if len(lanes) > 0 {
		g.city.UnassignedAreaName = g.city.Areas[pick(g.r, lanes)-1].Name
	}
}
