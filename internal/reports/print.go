package reports

import (
	"cmp"
	"html/template"
	"slices"
	"strconv"

	"github.com/paulmach/orb"

	"streetchief/internal/draw"
)

// PrintTable is one section of a printed report, in words: its title, column labels and rows.
type PrintTable struct {
	Kind    string
	Title   string
	Header  []string
	Numeric []bool // right-aligned columns
	Rows    []PrintRow
}

// PrintRow is a table row; Total marks a subdistrict's line among its communities.
type PrintRow struct {
	Cells []string
	Total bool
}

// numbered gives every gap with a place on the map its number: unassigned areas, then territory
// gaps, then overlaps, each in its table's order, so that a marker on the map names one table row.
type numbered struct {
	geom orb.Geometry
	kind string
	no   int
	m2   float64
}

func (r Report) numberedGaps() []numbered {
	var out []numbered
	add := func(g orb.Geometry, kind string, m2 float64) {
		out = append(out, numbered{geom: g, kind: kind, no: len(out) + 1, m2: m2})
	}
	for _, u := range r.Unassigned {
		var g orb.Geometry
		if u.Geom != nil {
			g = u.Geom
		}
		add(g, "unassigned", u.AreaM2)
	}
	for _, t := range r.Territory {
		add(t.Geom, "territory", t.AreaM2)
	}
	for _, o := range r.Overlaps {
		add(o.Geom, "overlap", o.AreaM2)
	}
	return out
}

// MaxMarkers bounds the numbered markers on one map: beyond it the markers would cover the map; the
// largest gaps keep theirs and every gap is still drawn in red.
const MaxMarkers = 60

// PrintMap draws the report's map: boundaries with their names, areas lightly, and every gap in red,
// the largest MaxMarkers with a numbered marker keyed to the tables. Width and height are in px.
func (r Report) PrintMap(l Lang, id string, width, height float64) template.HTML {
	gaps := r.numberedGaps()
	marked := map[int]bool{}
	bySize := slices.Clone(gaps)
	slices.SortStableFunc(bySize, func(a, b numbered) int { return cmp.Compare(b.m2, a.m2) })
	for i, g := range bySize {
		if i < MaxMarkers {
			marked[g.no] = true
		}
	}
	m := r.baseMap(l, id, width, height)
	m.FitHeight(height / 2)
	for _, g := range gaps {
		if g.geom == nil {
			continue
		}
		n := 0
		if marked[g.no] {
			n = g.no
		}
		m.Gaps = append(m.Gaps, draw.Gap{Geom: g.geom, Number: n, Kind: g.kind})
	}
	return template.HTML(m.SVG()) // draw escapes every text it writes
}

// PrintInsets draws up to n of the largest gaps each on a map of its own, enlarged so that its shape
// can be read: a district map shows a gap of a few hundred square metres as a speck.
func (r Report) PrintInsets(l Lang, n int, width, height float64) []Inset {
	gaps := r.numberedGaps()
	gaps = slices.DeleteFunc(gaps, func(g numbered) bool { return g.geom == nil })
	slices.SortStableFunc(gaps, func(a, b numbered) int { return cmp.Compare(b.m2, a.m2) })
	var out []Inset
	for i, g := range gaps {
		if i == n {
			break
		}
		b := g.geom.Bound()
		// A margin of the gap's own size on every side, at least ~50 m, shows what lies around it.
		pad := max(b.Max[0]-b.Min[0], b.Max[1]-b.Min[1], 0.0005)
		m := r.baseMap(l, "inset-"+strconv.Itoa(i+1), width, height)
		m.Bound = b.Pad(pad)
		for _, o := range r.numberedGaps() {
			if o.geom != nil && o.geom.Bound().Intersects(m.Bound) {
				no := 0
				if o.no == g.no {
					no = g.no
				}
				m.Gaps = append(m.Gaps, draw.Gap{Geom: o.geom, Number: no, Kind: o.kind})
			}
		}
		out = append(out, Inset{No: g.no, Caption: "#" + strconv.Itoa(g.no) + " · " + l.Area(g.m2), SVG: template.HTML(m.SVG())})
	}
	return out
}

// Inset is an enlarged map of one gap with its caption.
type Inset struct {
	No      int
	Caption string
	SVG     template.HTML
}

func (r Report) baseMap(l Lang, id string, width, height float64) draw.Map {
	m := draw.Map{ID: id, Width: width, Height: height, North: l.Word("north"), Metre: l.Word("metre"), Km: l.Word("km")}
	for _, s := range r.Basemap.Subdistricts {
		m.Subdistricts = append(m.Subdistricts, draw.Feature{Geom: s.Geom, Name: s.Name})
	}
	for _, c := range r.Basemap.Communities {
		m.Communities = append(m.Communities, draw.Feature{Geom: c.Geom, Name: c.Name})
	}
	m.Areas = r.Basemap.Areas
	return m
}

