package registry

import (
	"slices"
	"strings"

	"streetchief/internal/apperr"
)

// PostRole is a post a person holds over part of the territory (assignment.role). It is not an
// account's role (access.Role), which says what a user may do in the system: an account of role
// street_chief takes its scope from its person's street_chief posts, but a person can hold posts
// without any account at all.
type PostRole string

const (
	StreetChief       PostRole = "street_chief"       // 街长, over a subdistrict
	LaneChief         PostRole = "lane_chief"         // 巷长, over a community
	AreaManager       PostRole = "area_manager"       // answers for one area day to day
	DepartmentLiaison PostRole = "department_liaison" // an enforcement department's person in a subdistrict
	Inspector         PostRole = "inspector"
	Deputy            PostRole = "deputy"
	Volunteer         PostRole = "volunteer"
	DepartmentLeader  PostRole = "department_leader" // 负责领导: the department's leader answering for a subdistrict
	LinkedLeader      PostRole = "linked_leader"     // 挂钩领导: a city or district leader linked to a subdistrict
	CrossAppointee    PostRole = "cross_appointee"   // 市区交叉任职: a cadre of one team appointed into the other
)

// Level is the team a department or leader post speaks for: the city's or the district's (市城管局 and
// 区城管局 are two teams, each with its own holders of a subdistrict's post).
type Level string

const (
	CityLevel     Level = "city"
	DistrictLevel Level = "district"
)

// ParseLevel checks a level from outside; "" stays "" (the post's default applies).
func ParseLevel(s string) (Level, error) {
	switch l := Level(s); l {
	case "", CityLevel, DistrictLevel:
		return l, nil
	}
	return "", apperr.New(apperr.Invalid, "level %q is not one of city, district", s).With("field", "level")
}

// Canonical returns the constant equal to l (see PostRole.Canonical).
func (l Level) Canonical() Level {
	switch l {
	case CityLevel:
		return CityLevel
	case DistrictLevel:
		return DistrictLevel
	}
	return l
}

// HasLevel reports whether the post is held for a city or district team (assignment.level is set
// exactly for these).
func (r PostRole) HasLevel() bool {
	return r == DepartmentLeader || r == DepartmentLiaison || r == LinkedLeader || r == CrossAppointee
}

// DepartmentRule says whether the post names a department: "required" (a department's own posts),
// "optional" (a leader may be linked for the department they lead) or "none".
func (r PostRole) DepartmentRule() string {
	switch r {
	case DepartmentLeader, DepartmentLiaison:
		return "required"
	case LinkedLeader, CrossAppointee:
		return "optional"
	}
	return "none"
}

// PostRoles lists every post, in the order the API documents them; assignment.role's CHECK allows
// exactly these (a test holds the two together).
var PostRoles = []PostRole{StreetChief, LaneChief, AreaManager, DepartmentLiaison, Inspector, Deputy, Volunteer,
	DepartmentLeader, LinkedLeader, CrossAppointee}

// ParsePostRole checks a post role from outside.
func ParsePostRole(s string) (PostRole, error) {
	r := PostRole(s)
	if !slices.Contains(PostRoles, r) {
		names := make([]string, len(PostRoles))
		for i, p := range PostRoles {
			names[i] = string(p)
		}
		return "", apperr.New(apperr.Invalid, "role %q is not one of %s", s, strings.Join(names, ", "))
	}
	return r, nil
}

// HeldOver is the kind of target the post is held over: "subdistrict" or "community" (an admin unit
// of that level), "area", or "" where any target will do.
func (r PostRole) HeldOver() string {
	switch r {
	case StreetChief, DepartmentLiaison, DepartmentLeader, LinkedLeader, CrossAppointee:
		return "subdistrict"
	case LaneChief:
		return "community"
	case AreaManager:
		return "area"
	}
	return ""
}

// Canonical returns the constant equal to r, so that the posts of a whole city read from the
// database share its bytes instead of each holding a small string of its own.
func (r PostRole) Canonical() PostRole {
	for _, p := range PostRoles {
		if p == r {
			return p
		}
	}
	return r
}
