package lookup

import (
	"slices"

	"github.com/paulmach/orb"

	"streetchief/geo"
)

// CoveringIDs lists, in id order, the ids of class covering pt in e's index: every one, where an
// answer names only the most specific community and subdistrict.
func CoveringIDs(e *Engine, pt orb.Point, class geo.Class) []int64 {
	var ids []int64
	for _, en := range e.snap.Load().index.CoveringAll(pt, nil) {
		if en.Class == class {
			ids = append(ids, en.ID)
		}
	}
	slices.Sort(ids)
	return ids
}
