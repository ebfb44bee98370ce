package lookup

import (
	"cmp"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"streetchief/geo"
	"streetchief/internal/access"
	"streetchief/internal/registry"
)

// Answer says who is responsible for a point: the areas covering it (most specific first), or the
// nearest one within the tolerance, then its community with the lane chief (巷长) and its subdistrict
// with the street chief (街长).
type Answer struct {
	Point       orb.Point `json:"-"` // WGS-84
	Lon         float64   `json:"lon"`
	Lat         float64   `json:"lat"`
	Areas       []AreaHit `json:"areas"`
	Community   *UnitHit  `json:"community"`
	Subdistrict *UnitHit  `json:"subdistrict"`
}

// AreaHit is one area at the point. DistanceM is 0 when the area covers the point and the distance to
// it when it was found within the tolerance instead.
type AreaHit struct {
	ID          int64         `json:"id"`
	Kind        string        `json:"kind"`
	Name        string        `json:"name"`
	DistanceM   float64       `json:"distance_m"`
	Responsible []Responsible `json:"responsible"`
}

// UnitHit is the community or subdistrict at the point with its chief, if the post is filled. Posts
// are, for the subdistrict when the query asks for them, the other posts held over it: the
// departments' leaders and responsible people (定岗定人), linked leaders and cross-appointees.
type UnitHit struct {
	ID    int64         `json:"id"`
	Name  string        `json:"name"`
	Chief *Responsible  `json:"chief"`
	Posts []Responsible `json:"posts,omitempty"`
}

// Responsible is a person holding a post. Phone is filled only for callers allowed to see it; level
// and department only for the posts that have them, Deputy for a subdistrict's non-primary posts.
type Responsible struct {
	PersonID     int64             `json:"person_id"`
	Name         string            `json:"name"`
	Role         registry.PostRole `json:"role"`
	Level        registry.Level    `json:"level,omitempty"`
	DepartmentID int64             `json:"department_id,omitempty"`
	Department   string            `json:"department,omitempty"`
	Deputy       bool              `json:"deputy,omitempty"`
	Phone        string            `json:"phone,omitempty"`
}

// Assignee is the first person an incident at the answer's point goes to: the manager of the most
// specific covering area, else the community's lane chief, else the subdistrict's street chief.
// ok is false when nobody holds any of those posts (outside the jurisdiction, or vacant posts).
func (a Answer) Assignee() (r Responsible, ok bool) {
	for _, area := range a.Areas {
		if area.DistanceM > 0 {
			continue
		}
		for _, p := range area.Responsible {
			if p.Role == registry.AreaManager {
				return p, true
			}
		}
	}
	if a.Community != nil && a.Community.Chief != nil {
		return *a.Community.Chief, true
	}
	if a.Subdistrict != nil && a.Subdistrict.Chief != nil {
		return *a.Subdistrict.Chief, true
	}
	return Responsible{}, false
}

// MarshalJSON names each unit's chief by the post: the community's "lane_chief" and the subdistrict's
// "street_chief", as the API documents.
func (a Answer) MarshalJSON() ([]byte, error) { return a.AppendJSON(nil), nil }

// Scratch is the storage answers are built in. The zero value is ready; it grows to the largest
// answer it has made and is reused from then on.
type Scratch struct {
	entries []*geo.Entry
	areas   []AreaHit
	people  []Responsible
	// areaPeople[i] is areas[i]'s span of people, fixed up once people stops growing.
	areaPeople []span
	units      [2]UnitHit
	chiefs     [2]Responsible
	unitPosts  []Responsible
}

type span struct{ from, to int }

