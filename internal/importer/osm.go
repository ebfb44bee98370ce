package importer

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"
	"github.com/paulmach/osm/osmxml"

	"streetchief/internal/registry"
)

// OSMData is what a PBF file yields: areas and admin units ready for registry.Import, the features
// that could not be built (with why), and the merchants to come.
type OSMData struct {
	Areas     []registry.ImportArea
	Units     []registry.ImportUnit
	Skipped   []registry.ImportSkip
	Merchants []Merchant
	Read      struct{ Nodes, Ways, Relations int }
	// AdminLevels is every admin_level with boundary relations in the file; ChosenLevels the levels
	// used when the mapping's matched none (AdminMatched false) and the mapping allows the choice.
	AdminLevels  []AdminLevelCount
	ChosenLevels map[string]string
	AdminMatched bool

	seq int // candidates numbered in the order they are built, for the report's index
}

// Merchant is an object the mapping's merchant keys make a shop (shop=*, amenity=restaurant, …).
// The importer only reads them: the command or handler hands them to the merchants register.
type Merchant struct {
	Source  string     `json:"source"`
	Tag     string     `json:"tag"`
	Name    string     `json:"name,omitempty"`
	Address string     `json:"address,omitempty"` // addr:street and addr:housenumber, or addr:full
	At      *orb.Point `json:"at,omitempty"`      // a node's position, a way's first node
}

// osmMerchant is the merchant an object's tags describe.
func osmMerchant(source, tag string, tags map[string]string) Merchant {
	addr := strings.TrimSpace(tags["addr:full"])
	if addr == "" {
		addr = strings.TrimSpace(strings.TrimSpace(tags["addr:street"]) + " " + strings.TrimSpace(tags["addr:housenumber"]))
	}
	name := tags["name"]
	if name == "" {
		name = tags["name:zh"]
	}
	return Merchant{Source: source, Tag: tag, Name: name, Address: addr}
}

// relCandidate is a relation that maps to an area (rule) or an admin unit (level).
type relCandidate struct {
	id      int64
	tags    map[string]string
	rule    *Rule
	level   string
	members []member
}

// wayCandidate is a way that maps to an area.
type wayCandidate struct {
	id    int64
	tags  map[string]string
	rule  *Rule
	nodes []int64
}

// ReadOSM reads a .osm.pbf file (or .osm XML) in three passes — relations, then the ways they and the mapping
// need, then only the nodes those ways use — so memory follows what is imported, not the file.
// progress, if not nil, is written every byte read (three times the file size in all).
func ReadOSM(ctx context.Context, path string, m Mapping, progress io.Writer) (*OSMData, error) {
	if err := m.compile(); err != nil {
		return nil, err
	}
	rd := &osmRead{m: &m, d: &OSMData{}, neededWays: map[int64]bool{}, wayNodes: map[int64][]int64{},
		neededNodes: map[int64]bool{}, merchantWays: map[int]int64{}}
	if err := scanPBF(ctx, path, progress, osm.TypeRelation, rd.relation); err != nil {
		return nil, err
	}
	rd.settleAdminLevels()
	if err := scanPBF(ctx, path, progress, osm.TypeWay, rd.way); err != nil {
		return nil, err
	}
	rd.nodes = make(map[int64]orb.Point, len(rd.neededNodes))
	if err := scanPBF(ctx, path, progress, osm.TypeNode, rd.node); err != nil {
		return nil, err
	}
	rd.build()
	return rd.d, nil
}

// osmRead is what one pass of ReadOSM leaves for the next: the relations pass says which ways to
// keep, the ways pass which nodes, and the last step builds the areas and units from them all.
type osmRead struct {
	m            *Mapping
	d            *OSMData
	rels         []relCandidate
	admin        adminLevels
	neededWays   map[int64]bool
	ways         []wayCandidate
	wayNodes     map[int64][]int64 // the nodes of the ways relations need
	neededNodes  map[int64]bool
	merchantWays map[int]int64 // merchant index → first node, for its position
	nodes        map[int64]orb.Point
}

