package lookup

import "github.com/paulmach/orb"

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

// UnitHit is the community or subdistrict at the point with its chief, if the post is filled.
type UnitHit struct {
	ID    int64        `json:"id"`
	Name  string       `json:"name"`
	Chief *Responsible `json:"chief"`
}

// Responsible is a person holding a post. Phone is filled only for callers allowed to see it.
type Responsible struct {
	PersonID int64  `json:"person_id"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Phone    string `json:"phone,omitempty"`
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
			if p.Role == "area_manager" {
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
