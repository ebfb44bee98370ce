package importer

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// AdminLevelCount is what an extract holds at one admin_level: how many boundary relations, how many
// of them closed (all member ways there and forming rings; counted only when levels were chosen
// automatically), and a few names.
type AdminLevelCount struct {
	Level     string   `json:"admin_level"`
	Relations int      `json:"relations"`
	Closed    int      `json:"closed,omitempty"`
	Examples  []string `json:"examples"`
}

// adminLevels collects the boundary relations of every admin_level seen, mapped or not.
type adminLevels struct {
	counts map[string]*AdminLevelCount
	spare  []relCandidate // boundaries at levels the mapping leaves out, for the automatic choice
	mapped int            // boundaries at levels the mapping names
}

func (a *adminLevels) see(level, name string) {
	if a.counts == nil {
		a.counts = map[string]*AdminLevelCount{}
	}
	c := a.counts[level]
	if c == nil {
		c = &AdminLevelCount{Level: level}
		a.counts[level] = c
	}
	c.Relations++
	if name != "" && len(c.Examples) < 3 {
		c.Examples = append(c.Examples, name)
	}
}

// list is the levels seen, shallowest first.
func (a *adminLevels) list() []AdminLevelCount {
	keys := slices.SortedFunc(maps.Keys(a.counts), compareLevels)
	out := make([]AdminLevelCount, len(keys))
	for i, k := range keys {
		out[i] = *a.counts[k]
	}
	return out
}

// compareLevels orders admin_level values by number (2 before 10), anything else last.
func compareLevels(a, b string) int {
	x, errA := strconv.Atoi(a)
	y, errB := strconv.Atoi(b)
	switch {
	case errA == nil && errB == nil:
		return x - y
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	return strings.Compare(a, b)
}

// chooseLevels is the default for an extract in which the mapping's levels name no boundary: the
// two deepest levels with closed boundaries become districts and subdistricts (one such level:
// districts, which need no parent). Deepest, because a city's subdivisions are what a street chief
// works in; closed, because a level whose every boundary runs off the extract yields no unit.
func (a *adminLevels) chooseLevels(wayNodes map[int64][]int64, nodes map[int64]orb.Point) map[string]string {
	closed := map[string]bool{}
	for _, r := range a.spare {
		if _, err := assemble(r.members, wayNodes, nodes); err == nil {
			a.counts[r.tags["admin_level"]].Closed++
			closed[r.tags["admin_level"]] = true
		}
	}
	levels := slices.SortedFunc(maps.Keys(closed), compareLevels)
	if len(levels) == 0 {
		return nil
	}
	chosen := map[string]string{levels[len(levels)-1]: "subdistrict"}
	if len(levels) >= 2 {
		chosen[levels[len(levels)-2]] = "district"
	} else {
		chosen[levels[0]] = "district"
	}
	return chosen
}

// AdminLevelHint says, when the mapping's admin levels matched no boundary, what the extract has
// and how to map it; nil when they matched.
func (r Report) AdminLevelHint() []string {
	if r.Read == nil || r.adminMatched {
		return nil
	}
	var out []string
	if len(r.AdminLevels) == 0 {
		return []string{"the file has no boundary=administrative relations: areas are placed in the admin units already stored"}
	}
	mapped := strings.Join(r.mappedLevels, ", ")
	if len(r.ChosenLevels) > 0 {
		keys := slices.SortedFunc(maps.Keys(r.ChosenLevels), compareLevels)
		var pairs []string
		for _, k := range keys {
			pairs = append(pairs, k+" → "+r.ChosenLevels[k])
		}
		out = append(out, fmt.Sprintf("no boundary at the mapped admin_level %s, so the two deepest levels with closed boundaries were used: %s", mapped, strings.Join(pairs, ", ")))
	} else {
		out = append(out, fmt.Sprintf("no admin unit: no boundary at the mapped admin_level %s; the file has:", mapped))
	}
	for _, c := range r.AdminLevels {
		closed := ""
		if c.Closed > 0 {
			closed = fmt.Sprintf(", %d closed", c.Closed)
		}
		out = append(out, fmt.Sprintf("  admin_level %s: %d relation(s)%s, e.g. %s", c.Level, c.Relations, closed, strings.Join(c.Examples, ", ")))
	}
	example := `{"admin_levels": {"` + r.AdminLevels[max(0, len(r.AdminLevels)-2)].Level + `": "district", "` + r.AdminLevels[len(r.AdminLevels)-1].Level + `": "subdistrict"}}`
	out = append(out, "to choose the levels: --mapping FILE.json with "+example+" (docs/import.md)")
	return out
}