// relation keeps a relation that maps to an admin unit or an area, and the ways it is made of; a
// boundary at a level the mapping does not name is kept aside (spare) in case levels are chosen.
func (rd *osmRead) relation(o osm.Object) {
	r := o.(*osm.Relation)
	rd.d.Read.Relations++
	tags := r.TagMap()
	if tag, ok := rd.m.isMerchant(tags); ok {
		rd.d.Merchants = append(rd.d.Merchants, osmMerchant(fmt.Sprintf("r%d", r.ID), tag, tags))
	}
	c := relCandidate{id: int64(r.ID), tags: tags}
	typ := tags["type"]
	boundary := tags["boundary"] == "administrative" && (typ == "boundary" || typ == "multipolygon") && tags["admin_level"] != ""
	if boundary {
		rd.admin.see(tags["admin_level"], tags["name"])
	}
	if level := rd.m.AdminLevels[tags["admin_level"]]; level != "" && boundary {
		c.level = level
		rd.admin.mapped++
	} else if typ == "multipolygon" {
		c.rule = rd.m.matchArea(tags)
	}
	spare := boundary && c.level == "" && c.rule == nil && rd.m.AutoAdminLevels
	if c.level == "" && c.rule == nil && !spare {
		return
	}
	for _, mb := range r.Members {
		if mb.Type == osm.TypeWay && (mb.Role == "outer" || mb.Role == "inner" || mb.Role == "") {
			c.members = append(c.members, member{way: mb.Ref, role: mb.Role})
			if !spare {
				rd.neededWays[mb.Ref] = true
			}
		}
	}
	if spare {
		rd.admin.spare = append(rd.admin.spare, c)
	} else {
		rd.rels = append(rd.rels, c)
	}
}

// settleAdminLevels drops the spare boundaries when the mapping's levels matched, and otherwise
// asks the ways pass for their ways too, to choose levels by them.
func (rd *osmRead) settleAdminLevels() {
	rd.d.AdminMatched = rd.admin.mapped > 0
	if rd.d.AdminMatched {
		rd.admin.spare = nil // read only to choose levels when the mapping's match nothing
	}
	for _, c := range rd.admin.spare {
		for _, mb := range c.members {
			rd.neededWays[mb.way] = true
		}
	}
}

// way keeps a way that maps to an area or that a kept relation is made of, and asks the nodes
// pass for its nodes; a merchant's way asks for its first node, for the merchant's position.
func (rd *osmRead) way(o osm.Object) {
	w := o.(*osm.Way)
	rd.d.Read.Ways++
	tags := w.TagMap()
	rule := rd.m.Match(tags)
	keep := rule != nil || rd.neededWays[int64(w.ID)]
	if tag, ok := rd.m.isMerchant(tags); ok && len(w.Nodes) > 0 {
		rd.merchantWays[len(rd.d.Merchants)] = int64(w.Nodes[0].ID)
		rd.neededNodes[int64(w.Nodes[0].ID)] = true
		rd.d.Merchants = append(rd.d.Merchants, osmMerchant(fmt.Sprintf("w%d", w.ID), tag, tags))
	}
	if !keep {
		return
	}
	ids := make([]int64, len(w.Nodes))
	for i, n := range w.Nodes {
		ids[i] = int64(n.ID)
		rd.neededNodes[ids[i]] = true
	}
	if rd.neededWays[int64(w.ID)] {
		rd.wayNodes[int64(w.ID)] = ids
	}
	if rule != nil {
		rd.ways = append(rd.ways, wayCandidate{id: int64(w.ID), tags: tags, rule: rule, nodes: ids})
	}
}

// node keeps the position of a node a kept way uses, and notes a node that is a merchant.
func (rd *osmRead) node(o osm.Object) {
	n := o.(*osm.Node)
	rd.d.Read.Nodes++
	if rd.neededNodes[int64(n.ID)] {
		rd.nodes[int64(n.ID)] = orb.Point{n.Lon, n.Lat}
	}
	if len(n.Tags) == 0 {
		return
	}
	tags := n.TagMap()
	if tag, ok := rd.m.isMerchant(tags); ok {
		p := orb.Point{n.Lon, n.Lat}
		m := osmMerchant(fmt.Sprintf("n%d", n.ID), tag, tags)
		m.At = &p
		rd.d.Merchants = append(rd.d.Merchants, m)
	}
}

// build places the merchants found on ways, then builds the ways' areas, chooses admin levels if
// it must, and builds the relations' units and areas, numbering them in that order.
func (rd *osmRead) build() {
	d := rd.d
	for i, first := range rd.merchantWays {
		if p, ok := rd.nodes[first]; ok {
			d.Merchants[i].At = &p
		}
	}
	for _, w := range rd.ways {
		d.addWay(rd.m, w, rd.nodes)
	}
	if len(rd.admin.spare) > 0 {
		d.ChosenLevels = rd.admin.chooseLevels(rd.wayNodes, rd.nodes)
		for _, c := range rd.admin.spare {
			if c.level = d.ChosenLevels[c.tags["admin_level"]]; c.level != "" {
				rd.rels = append(rd.rels, c)
			}
		}
	}
	d.AdminLevels = rd.admin.list()
	for _, r := range rd.rels {
		d.addRelation(r, rd.wayNodes, rd.nodes)
	}
}

