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
)

// PostRoles lists every post, in the order the API documents them; assignment.role's CHECK allows
// exactly these (a test holds the two together).
var PostRoles = []PostRole{StreetChief, LaneChief, AreaManager, DepartmentLiaison, Inspector, Deputy, Volunteer}

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
	case StreetChief, DepartmentLiaison:
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
