// Package reports measures where the promise of full coverage (全覆盖) is broken: areas nobody is
// responsible for, territory no assigned area covers, overlaps between different people's areas,
// vacant posts and uneven workloads — per subdistrict and community, now or at a past date.
// Reports read the registry's and incidents' tables (read only: they change nothing) and compute
// measures in PostGIS in CGCS2000 / 3-degree Gauss-Kruger zone 39 (EPSG:4547, central meridian 117°E,
// the city's own), so square metres are square metres.
package reports

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// Gap kinds.
const (
	KindUnassigned = "unassigned_areas"
	KindTerritory  = "territory_gaps"
	KindOverlaps   = "overlaps"
	KindVacant     = "vacant_posts"
	KindWorkload   = "workload"
)

// Kinds lists every gap kind in report order.
var Kinds = []string{KindUnassigned, KindTerritory, KindOverlaps, KindVacant, KindWorkload,
	KindNoPledge, KindNoInspector, KindNotInspected, KindOffSite, KindNoPartner,
	KindSilentDeputies, KindServicePointGaps}

// metricSRID is CGCS2000 / 3-degree Gauss-Kruger CM 117E: metres around Longyan.
const metricSRID = 4547

// Scope is the part of the district a report covers.
type Scope struct {
	Level string // "district", "subdistrict" or "community"
	ID    int64  // the unit's id below district level
	Name  string // filled by the report
}

// Query asks for a report.
type Query struct {
	Scope       Scope
	At          time.Time // zero: now
	Kinds       []string  // nil: all
	MinSliverM2 float64   // territory gaps and overlaps smaller than this are ignored; 0: 1 m²
	// NotInspectedDays is how long a shop may go unchecked (0: DefaultNotInspectedDays); an inspector
	// whose off-site share of check-ins over OffSiteDays (0: 30) is above OffSiteShare (0: 20 %) is a gap.
	NotInspectedDays int
	OffSiteShare     float64
	OffSiteDays      int
	WithMap          bool // also read the boundaries and areas a printed map is drawn over

	// SilentDays is how long a linked deputy or member may go without a confirmed duty record (0:
	// DefaultSilentDays).
	SilentDays int
	// ServicePointDistanceM replaces every service point kind's own gap distance (0: the kinds').
	ServicePointDistanceM float64
}

// Report is the answer: one section per kind asked for, and a summary per subdistrict/community.
type Report struct {
	Scope        Scope              `json:"scope"`
	At           time.Time          `json:"at"`
	Kinds        []string           `json:"kinds"`
	Summary      []SummaryRow       `json:"summary"`
	Unassigned   []Unassigned       `json:"unassigned_areas,omitempty"`
	Territory    []TerritoryGap     `json:"territory_gaps,omitempty"`
	Overlaps     []Overlap          `json:"overlaps,omitempty"`
	Vacant       []VacantPost       `json:"vacant_posts,omitempty"`
	Workload     []Workload         `json:"workload,omitempty"`
	NoPledge     []MerchantGap      `json:"merchants_without_pledge,omitempty"`
	NoInspector  []MerchantGap      `json:"merchants_without_inspector,omitempty"`
	NotInspected []MerchantGap      `json:"merchants_not_inspected,omitempty"`
	OffSite      []OffSiteInspector `json:"off_site_checkins,omitempty"`
	NoPartner    []CompoundGap      `json:"compounds_without_partner,omitempty"`
	Silent       []SilentDeputy     `json:"silent_deputies,omitempty"`
	ServiceGaps  []ServicePointGap  `json:"service_point_gaps,omitempty"`
	Basemap      Basemap            `json:"-"` // filled when Query.WithMap asks for it
	Elapsed      time.Duration      `json:"-"`
}

// Place names where a gap is.
type Place struct {
	SubdistrictID   int64  `json:"subdistrict_id"`
	SubdistrictName string `json:"subdistrict"`
	CommunityID     int64  `json:"community_id,omitempty"`
	CommunityName   string `json:"community,omitempty"`
}

