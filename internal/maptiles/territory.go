package maptiles

import (
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"streetchief/geo"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
	"streetchief/tiles"
)

// territory is the tile sources drawn from one lookup snapshot at one minute. Who holds a post can
// change with the clock alone (an assignment ending at a set time), so the sources are re-derived
// each minute; key names their content — the snapshot version plus a fingerprint of every
// time-dependent property — so an unchanged minute keeps the cached tiles.
type territory struct {
	version uint64
	minute  int64
	key     string
	admin   *tiles.Layer
	labels  *tiles.Layer
	areas   *tiles.Layer
	bound   orb.Bound
	hasData bool

	cover *coverage
}

// coverage answers the coverage samples from an index of the areas that have a current holder
// (ClassArea) and the subdistricts (ClassAdminUnit), built from the snapshot on first use.
type coverage struct {
	once sync.Once
	view lookup.View
	at   time.Time
	ix   *geo.Index
}

// territoryAt returns the sources for the engine's current snapshot, rebuilding them when the
// snapshot or the minute changed.
func (s *Service) territoryAt(now time.Time) (*territory, error) {
	view, ok := s.engine.View()
	if !ok {
		return nil, errLoading
	}
	minute := now.Unix() / 60
	if cur := s.terr.Load(); cur != nil && cur.version == view.Version() && cur.minute == minute {
		return cur, nil
	}
	s.terrMu.Lock()
	defer s.terrMu.Unlock()
	cur := s.terr.Load()
	if cur != nil && cur.version == view.Version() && cur.minute == minute {
		return cur, nil
	}
	src := collectTerritory(view, now)
	var next *territory
	if cur != nil && cur.key == src.key {
		// Same content: keep the old sources (and their coverage index) under the new minute,
		// sparing the indexing, which is most of the cost over a large city.
		same := *cur
		next = &same
	} else {
		next = src.build()
	}
	next.minute = minute
	s.terr.Store(next)
	return next, nil
}

// territorySource is what the territory layers are built from, and the key naming it.
type territorySource struct {
	view                 lookup.View
	at                   time.Time
	key                  string
	units, labels, areas []tiles.Feature
	bound                orb.Bound
	hasData              bool
}

func (src *territorySource) build() *territory {
	return &territory{
		version: src.view.Version(),
		key:     src.key,
		admin:   tiles.NewLayer("admin", src.units, tiles.Options{MinZoom: adminMinZoom}),
		labels:  tiles.NewLayer("admin_labels", src.labels, tiles.Options{MinZoom: adminMinZoom}),
		areas:   tiles.NewLayer(LayerAreas, src.areas, tiles.Options{MinZoom: areasMinZoom, MinArea: areasMinAreaAt}),
		bound:   src.bound,
		hasData: src.hasData,
		cover:   &coverage{view: src.view, at: src.at},
	}
}