// answer is the lookup on one snapshot.
func (s *snapshot) answer(q Query, sc *Scratch) Answer {
	at := q.At
	if at.IsZero() {
		at = time.Now()
	}
	sc.areas, sc.people, sc.areaPeople = sc.areas[:0], sc.people[:0], sc.areaPeople[:0]
	var community, subdistrict rec[registry.SpatialUnit]
	sc.entries = s.index.CoveringAll(q.Point, sc.entries[:0])
	for _, e := range sc.entries {
		switch e.Class {
		case geo.ClassArea:
			if a, ok := s.areas[e.ID]; ok {
				addAreaHit(sc, a, 0, at, q)
			}
		case geo.ClassAdminUnit:
			u, ok := s.units[e.ID]
			switch {
			case !ok:
			case u.row.Level == "community" && community.row == nil:
				community = u
			case u.row.Level == "subdistrict" && subdistrict.row == nil:
				subdistrict = u
			}
		}
	}
	if len(sc.areas) == 0 && q.ToleranceM >= 0 {
		tol := q.ToleranceM
		if tol == 0 {
			tol = DefaultToleranceM
		}
		if e, d, ok := s.index.Nearest(q.Point, geo.ClassArea, tol); ok {
			if a, ok := s.areas[e.ID]; ok {
				addAreaHit(sc, a, d, at, q)
			}
		}
	}
	ans := Answer{Point: q.Point, Lon: q.Point[0], Lat: q.Point[1], Areas: sc.areas[:len(sc.areas):len(sc.areas)]}
	for i, sp := range sc.areaPeople {
		ans.Areas[i].Responsible = sc.people[sp.from:sp.to:sp.to]
	}
	if community.row != nil {
		ans.Community = unitHit(community, registry.LaneChief, at, q, &sc.units[0], &sc.chiefs[0])
		if subdistrict.row == nil {
			subdistrict = s.units[community.row.ParentID]
		}
	}
	if subdistrict.row != nil {
		ans.Subdistrict = unitHit(subdistrict, registry.StreetChief, at, q, &sc.units[1], &sc.chiefs[1])
		if q.SubdistrictPosts && !q.WithoutPeople {
			ans.Subdistrict.Posts = subdistrictPosts(subdistrict, at, q.Who, sc)
		}
	}
	return ans
}

// addAreaHit appends area r, with the people responsible for it at t, to sc.
func addAreaHit(sc *Scratch, r rec[registry.SpatialArea], dist float64, at time.Time, q Query) {
	a := r.row
	showPhone := q.Who.SignedIn() && q.Who.Scope.InScope(a.SubdistrictID, a.CommunityID)
	from := len(sc.people)
	posts := r.posts
	if q.WithoutPeople {
		posts = nil
	}
	for i := range posts {
		if posts[i].HeldAt(at) {
			sc.people = append(sc.people, responsible(&posts[i], showPhone))
		}
	}
	sc.areas = append(sc.areas, AreaHit{ID: a.ID, Kind: a.Kind, Name: a.Name, DistanceM: dist})
	sc.areaPeople = append(sc.areaPeople, span{from, len(sc.people)})
}

// unitHit fills hit (and chief, when the post is filled) with unit r and its chief at t.
func unitHit(r rec[registry.SpatialUnit], chiefRole registry.PostRole, at time.Time, q Query,
	hit *UnitHit, chief *Responsible) *UnitHit {
	u := r.row
	*hit = UnitHit{ID: u.ID, Name: u.Name}
	sub, com := u.ID, int64(0)
	if u.Level == "community" {
		sub, com = u.ParentID, u.ID
	}
	showPhone := q.Who.SignedIn() && q.Who.Scope.InScope(sub, com)
	posts := r.posts
	if q.WithoutPeople {
		posts = nil
	}
	for i := range posts {
		if p := &posts[i]; p.Role == chiefRole && p.Primary && p.HeldAt(at) {
			*chief = responsible(p, showPhone)
			hit.Chief = chief
			break
		}
	}
	return hit
}

// subdistrictPosts lists the posts with a level held over subdistrict r at t, in sc's storage:
// departments' posts by department, city before district and primary before deputy, then linked
// leaders and cross-appointees.
func subdistrictPosts(r rec[registry.SpatialUnit], at time.Time, who access.Principal, sc *Scratch) []Responsible {
	showPhone := who.SignedIn() && who.Scope.InScope(r.row.ID, 0)
	sc.unitPosts = sc.unitPosts[:0]
	for i := range r.posts {
		if p := &r.posts[i]; p.Role.HasLevel() && p.HeldAt(at) {
			x := responsible(p, showPhone)
			x.Deputy = !p.Primary
			sc.unitPosts = append(sc.unitPosts, x)
		}
	}
	order := func(r registry.PostRole) int { return slices.Index(subdistrictPostOrder, r) }
	slices.SortStableFunc(sc.unitPosts, func(a, b Responsible) int {
		return cmp.Or(cmp.Compare(order(a.Role), order(b.Role)), cmp.Compare(a.DepartmentID, b.DepartmentID),
			cmp.Compare(a.Level, b.Level), cmp.Compare(btoi(a.Deputy), btoi(b.Deputy)))
	})
	return sc.unitPosts[:len(sc.unitPosts):len(sc.unitPosts)]
}

var subdistrictPostOrder = []registry.PostRole{registry.LinkedLeader, registry.CrossAppointee, registry.DepartmentLeader, registry.DepartmentLiaison}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func responsible(p *registry.Post, showPhone bool) Responsible {
	r := Responsible{PersonID: p.PersonID, Name: p.PersonName, Role: p.Role, Level: p.Level, DepartmentID: p.DepartmentID, Department: p.Department}
	if showPhone {
		r.Phone = p.Phone
	}
	return r
}