// Unassigned is an area with nobody responsible for it (no area manager at the time).
type Unassigned struct {
	Place
	AreaID  int64            `json:"area_id"`
	Kind    string           `json:"kind"`
	Name    string           `json:"name"`
	LengthM float64          `json:"length_m"` // of the centreline, for roads, lanes and rivers
	AreaM2  float64          `json:"area_m2"`
	Geom    orb.MultiPolygon `json:"-"`
}

// TerritoryGap is a piece of a community that no assigned area covers.
type TerritoryGap struct {
	Place
	AreaM2 float64      `json:"area_m2"`
	Geom   orb.Geometry `json:"-"`
}

// Overlap is a piece where areas of different responsible people overlap.
type Overlap struct {
	Place
	AreaA   int64        `json:"area_a"`
	NameA   string       `json:"name_a"`
	PeopleA []string     `json:"people_a"`
	AreaB   int64        `json:"area_b"`
	NameB   string       `json:"name_b"`
	PeopleB []string     `json:"people_b"`
	AreaM2  float64      `json:"area_m2"`
	Geom    orb.Geometry `json:"-"`
}

// VacantPost is a post nobody holds: a street chief, a lane chief, a department's liaison.
type VacantPost struct {
	Place
	Role       string `json:"role"`
	Department string `json:"department,omitempty"`
}

// Workload is what one responsible person answers for; Outlier marks loads far from the others'.
type Workload struct {
	PersonID      int64   `json:"person_id"`
	Name          string  `json:"name"`
	Areas         int     `json:"areas"`
	LaneLengthM   float64 `json:"lane_length_m"`
	AreaM2        float64 `json:"area_m2"`
	OpenIncidents int     `json:"open_incidents"`
	Outlier       string  `json:"outlier,omitempty"` // "high" or "low"
}

// SummaryRow counts the gaps of one subdistrict or community.
type SummaryRow struct {
	Place
	Level           string  `json:"level"`
	UnassignedAreas int     `json:"unassigned_areas"`
	TerritoryGapM2  float64 `json:"territory_gap_m2"`
	OverlapM2       float64 `json:"overlap_m2"`
	VacantPosts     int     `json:"vacant_posts"`
	// Shops in the unit without a pledge, without an inspector, and not checked for the days asked.
	MerchantsNoPledge     int `json:"merchants_without_pledge"`
	MerchantsNoInspector  int `json:"merchants_without_inspector"`
	MerchantsNotInspected int `json:"merchants_not_inspected"`
}

// Service makes reports.
type Service struct {
	db *pgxpool.Pool
}

// NewService returns a report service on db.
func NewService(db *pgxpool.Pool) *Service { return &Service{db: db} }

// Gaps makes a coverage gap report. Callers see only their own scope: a lane chief asking for the
// district gets their community.
func (s *Service) Gaps(ctx context.Context, who access.Principal, q Query) (Report, error) {
	start := time.Now()
	if err := q.check(); err != nil {
		return Report{}, err
	}
	if q.At.IsZero() {
		q.At = time.Now()
	}
	if q.MinSliverM2 <= 0 {
		q.MinSliverM2 = 1
	}
	q.merchantThresholds()
	if q.SilentDays <= 0 {
		q.SilentDays = DefaultSilentDays
	}
	kinds := Kinds
	if len(q.Kinds) > 0 {
		// In report order, each once however often it was asked for: a repeat would run its query again.
		kinds = slices.DeleteFunc(slices.Clone(Kinds), func(k string) bool { return !slices.Contains(q.Kinds, k) })
	}
	r := Report{Scope: q.Scope, At: q.At, Kinds: kinds}
	if err := s.resolveScope(ctx, &r.Scope); err != nil {
		return Report{}, err
	}
	f := filter{scope: r.Scope, who: who, at: q.At, minM2: q.MinSliverM2}
	var err error
	for _, k := range kinds {
		switch k {
		case KindUnassigned:
			r.Unassigned, err = s.unassigned(ctx, f)
		case KindTerritory:
			r.Territory, err = s.territory(ctx, f)
		case KindOverlaps:
			r.Overlaps, err = s.overlaps(ctx, f)
		case KindVacant:
			r.Vacant, err = s.vacant(ctx, f)
		case KindWorkload:
			r.Workload, err = s.workload(ctx, f)
		case KindNoPledge:
			r.NoPledge, err = s.noPledge(ctx, f)
		case KindNoInspector:
			r.NoInspector, err = s.noInspector(ctx, f)
		case KindNotInspected:
			r.NotInspected, err = s.notInspected(ctx, f, q.NotInspectedDays)
		case KindOffSite:
			r.OffSite, err = s.offSite(ctx, f, q.OffSiteDays, q.OffSiteShare)
		case KindNoPartner:
			r.NoPartner, err = s.compoundsWithoutPartner(ctx, f)
		case KindSilentDeputies:
			r.Silent, err = s.silentDeputies(ctx, f, q.SilentDays)
		case KindServicePointGaps:
			r.ServiceGaps, err = s.servicePointGaps(ctx, f, q.ServicePointDistanceM)
		}
		if err != nil {
			return Report{}, fmt.Errorf("%s: %w", k, err)
		}
	}
	if r.Summary, err = s.summary(ctx, f, &r); err != nil {
		return Report{}, err
	}
	if q.WithMap {
		if r.Basemap, err = s.basemap(ctx, f); err != nil {
			return Report{}, err
		}
	}
	r.Elapsed = time.Since(start)
	return r, nil
}

