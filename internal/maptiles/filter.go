package maptiles

import (
	"hash/fnv"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb/maptile"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/tiles"
)

// ParseTile reads z/x/y path segments; anything but a tile of the world is malformed.
func ParseTile(z, x, y string) (maptile.Tile, error) {
	var n [3]uint64
	for i, s := range []string{z, x, y} {
		v, err := strconv.ParseUint(s, 10, 32)
		if err != nil || (len(s) > 1 && s[0] == '0') {
			return maptile.Tile{}, apperr.New(apperr.Malformed, "tile coordinate %q is not a whole number", s)
		}
		n[i] = v
	}
	t, err := tiles.Tile(n[0], n[1], n[2])
	if err != nil {
		return t, apperr.New(apperr.Malformed, "tile %d/%d/%d: %v", n[0], n[1], n[2], err)
	}
	return t, nil
}

// Filter narrows the incident layers: reported in [From, To), of Category, in one of Statuses.
// The zero Filter matches every incident (the incidents layer then shows open ones).
type Filter struct {
	From, To time.Time
	Category string
	Statuses []string
}

// ParseFilter reads from, to (RFC 3339 or YYYY-MM-DD), category and status (comma-separated or
// repeated) from a query string.
func ParseFilter(q url.Values) (Filter, error) {
	var f Filter
	for _, name := range []string{"from", "to"} {
		s := q.Get(name)
		if s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			if t, err = time.Parse(time.DateOnly, s); err != nil {
				return f, apperr.New(apperr.Malformed, "%s must be an RFC 3339 time or a YYYY-MM-DD date, not %q", name, s).With("field", name)
			}
		}
		if name == "from" {
			f.From = t
		} else {
			f.To = t
		}
	}
	f.Category = q.Get("category")
	for _, v := range q["status"] {
		for s := range strings.SplitSeq(v, ",") {
			if s != "" {
				f.Statuses = append(f.Statuses, s)
			}
		}
	}
	// Sorted then compacted, not deduplicated as they come: a URL may carry hundreds of thousands.
	slices.Sort(f.Statuses)
	f.Statuses = slices.Compact(f.Statuses)
	// Which statuses, categories and periods make sense is the incidents service's rule.
	if err := f.mapFilter().Check(); err != nil {
		return f, err
	}
	return f, nil
}

func (f Filter) mapFilter() incidents.MapFilter {
	mf := incidents.MapFilter{From: f.From, To: f.To, Category: f.Category}
	for _, st := range f.Statuses {
		mf.Statuses = append(mf.Statuses, incidents.Status(st))
	}
	return mf
}

// Query is the filter as a canonical query string (for TileJSON tile URLs and cache keys).
func (f Filter) Query() url.Values {
	q := url.Values{}
	if !f.From.IsZero() {
		q.Set("from", f.From.UTC().Format(time.RFC3339))
	}
	if !f.To.IsZero() {
		q.Set("to", f.To.UTC().Format(time.RFC3339))
	}
	if f.Category != "" {
		q.Set("category", f.Category)
	}
	if len(f.Statuses) > 0 {
		q.Set("status", strings.Join(f.Statuses, ","))
	}
	return q
}

// IsZero reports whether the filter matches everything.
func (f Filter) IsZero() bool {
	return f.From.IsZero() && f.To.IsZero() && f.Category == "" && len(f.Statuses) == 0
}

// scopeKey names which incidents the caller sees, for cache keys: callers who see the same share
// cached incident tiles, callers who do not never do. Beside the scope that is, for everyone but
// the district-wide roles and department liaisons, the incidents assigned to the caller wherever
// they are (incidents.MapPoints), so the key names the person too.
func scopeKey(who access.Principal) string {
	switch {
	case !who.SignedIn():
		return "none"
	case who.Scope.All:
		return "all"
	}
	h := fnv.New64a()
	write := func(tag string, ids []int64) {
		ids = slices.Clone(ids)
		slices.Sort(ids)
		h.Write([]byte(tag))
		for _, id := range ids {
			h.Write([]byte(strconv.FormatInt(id, 10) + ","))
		}
	}
	write("s", who.Scope.Subdistricts)
	write("c", who.Scope.Communities)
	if who.Role == access.DepartmentLiaison {
		write("d", who.Scope.Departments)
	} else {
		write("p", []int64{who.PersonID})
	}
	return strconv.FormatUint(h.Sum64(), 36)
}
