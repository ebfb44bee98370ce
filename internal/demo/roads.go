package demo

import (
	"math"

	"github.com/paulmach/orb"
)

// roads lays corridors along every street line and the river band, as non-overlapping rectangles.
// Where two corridors cross, exactly one owns the junction: a main road beats a secondary road and
// the river (its bridges), the river beats a secondary road (which ends at the bank), and of two
// secondary roads the north–south one runs through. Two main roads split their junction: the
// north–south one runs from the centre of one crossing main road to the centre of the next, and the
// east–west one stops at its kerbs.
func (g *gen) roads() {
	for i := range g.xs {
		if g.xs[i].kind == secondaryLine {
			g.xs[i].name = g.names.fresh(func() string { return placeName(g.r) + pick(g.r, streetWord) })
		}
	}
	for j := range g.ys {
		if g.ys[j].kind == secondaryLine {
			g.ys[j].name = g.names.fresh(func() string { return placeName(g.r) + pick(g.r, streetWord) })
		}
	}
	nx, ny := len(g.xs)-1, len(g.ys)-1
	for i := 1; i < nx; i++ {
		l, x, h := g.xs[i], g.xs[i].pos, g.xs[i].half()
		start, seg := 0, 0
		for j := 1; j <= ny; j++ {
			across := g.ys[j]
			stops := across.kind == border || across.kind == mainLine ||
				(l.kind == secondaryLine && across.kind == riverLine)
			if !stops {
				continue
			}
			y0, y1 := g.ys[start].pos, across.pos
			if l.kind == secondaryLine {
				y0, y1 = y0+g.ys[start].half(), y1-across.half()
			}
			seg++
			g.road(l, seg, rect{x - h, y0, x + h, y1}, orb.Point{x, y0}, orb.Point{x, y1}, g.comm[i][(start+j-1)/2])
			start = j
		}
	}
	river := map[int]*riverPart{} // subdistrict key → its pieces of the river
	for j := 1; j < ny; j++ {
		l, y, h := g.ys[j], g.ys[j].pos, g.ys[j].half()
		start, seg := 0, 0
		for i := 1; i <= nx; i++ {
			across := g.xs[i]
			if l.kind != secondaryLine && across.kind == secondaryLine {
				continue
			}
			x0, x1 := g.xs[start].pos+g.xs[start].half(), across.pos-across.half()
			community := g.comm[(start+i-1)/2][j]
			if l.kind == riverLine {
				sub := g.city.AdminUnits[community-1].Parent
				if river[sub] == nil {
					river[sub] = &riverPart{community: community}
				}
				river[sub].pieces = append(river[sub].pieces, rect{x0, y - h, x1, y + h})
			} else {
				seg++
				g.road(l, seg, rect{x0, y - h, x1, y + h}, orb.Point{x0, y}, orb.Point{x1, y}, community)
			}
			start = i
		}
	}
	g.river(river)
}

// road adds one section of a road between two crossings.
func (g *gen) road(l gridLine, seg int, r rect, a, b orb.Point, community int) {
	kind, width := KindSecondaryRoad, secondaryWidth
	if l.kind == mainLine {
		kind, width = KindMainRoad, mainWidth
	}
	g.addArea(kind, l.name+"第"+cnum(seg)+"段", multi(r), line(a, b),
		map[string]any{"road": l.name, "width_m": width}, community)
}

// riverPart is the river within one subdistrict: the pieces between bridges, and the community of
// the first piece for choosing its manager.
type riverPart struct {
	pieces    []rect
	community int
}

// river adds one river area per subdistrict it crosses, each a multipolygon of the pieces between
// bridges, with a gently wiggling centreline down the middle of each piece.
func (g *gen) river(parts map[int]*riverPart) {
	for _, u := range g.city.AdminUnits { // in key order, for determinism
		part := parts[u.Key]
		if part == nil {
			continue
		}
		var cl orb.MultiLineString
		for _, r := range part.pieces {
			yc := (r.y0 + r.y1) / 2
			var ls orb.LineString
			for x := r.x0; ; x += 25 {
				x = math.Min(x, r.x1)
				ls = append(ls, orb.Point{x, yc + 6*math.Sin(2*math.Pi*x/400)})
				if x == r.x1 {
					break
				}
			}
			cl = append(cl, ls)
		}
		g.addArea(KindRiver, "龙津河"+short(u.Name)+"段", multi(part.pieces...), cl,
			map[string]any{"river": "龙津河", "width_m": riverWidth}, part.community)
	}
}

func (g *gen) addArea(kind, name string, geom orb.MultiPolygon, cl orb.MultiLineString, attrs map[string]any, community int) int {
	key := len(g.city.Areas) + 1
	g.city.Areas = append(g.city.Areas, Area{
		Key: key, Kind: kind, Name: name, Geom: geom, Centreline: cl, Attributes: attrs, Community: community,
	})
	return key
}