// PrintTables lays the report out for paper in l: the summary first, then each kind asked for.
func (r Report) PrintTables(l Lang) []PrintTable {
	w := l.Word
	count := strconv.Itoa
	tables := []PrintTable{r.PrintSummary(l)}
	no := 0
	next := func() string { no++; return count(no) }
	for _, k := range r.Kinds {
		t := PrintTable{Kind: k, Title: w(k)}
		switch k {
		case KindUnassigned:
			t.Header = []string{w("no"), w("subdistrict"), w("community"), w("name"), w("kind"), w("length"), w("area")}
			t.Numeric = []bool{true, false, false, false, false, true, true}
			for _, u := range r.Unassigned {
				t.Rows = append(t.Rows, PrintRow{Cells: []string{next(), u.SubdistrictName, u.CommunityName, u.Name,
					w("kind." + u.Kind), l.Length(u.LengthM), l.Area(u.AreaM2)}})
			}
		case KindTerritory:
			t.Header = []string{w("no"), w("subdistrict"), w("community"), w("area")}
			t.Numeric = []bool{true, false, false, true}
			for _, g := range r.Territory {
				t.Rows = append(t.Rows, PrintRow{Cells: []string{next(), g.SubdistrictName, g.CommunityName, l.Area(g.AreaM2)}})
			}
		case KindOverlaps:
			t.Header = []string{w("no"), w("subdistrict"), w("community"), w("areaA"), w("peopleA"), w("areaB"), w("peopleB"), w("area")}
			t.Numeric = []bool{true, false, false, false, false, false, false, true}
			for _, o := range r.Overlaps {
				t.Rows = append(t.Rows, PrintRow{Cells: []string{next(), o.SubdistrictName, o.CommunityName, o.NameA, join(o.PeopleA),
					o.NameB, join(o.PeopleB), l.Area(o.AreaM2)}})
			}
		case KindVacant:
			t.Header = []string{w("subdistrict"), w("community"), w("post"), w("department")}
			t.Numeric = make([]bool, 4)
			for _, v := range r.Vacant {
				t.Rows = append(t.Rows, PrintRow{Cells: []string{v.SubdistrictName, v.CommunityName, w("role." + v.Role), v.Department}})
			}
		case KindNoPartner:
			t.Header = []string{w("subdistrict"), w("community"), w("name"), w("lastCompany"), w("lapsedAt")}
			t.Numeric = make([]bool, 5)
			for _, g := range r.NoPartner {
				lapsed := ""
				if g.LapsedAt != nil {
					lapsed = g.LapsedAt.In(Beijing).Format("2006-01-02")
				}
				t.Rows = append(t.Rows, PrintRow{Cells: []string{g.SubdistrictName, g.CommunityName, g.Name, g.LastCompany, lapsed}})
			}
		case KindSilentDeputies:
			t.Header = []string{w("subdistrict"), w("community"), w("person"), w("lastConfirmed")}
			t.Numeric = make([]bool, 4)
			for _, g := range r.Silent {
				last := w("never")
				if g.LastConfirmed != nil {
					last = g.LastConfirmed.Format("2006-01-02")
				}
				t.Rows = append(t.Rows, PrintRow{Cells: []string{g.SubdistrictName, g.CommunityName, g.Name, last}})
			}
		case KindServicePointGaps:
			t.Header, t.Numeric, t.Rows = r.servicePointPrint(l, next)
		case KindWorkload:
			t.Header = []string{w("person"), w("areas"), w("laneLength"), w("area"), w("open"), w("outlier")}
			t.Numeric = []bool{false, true, true, true, true, false}
			for _, p := range r.Workload {
				out := ""
				if p.Outlier != "" {
					out = w(p.Outlier)
				}
				t.Rows = append(t.Rows, PrintRow{Cells: []string{p.Name, count(p.Areas), l.Length(p.LaneLengthM), l.Area(p.AreaM2),
					count(p.OpenIncidents), out}})
			}
		}
		tables = append(tables, t)
	}
	return tables
}

// PrintSummary is the summary table: a line per subdistrict (its totals) followed by its communities.
func (r Report) PrintSummary(l Lang) PrintTable {
	w := l.Word
	t := PrintTable{Kind: "summary", Title: w("summary"),
		Header:  []string{w("subdistrict"), w("community"), w("unassignedCount"), w("territoryArea"), w("overlapArea"), w("vacantCount")},
		Numeric: []bool{false, false, true, true, true, true}}
	for _, s := range r.Summary {
		com := s.CommunityName
		if s.Level == "subdistrict" {
			com = w("subTotal")
		}
		t.Rows = append(t.Rows, PrintRow{Total: s.Level == "subdistrict", Cells: []string{s.SubdistrictName, com,
			strconv.Itoa(s.UnassignedAreas), l.Area(s.TerritoryGapM2), l.Area(s.OverlapM2), strconv.Itoa(s.VacantPosts)}})
	}
	return t
}
