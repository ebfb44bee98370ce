// Package access describes who is asking — a Principal with a role and a scope of subdistricts and
// communities — and turns that scope into SQL predicates, so that every domain query filters by the same
// rule. It depends on nothing else in the project; internal/auth builds Principals, domains consume them.
package access

import (
	"fmt"
	"slices"
	"strconv"
)

// Role is what a signed-in user does in the responsibility system.
type Role string

const (
	Admin             Role = "admin"
	DistrictLeader    Role = "district_leader"
	StreetChief       Role = "street_chief"
	LaneChief         Role = "lane_chief"
	DepartmentLiaison Role = "department_liaison"
	Inspector         Role = "inspector"
	Assessor          Role = "assessor"
	Participant       Role = "participant" // 履职人员: a deputy or party member; no territory, their own records only
	Public            Role = "public"      // not signed in
)

// Roles lists the roles a user account may hold.
var Roles = []Role{Admin, DistrictLeader, StreetChief, LaneChief, DepartmentLiaison, Inspector, Assessor, Participant}

// ParseRole checks a role name from outside.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if slices.Contains(Roles, r) {
		return r, nil
	}
	return "", fmt.Errorf("unknown role %q (one of admin, district_leader, street_chief, lane_chief, department_liaison, inspector, assessor, participant)", s)
}

// Scope is the part of the district a principal may see and act in. It is derived from the current
// assignments, never kept by hand.
type Scope struct {
	All          bool    // admin and district leader: the whole district
	Subdistricts []int64 // street chiefs, department liaisons, inspectors (who read and check, never change)
	Communities  []int64 // lane chiefs; street chiefs get every community of their subdistricts too
	Departments  []int64 // department liaisons: their departments
}

// Principal is the caller of a request or a command.
type Principal struct {
	UserID    int64
	TokenID   int64
	PersonID  int64
	Username  string
	Role      Role
	Scope     Scope
	RequestID string
}

// Anonymous is the public: it may look things up and report incidents, nothing more.
func Anonymous(requestID string) Principal {
	return Principal{Role: Public, Username: "anonymous", RequestID: requestID}
}

// System is the principal of command-line tools and background jobs run by the operator.
func System(name string) Principal {
	return Principal{Role: Admin, Username: name, Scope: Scope{All: true}}
}

// SignedIn reports whether the principal is a known user.
func (p Principal) SignedIn() bool { return p.Role != Public && p.Role != "" }

// Label names the principal in the audit log.
func (p Principal) Label() string {
	switch {
	case p.TokenID != 0:
		return p.Username + " (token " + strconv.FormatInt(p.TokenID, 10) + ")"
	case p.Username != "":
		return p.Username
	default:
		return string(p.Role)
	}
}

// CanChangeRegistry reports whether the principal may create or change admin units, people,
// departments and district-wide settings.
func (p Principal) CanChangeRegistry() bool { return p.Role == Admin }

// CanChangeFieldData reports whether the principal may change areas and assignments at all; whether a
// particular row is in scope is decided by InScope.
func (p Principal) CanChangeFieldData() bool {
	return p.Role == Admin || p.Role == StreetChief || p.Role == LaneChief
}

// InScope reports whether a row located in the given subdistrict and community is in the principal's
// scope. A row with no location (0) is in scope only for the whole district.
func (s Scope) InScope(subdistrictID, communityID int64) bool {
	if s.All {
		return true
	}
	if communityID != 0 && slices.Contains(s.Communities, communityID) {
		return true
	}
	return subdistrictID != 0 && slices.Contains(s.Subdistricts, subdistrictID)
}

// Predicate returns an SQL boolean expression restricting rows to the scope, given the columns that
// hold a row's subdistrict and community, appending its parameters to args (numbered after them).
// It is false for a row outside the scope and NULL only for a row whose columns are both NULL
// (in no unit); an empty list is sent as an empty array, not NULL, so it matches nothing.
func (s Scope) Predicate(subdistrictCol, communityCol string, args []any) (string, []any) {
	if s.All {
		return "TRUE", args
	}
	args = append(args, nonNil(s.Subdistricts), nonNil(s.Communities))
	n := len(args)
	return fmt.Sprintf("(%s = ANY($%d::bigint[]) OR %s = ANY($%d::bigint[]))", subdistrictCol, n-1, communityCol, n), args
}

// nonNil is ids, or an empty list where ids is nil: pgx sends a nil slice as NULL.
func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}
