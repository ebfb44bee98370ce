// Package demo builds a deterministic, plausible demo city — Longyan's Xinluo district with its
// subdistricts, communities, streets, lanes and markets, and the people responsible for them — and
// loads it into an empty registry. Generation is pure (orb and the standard library only) so it can be
// tested and benchmarked without a database; only load.go reaches the database, and only through the
// registry's imports, the same a user's file goes through. Nothing in the server depends on this
// package except the wiring that seeds `make run`.
package demo

import (
	"fmt"
	"streetchief/internal/registry"
	"time"

	"github.com/paulmach/orb"
)

// BenchScale is the Scale that yields about 100,000 areas (≈ 2,500 areas per unit of Scale), the size
// the benchmarks and the load-time test use.
const BenchScale = 40

// Area kinds, exactly as the registry's CHECK constraint spells them.
const (
	KindMainRoad            = "main_road"
	KindSecondaryRoad       = "secondary_road"
	KindBackLane            = "back_lane"
	KindResidentialCompound = "residential_compound"
	KindFarmersMarket       = "farmers_market"
	KindNightMarket         = "night_market"
	KindCommercialStreet    = "commercial_street"
	KindPark                = "park"
	KindSquare              = "square"
	KindRiver               = "river"
)

// Admin levels used by the demo, as the registry spells them.
const (
	LevelCity        = "city"
	LevelDistrict    = "district"
	LevelSubdistrict = "subdistrict"
	LevelCommunity   = "community"
)

// Options choose the city. The same Options always give the same City.
type Options struct {
	Seed  int64
	Scale int // ≥ 1; the number of areas grows roughly linearly with it
}

// AdminUnit is a city, district, subdistrict or community. Keys are 1-based positions in
// City.AdminUnits, and parents always come before their children so they can be inserted in order.
type AdminUnit struct {
	Key        int
	Parent     int // 0 for the city
	Level      string
	Code       string
	Name       string
	Boundary   orb.MultiPolygon // lon/lat
	Attributes map[string]any
}

// Area is a managed public space. Keys are 1-based positions in City.Areas.
type Area struct {
	Key        int
	Kind       string
	Name       string
	Geom       orb.MultiPolygon    // lon/lat
	Centreline orb.MultiLineString // roads, lanes and the river; nil for the rest
	Attributes map[string]any
	// Community is the key of the community the generator built the area in. Blocks lie wholly inside
	// it; a road lies on a community line and this is the community on its east or north side, which
	// may differ from the one the database trigger picks.
	Community int
}

// Person is a fictional official, cadre or grid worker. Keys are 1-based positions in City.People.
type Person struct {
	Key          int
	Name         string
	Phone        string
	Organisation string
	Active       bool
	Attributes   map[string]any
}

// Assignment makes a person responsible for an area or an admin unit over [From, Until).
type Assignment struct {
	Area       int // area key, or 0
	AdminUnit  int // admin unit key, or 0; exactly one of Area and AdminUnit is set
	Person     int
	Role       registry.PostRole
	Department string         // department code, for a department's posts and a linked leader's department
	Level      registry.Level // city or district, for the posts that have one (registry.PostRole.HasLevel)
	Deputy     bool           // a deputy (not the post's primary holder)
	From       time.Time      // inclusive
	Until      time.Time      // exclusive; zero while the assignment is current
	Note       string
}

// Current reports whether the assignment has not ended.
func (a Assignment) Current() bool { return a.Until.IsZero() }

// City is a generated demo city, with its deliberate flaws spelled out so tests and gap reports can
// check that they find exactly these.
type City struct {
	Options     Options
	AdminUnits  []AdminUnit
	Areas       []Area
	People      []Person
	Assignments []Assignment

	// UnassignedAreaName names the one back lane that has never had anyone responsible.
	UnassignedAreaName string
	// UncoveredStrip is a piece of one community that no area covers (lon/lat), of
	// UncoveredStripArea square metres.
	UncoveredStrip     orb.Polygon
	UncoveredStripArea float64
	// OverlapNames are the two areas (a park and a night market, with different managers) that
	// overlap by OverlapArea square metres; no other two areas overlap.
	OverlapNames [2]string
	OverlapArea  float64
}

// Counts summarises a City; Load reports the same numbers for what it inserted.
type Counts struct {
	AdminUnits        int            `json:"admin_units"`
	AdminUnitsByLevel map[string]int `json:"admin_units_by_level"`
	Areas             int            `json:"areas"`
	AreasByKind       map[string]int `json:"areas_by_kind"`
	People            int            `json:"people"`
	Assignments       int            `json:"assignments"`
	Current           int            `json:"current_assignments"`
}

// Bound is the box around every admin unit: the whole city.
func (c *City) Bound() orb.Bound {
	var b orb.Bound
	for i, u := range c.AdminUnits {
		if i == 0 {
			b = u.Boundary.Bound()
		}
		b = b.Union(u.Boundary.Bound())
	}
	return b
}

// Counts summarises the city.
func (c *City) Counts() Counts {
	n := Counts{
		AdminUnits:        len(c.AdminUnits),
		AdminUnitsByLevel: map[string]int{},
		Areas:             len(c.Areas),
		AreasByKind:       map[string]int{},
		People:            len(c.People),
		Assignments:       len(c.Assignments),
	}
	for _, u := range c.AdminUnits {
		n.AdminUnitsByLevel[u.Level]++
	}
	for _, a := range c.Areas {
		n.AreasByKind[a.Kind]++
	}
	for _, a := range c.Assignments {
		if a.Current() {
			n.Current++
		}
	}
	return n
}

// String renders the counts on one line for logs.
func (n Counts) String() string {
	return fmt.Sprintf("%d admin units %v, %d areas %v, %d people, %d assignments (%d current)",
		n.AdminUnits, n.AdminUnitsByLevel, n.Areas, n.AreasByKind, n.People, n.Assignments, n.Current)
}
