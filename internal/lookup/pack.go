package lookup

import (
	"cmp"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"streetchief/geo"
	"streetchief/internal/registry"
)

// pack copies what a snapshot keeps for the life of the process into a few large allocations: the
// geometry (see geo.PackMultiPolygons), the text of every row and post, and the posts, grouped by
// target, in posts itself. Read row by row from the database they are about a million small heap
// objects for a 100,000-area city; the garbage collector visits each on every cycle, and under load
// that is what the slowest answers wait for. It returns posts' groups by target, each in order.
func pack(areas []registry.SpatialArea, units []registry.SpatialUnit, posts []registry.Post) map[target][]registry.Post {
	geoms := make([]*orb.MultiPolygon, 0, len(areas)+len(units))
	texts := make([]*string, 0, 2*len(areas)+2*len(units)+4*len(posts))
	for i := range areas {
		a := &areas[i]
		geoms = append(geoms, &a.Geom)
		texts = append(texts, &a.Kind, &a.Name)
	}
	for i := range units {
		u := &units[i]
		geoms = append(geoms, &u.Boundary)
		texts = append(texts, &u.Level, &u.Name)
	}
	for i := range posts {
		p := &posts[i]
		texts = append(texts, &p.PersonName, &p.Phone, &p.Department)
		p.Role, p.Level = p.Role.Canonical(), p.Level.Canonical()
	}
	geo.PackMultiPolygons(geoms)
	packStrings(texts)

	slices.SortFunc(posts, func(a, b registry.Post) int {
		return cmp.Or(cmp.Compare(postTarget(a), postTarget(b)), comparePosts(a, b))
	})
	byTarget := make(map[target][]registry.Post, len(areas)+len(units))
	for i := 0; i < len(posts); {
		k := postTarget(posts[i])
		j := i + 1
		for j < len(posts) && postTarget(posts[j]) == k {
			j++
		}
		byTarget[k] = posts[i:j:j] // capped: apply replaces a group, never appends into the next
		i = j
	}
	return byTarget
}

// packStrings points every *s into one shared string, equal texts (kinds, roles, a person's name on
// each of their posts) at the same bytes.
func packStrings(ss []*string) {
	at := make(map[string]int, len(ss)/2)
	offsets := make([]int, len(ss))
	var b strings.Builder
	for i, s := range ss {
		off, ok := at[*s]
		if !ok {
			off = b.Len()
			b.WriteString(*s)
			at[*s] = off
		}
		offsets[i] = off
	}
	all := b.String()
	for i, s := range ss {
		*s = all[offsets[i] : offsets[i]+len(*s)]
	}
}
