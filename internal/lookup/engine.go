package lookup

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"

	"streetchief/geo"
	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/registry"
)

// DefaultToleranceM is how far from a point an area may lie and still be named when none covers it:
// about the GPS error of a phone on a street.
const DefaultToleranceM = 20

// MaxToleranceM bounds the tolerance a caller may ask for.
const MaxToleranceM = 500

// Engine answers responsibility lookups from memory.
type Engine struct {
	store *registry.Store
	snap  atomic.Pointer[snapshot]
}

// New returns an engine that has loaded nothing yet; call Load (or Run) before Lookup.
func New(store *registry.Store) *Engine { return &Engine{store: store} }

// Load reads the whole territory and swaps it in.
func (e *Engine) Load(ctx context.Context) error {
	areas, err := e.store.SpatialAreas(ctx, nil)
	if err != nil {
		return err
	}
	units, err := e.store.SpatialUnits(ctx, nil)
	if err != nil {
		return err
	}
	posts, err := e.store.Posts(ctx, nil, nil)
	if err != nil {
		return err
	}
	e.snap.Store(newSnapshot(areas, units, posts))
	return nil
}

// Ready reports whether a snapshot is loaded.
func (e *Engine) Ready() bool { return e.snap.Load() != nil }

// Query is one lookup.
type Query struct {
	Point      orb.Point // WGS-84
	At         time.Time // zero: now
	ToleranceM float64   // < 0: none; 0: DefaultToleranceM
	Who        access.Principal
}

// Answer answers who is responsible at q.Point.
func (e *Engine) Answer(q Query) (Answer, error) {
	s := e.snap.Load()
	if s == nil {
		return Answer{}, apperr.New(apperr.Unavailable, "the responsibility index is still loading")
	}
	return s.answer(q, make([]*geo.Entry, 0, 8)), nil
}

// Lookup is Answer for other domains (incident intake): a point at a time, without phones.
func (e *Engine) Lookup(ctx context.Context, pt orb.Point, at time.Time) (Answer, error) {
	return e.Answer(Query{Point: pt, At: at})
}

// answer is the lookup on one snapshot; buf is scratch space for the covering entries.
func (s *snapshot) answer(q Query, buf []*geo.Entry) Answer {
	at := q.At
	if at.IsZero() {
		at = time.Now()
	}
	ans := Answer{Point: q.Point, Lon: q.Point[0], Lat: q.Point[1], Areas: []AreaHit{}}
	var community, subdistrict *registry.SpatialUnit
	for _, e := range s.index.CoveringAll(q.Point, buf) {
		switch e.Class {
		case geo.ClassArea:
			if a := s.areas[e.ID]; a != nil {
				ans.Areas = append(ans.Areas, s.areaHit(a, 0, at, q.Who))
			}
		case geo.ClassAdminUnit:
			u := s.units[e.ID]
			switch {
			case u == nil:
			case u.Level == "community" && community == nil:
				community = u
			case u.Level == "subdistrict" && subdistrict == nil:
				subdistrict = u
			}
		}
	}
	if len(ans.Areas) == 0 && q.ToleranceM >= 0 {
		tol := q.ToleranceM
		if tol == 0 {
			tol = DefaultToleranceM
		}
		if e, d, ok := s.index.Nearest(q.Point, geo.ClassArea, tol); ok {
			if a := s.areas[e.ID]; a != nil {
				ans.Areas = append(ans.Areas, s.areaHit(a, d, at, q.Who))
			}
		}
	}
	if community != nil {
		ans.Community = s.unitHit(community, "lane_chief", at, q.Who)
		if subdistrict == nil {
			subdistrict = s.units[community.ParentID]
		}
	}
	if subdistrict != nil {
		ans.Subdistrict = s.unitHit(subdistrict, "street_chief", at, q.Who)
	}
	return ans
}

func (s *snapshot) areaHit(a *registry.SpatialArea, dist float64, at time.Time, who access.Principal) AreaHit {
	hit := AreaHit{ID: a.ID, Kind: a.Kind, Name: a.Name, DistanceM: dist, Responsible: []Responsible{}}
	showPhone := who.SignedIn() && who.Scope.InScope(a.SubdistrictID, a.CommunityID)
	for _, p := range s.posts[geo.Key{Class: geo.ClassArea, ID: a.ID}] {
		if p.HeldAt(at) {
			hit.Responsible = append(hit.Responsible, responsible(p, showPhone))
		}
	}
	return hit
}

func (s *snapshot) unitHit(u *registry.SpatialUnit, chiefRole string, at time.Time, who access.Principal) *UnitHit {
	hit := &UnitHit{ID: u.ID, Name: u.Name}
	sub, com := u.ID, int64(0)
	if u.Level == "community" {
		sub, com = u.ParentID, u.ID
	}
	showPhone := who.SignedIn() && who.Scope.InScope(sub, com)
	for _, p := range s.posts[geo.Key{Class: geo.ClassAdminUnit, ID: u.ID}] {
		if p.Role == chiefRole && p.Primary && p.HeldAt(at) {
			r := responsible(p, showPhone)
			hit.Chief = &r
			break
		}
	}
	return hit
}

func responsible(p registry.Post, showPhone bool) Responsible {
	r := Responsible{PersonID: p.PersonID, Name: p.PersonName, Role: p.Role}
	if showPhone {
		r.Phone = p.Phone
	}
	return r
}