// collectTerritory gathers the admin, label and area features of a snapshot at time at.
func collectTerritory(view lookup.View, at time.Time) *territorySource {
	h := fnv.New64a()
	var units, labels, areas []tiles.Feature
	var bound orb.Bound
	hasData := false
	var sorted []*registry.SpatialUnit
	view.Units(at, func(u *registry.SpatialUnit, held []registry.Post) bool {
		if u.Level != "subdistrict" && u.Level != "community" {
			return true
		}
		sorted = append(sorted, u)
		return true
	})
	slices.SortFunc(sorted, func(a, b *registry.SpatialUnit) int { return int(a.ID - b.ID) })
	chiefs := unitChiefs(view, at)
	for _, u := range sorted {
		chief := chiefs[u.ID]
		h.Write([]byte(strconv.FormatInt(u.ID, 10) + ":" + chief + ";"))
		// The id travels as the MVT feature id only (MapLibre's ["id"] and feature.id), not also as a
		// property: a second copy made the tiles 12 % larger than ST_AsMVT's.
		props := map[string]any{"level": u.Level, "name": u.Name, "chief": chief}
		units = append(units, tiles.Feature{ID: uint64(u.ID), Geom: u.Boundary, Props: props})
		if p, ok := tiles.LabelPoint(u.Boundary); ok {
			labels = append(labels, tiles.Feature{ID: uint64(u.ID), Geom: p,
				Props: map[string]any{"level": u.Level, "name": u.Name}})
		}
		if !hasData {
			bound, hasData = u.Boundary.Bound(), true
		}
		bound = bound.Union(u.Boundary.Bound())
	}
	type areaRow struct {
		a           *registry.SpatialArea
		responsible string
	}
	var rows []areaRow
	view.Areas(at, func(a *registry.SpatialArea, held []registry.Post) bool {
		rows = append(rows, areaRow{a, joinNames(held)})
		return true
	})
	slices.SortFunc(rows, func(x, y areaRow) int { return int(x.a.ID - y.a.ID) })
	for _, r := range rows {
		a := r.a
		h.Write([]byte(strconv.FormatInt(a.ID, 10) + ":" + r.responsible + ";"))
		areas = append(areas, tiles.Feature{ID: uint64(a.ID), Geom: a.Geom, Props: map[string]any{
			"kind": a.Kind, "name": a.Name, "subdistrict_id": a.SubdistrictID, "community_id": a.CommunityID,
			"responsible": r.responsible, "covered": r.responsible != "",
		}})
		if !hasData {
			bound, hasData = a.Geom.Bound(), true
		}
		bound = bound.Union(a.Geom.Bound())
	}
	return &territorySource{
		view: view, at: at,
		key:   strconv.FormatUint(view.Version(), 36) + "." + strconv.FormatUint(h.Sum64(), 36),
		units: units, labels: labels, areas: areas, bound: bound, hasData: hasData,
	}
}

// unitChiefs names each unit's current primary chief: the street chief (街长) of a subdistrict,
// the lane chief (巷长) of a community. Names only: tiles are public and never carry phones.
func unitChiefs(view lookup.View, at time.Time) map[int64]string {
	out := map[int64]string{}
	view.Units(at, func(u *registry.SpatialUnit, held []registry.Post) bool {
		want := registry.StreetChief
		if u.Level == "community" {
			want = registry.LaneChief
		}
		for _, p := range held {
			if p.Role == want && p.Primary {
				out[u.ID] = p.PersonName
				break
			}
		}
		return true
	})
	return out
}

// joinNames lists the distinct names of the holders, primary holders first.
func joinNames(held []registry.Post) string {
	if len(held) == 0 {
		return ""
	}
	ps := slices.Clone(held)
	slices.SortStableFunc(ps, func(a, b registry.Post) int {
		switch {
		case a.Primary == b.Primary:
			return int(a.AssignmentID - b.AssignmentID)
		case a.Primary:
			return -1
		}
		return 1
	})
	var names []string
	for _, p := range ps {
		if !slices.Contains(names, p.PersonName) {
			names = append(names, p.PersonName)
		}
	}
	return strings.Join(names, "、")
}

// index returns the coverage index, building it on first use.
func (c *coverage) index() *geo.Index {
	c.once.Do(func() {
		var entries []geo.Entry
		c.view.Areas(c.at, func(a *registry.SpatialArea, held []registry.Post) bool {
			if len(held) > 0 {
				entries = append(entries, geo.Entry{ID: a.ID, Class: geo.ClassArea, Tag: a.Kind, Geom: a.Geom})
			}
			return true
		})
		c.view.Units(c.at, func(u *registry.SpatialUnit, _ []registry.Post) bool {
			if u.Level == "subdistrict" {
				entries = append(entries, geo.Entry{ID: u.ID, Class: geo.ClassAdminUnit, Tag: u.Level, Geom: u.Boundary})
			}
			return true
		})
		c.ix = geo.NewIndex(entries)
	})
	return c.ix
}

// sample says whether a point lies in a subdistrict and whether a covered area covers it.
func sample(ix *geo.Index) func(orb.Point) (bool, bool) {
	return func(p orb.Point) (inside, covered bool) {
		ix.Covering(p, func(e *geo.Entry) bool {
			switch e.Class {
			case geo.ClassArea:
				covered = true
			case geo.ClassAdminUnit:
				inside = true
			}
			return !(inside && covered)
		})
		return inside, covered
	}
}