func (q Query) check() error {
	if q.SilentDays < 0 || q.SilentDays > 366 {
		return apperr.New(apperr.Invalid, "silent_days is 1 to 366")
	}
	if q.ServicePointDistanceM < 0 || q.ServicePointDistanceM > 20000 {
		return apperr.New(apperr.Invalid, "service_point_distance_m must be 0 to 20,000 metres")
	}
	if q.NotInspectedDays < 0 || q.NotInspectedDays > 366 || q.OffSiteDays < 0 || q.OffSiteDays > 366 || q.OffSiteShare < 0 || q.OffSiteShare >= 1 {
		return apperr.New(apperr.Invalid, "not_inspected_days and off_site_days are 1 to 366, off_site_share a fraction below 1")
	}
	for _, k := range q.Kinds {
		if !slices.Contains(Kinds, k) {
			return apperr.New(apperr.Invalid, "kind %q is not one of %s", k, strings.Join(Kinds, ", "))
		}
	}
	switch q.Scope.Level {
	case "district":
	case "subdistrict", "community":
		if q.Scope.ID == 0 && q.Scope.Name == "" {
			return apperr.New(apperr.Invalid, "a %s scope needs an id or a name", q.Scope.Level)
		}
	default:
		return apperr.New(apperr.Invalid, "scope %q must be district, subdistrict:<id or name> or community:<id or name>", q.Scope.Level)
	}
	return nil
}

// ParseScope reads "district", "subdistrict:12", "subdistrict:东城街道", "community:…".
func ParseScope(s string) (Scope, error) {
	if s == "" || s == "district" {
		return Scope{Level: "district"}, nil
	}
	level, ref, ok := strings.Cut(s, ":")
	if !ok || (level != "subdistrict" && level != "community") || ref == "" {
		return Scope{}, apperr.New(apperr.Malformed, "scope %q must be district, subdistrict:<id or name> or community:<id or name>", s)
	}
	sc := Scope{Level: level}
	var id int64
	if _, err := fmt.Sscan(ref, &id); err == nil && id > 0 && fmt.Sprint(id) == ref {
		sc.ID = id
	} else {
		sc.Name = ref
	}
	return sc, nil
}

func (s *Service) resolveScope(ctx context.Context, sc *Scope) error {
	if sc.Level == "district" {
		sc.Name = "全区"
		return nil
	}
	err := s.db.QueryRow(ctx, `SELECT id, name FROM unit_directory WHERE level = $1 AND (id = $2 OR ($2 = 0 AND name = $3))
		ORDER BY id LIMIT 1`, sc.Level, sc.ID, sc.Name).Scan(&sc.ID, &sc.Name)
	if err != nil {
		return apperr.New(apperr.NotFound, "no %s %s", sc.Level, map[bool]string{true: sc.Name, false: fmt.Sprint(sc.ID)}[sc.ID == 0])
	}
	return nil
}