// scanPBF reads the file once, handing fn every object of one type (the others are skipped
// undecoded).
func scanPBF(ctx context.Context, path string, progress io.Writer, only osm.Type, fn func(osm.Object)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("osm: %w", err)
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 1<<20)
	if progress != nil {
		r = io.TeeReader(r, progress)
	}
	if strings.HasSuffix(path, ".osm") {
		// OSM XML, as JOSM saves and small test extracts come: the whole file is decoded each pass.
		sc := osmxml.New(ctx, r)
		defer sc.Close()
		for sc.Scan() {
			if o := sc.Object(); o.ObjectID().Type() == only {
				fn(o)
			}
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("osm %s: %w", path, err)
		}
		return nil
	}
	sc := osmpbf.New(ctx, r, runtime.GOMAXPROCS(0))
	defer sc.Close()
	sc.SkipNodes = only != osm.TypeNode
	sc.SkipWays = only != osm.TypeWay
	sc.SkipRelations = only != osm.TypeRelation
	for sc.Scan() {
		fn(sc.Object())
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("osm %s: %w", path, err)
	}
	return nil
}

// matchArea is Match restricted to area rules: a multipolygon relation is an area whatever else its
// tags say.
func (m *Mapping) matchArea(tags map[string]string) *Rule {
	for i := range m.Rules {
		if r := &m.Rules[i]; r.Geometry == "area" && r.matches(tags) {
			return r
		}
	}
	return nil
}

func (d *OSMData) next() int {
	d.seq++
	return d.seq - 1
}

func (d *OSMData) skip(target, source, kind, reason string) {
	d.Skipped = append(d.Skipped, registry.ImportSkip{Target: target, Index: d.next(), Source: source, Kind: kind, Reason: reason})
}

func (d *OSMData) addWay(m *Mapping, w wayCandidate, nodes map[int64]orb.Point) {
	src := fmt.Sprintf("w%d", w.id)
	kind := w.rule.Kind
	line := make(orb.LineString, 0, len(w.nodes))
	missing := 0
	for _, n := range w.nodes {
		p, ok := nodes[n]
		if !ok {
			missing++
			continue
		}
		if len(line) == 0 || line[len(line)-1] != p {
			line = append(line, p)
		}
	}
	if missing > 0 {
		d.skip("area", src, kind, fmt.Sprintf("incomplete: %d of its %d nodes are outside the extract", missing, len(w.nodes)))
		return
	}
	a := registry.ImportArea{Index: -1, Source: src, Key: "osm:" + src, Kind: kind, Name: featureName(w.tags, kind, src),
		Attributes: map[string]any{"osm_id": src, "osm_tags": w.tags}}
	closed := len(w.nodes) >= 4 && w.nodes[0] == w.nodes[len(w.nodes)-1]
	switch {
	case w.rule.Geometry == "area" && !closed:
		d.skip("area", src, kind, fmt.Sprintf("broken: the way is not closed, but %s needs an area (a closed way or a multipolygon)", kind))
		return
	case w.rule.Geometry == "area":
		a.Geom = orb.Polygon{orb.Ring(line)}
	case len(line) < 2:
		d.skip("area", src, kind, "broken: the centreline has fewer than 2 distinct positions")
		return
	default:
		a.Centreline = orb.MultiLineString{line}
		a.WidthM = m.corridorWidth(w.rule, w.tags)
		a.Attributes["width_m"] = a.WidthM
	}
	a.Index = d.next()
	d.Areas = append(d.Areas, a)
}

func (d *OSMData) addRelation(r relCandidate, wayNodes map[int64][]int64, nodes map[int64]orb.Point) {
	src := fmt.Sprintf("r%d", r.id)
	target, kind := "area", ""
	if r.level != "" {
		target, kind = "admin_unit", r.level
	} else {
		kind = r.rule.Kind
	}
	mp, err := assemble(r.members, wayNodes, nodes)
	if err != nil {
		d.skip(target, src, kind, err.Error())
		return
	}
	if r.level != "" {
		d.Units = append(d.Units, registry.ImportUnit{Index: d.next(), Source: src, Level: r.level,
			Code: "osm-" + src, Name: featureName(r.tags, "admin_level "+r.tags["admin_level"], src), Boundary: mp,
			Attributes: map[string]any{"osm_id": src, "admin_level": r.tags["admin_level"]}})
		return
	}
	d.Areas = append(d.Areas, registry.ImportArea{Index: d.next(), Source: src, Key: "osm:" + src, Kind: kind,
		Name: featureName(r.tags, kind, src), Geom: mp, Attributes: map[string]any{"osm_id": src, "osm_tags": r.tags}})
}

// featureName is the name tag, else the ref (roads), else the kind and the OSM id, so that every
// area has a name a person can search for.
func featureName(tags map[string]string, kind, src string) string {
	for _, k := range []string{"name", "name:zh", "ref"} {
		if v := strings.TrimSpace(tags[k]); v != "" {
			return v
		}
	}
	return kind + " " + src
}

// Kinds counts areas per kind.
func (d *OSMData) Kinds() map[string]int {
	out := map[string]int{}
	for _, a := range d.Areas {
		out[a.Kind]++
	}
	return out
}
