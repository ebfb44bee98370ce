package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/auth"
	"streetchief/internal/dbtest"
	"streetchief/internal/httpapi"
	"streetchief/internal/registry"
)

// accessWorld is a subdistrict with communities A and B, an area and a manager in each, and a user of
// every role; the lane chief and street chief hold their posts through assignments.
type accessWorld struct {
	srv              *httptest.Server
	server           *httpapi.Server
	clients          map[access.Role]*apiClient
	areaA, areaB     registry.Area
	assignA, assignB registry.Assignment
	comA, comB       registry.AdminUnit
	worker           registry.Person
	people           map[access.Role]int64 // the person each role's account is linked to, where it is
}

var worldSeq int

func newAccessWorld(t *testing.T) *accessWorld {
	t.Helper()
	worldSeq++
	n := worldSeq
	x := 60 + 2*float64(n) // each world in its own patch of the map
	code := func(s string) string { return fmt.Sprintf("acc%d-%s", n, s) }
	ctx := context.Background()
	srv, svc := newAPI(t)
	store := registry.NewStore(dbtest.Pool(t))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	sq := func(x, y, d float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}}
	}
	w := &accessWorld{srv: srv, clients: map[access.Role]*apiClient{}}
	city, err := store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "city", Code: code("c"), Name: "城", Boundary: sq(x, 10, 1)})
	must(err)
	dist, err := store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "district", ParentID: city.ID, Code: code("d"), Name: "区", Boundary: sq(x, 10, 1)})
	must(err)
	sub, err := store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "subdistrict", ParentID: dist.ID, Code: code("s"), Name: "街道", Boundary: sq(x, 10, 1)})
	must(err)
	w.comA, err = store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "community", ParentID: sub.ID, Code: code("a"), Name: "甲社区", Boundary: sq(x, 10, 0.5)})
	must(err)
	w.comB, err = store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "community", ParentID: sub.ID, Code: code("b"), Name: "乙社区", Boundary: sq(x+0.5, 10, 0.5)})
	must(err)
	w.areaA, err = store.CreateArea(ctx, system, registry.AreaInput{Kind: "park", Name: "甲公园", Geom: sq(x+0.1, 10.1, 0.1)})
	must(err)
	w.areaB, err = store.CreateArea(ctx, system, registry.AreaInput{Kind: "park", Name: "乙公园", Geom: sq(x+0.6, 10.1, 0.1)})
	must(err)
	w.worker, err = store.CreatePerson(ctx, system, registry.PersonInput{Name: "网格员", Phone: "13900000009", Active: true})
	must(err)
	lane, err := store.CreatePerson(ctx, system, registry.PersonInput{Name: "巷长甲", Active: true})
	must(err)
	street, err := store.CreatePerson(ctx, system, registry.PersonInput{Name: "街长", Active: true})
	must(err)
	liaison, err := store.CreatePerson(ctx, system, registry.PersonInput{Name: "联络员", Active: true})
	must(err)
	_, err = store.CreateAssignment(ctx, system, registry.AssignmentInput{AdminUnitID: w.comA.ID, PersonID: lane.ID, Role: "lane_chief", Primary: true})
	must(err)
	_, err = store.CreateAssignment(ctx, system, registry.AssignmentInput{AdminUnitID: sub.ID, PersonID: street.ID, Role: "street_chief", Primary: true})
	must(err)
	_, err = store.CreateAssignment(ctx, system, registry.AssignmentInput{AdminUnitID: sub.ID, PersonID: liaison.ID, Role: "department_liaison", DepartmentID: 1, Primary: true})
	must(err)
	w.assignA, err = store.CreateAssignment(ctx, system, registry.AssignmentInput{AreaID: w.areaA.ID, PersonID: w.worker.ID, Role: "area_manager", Primary: true})
	must(err)
	w.assignB, err = store.CreateAssignment(ctx, system, registry.AssignmentInput{AreaID: w.areaB.ID, PersonID: w.worker.ID, Role: "area_manager", Primary: true})
	must(err)

	people := map[access.Role]int64{access.LaneChief: lane.ID, access.StreetChief: street.ID, access.DepartmentLiaison: liaison.ID}
	w.people = people
	for _, role := range access.Roles {
		c := asUser(t, srv, svc, code(strings.ReplaceAll(string(role), "_", "-")), role, people[role])
		w.clients[role] = c
	}
	w.clients[access.Public] = &apiClient{t: t, srv: srv}
	pool := dbtest.Pool(t)
	w.server = httpapi.New(httpapi.Deps{DB: pool, Registry: store, Auth: auth.NewService(pool, auth.Options{}), Incidents: incidentService(t, pool, nil)})
	return w
}

var pathParam = regexp.MustCompile(`\{[a-z_]+\}`)

// TestEveryRouteEnforcesItsAccessRule walks the route table itself, so a route added tomorrow is
// checked too: anonymous callers of a non-public route get 401, roles outside its rule get 403, and
// roles inside it get past the door (whatever the domain then says of the empty body).
func TestEveryRouteEnforcesItsAccessRule(t *testing.T) {
	w := newAccessWorld(t)
	roles := append([]access.Role{access.Public}, access.Roles...)
	for _, rt := range w.server.Routes() {
		path := pathParam.ReplaceAllString(rt.Pattern, "1")
		if strings.Contains(rt.Pattern, "/areas/") {
			path = pathParam.ReplaceAllString(rt.Pattern, fmt.Sprint(w.areaA.ID))
		}
		body := ""
		if rt.Method != "GET" && rt.Method != "DELETE" {
			body = "{}"
		}
		for _, role := range roles {
			if rt.Method == "DELETE" && role != access.Public {
				continue // signed-in deletes would remove the fixtures other rows need; the rule check is the same
			}
			t.Run(fmt.Sprintf("%s %s as %s", rt.Method, rt.Pattern, role), func(t *testing.T) {
				status, doc := w.clients[role].do(rt.Method, path, body)
				wantDoor := admitted(rt.Rule.String(), role)
				switch {
				case wantDoor == http.StatusUnauthorized && status != http.StatusUnauthorized:
					t.Fatalf("anonymous caller got %d, want 401: %v", status, doc)
				case wantDoor == http.StatusForbidden && status != http.StatusForbidden:
					t.Fatalf("%s outside the rule %s got %d, want 403: %v", role, rt.Rule, status, doc)
				case wantDoor == 0 && turnedAwayAtTheDoor(status, doc):
					t.Fatalf("%s inside the rule %s was turned away at the door: %d %v", role, rt.Rule, status, doc)
				}
			})
		}
	}
}

// turnedAwayAtTheDoor recognises the route wrapper's own refusals, as opposed to the domain's
// answer to an empty body (a sign-in with no password is a 401 of the domain's).
func turnedAwayAtTheDoor(status int, doc map[string]any) bool {
	detail, _ := doc["detail"].(string)
	return (status == http.StatusUnauthorized && detail == "sign in first") ||
		(status == http.StatusForbidden && strings.HasPrefix(detail, "your role ("))
}

// admitted derives the expected door answer from a rule's description: 0 when admitted.
func admitted(rule string, role access.Role) int {
	switch {
	case rule == "public":
		return 0
	case role == access.Public:
		return http.StatusUnauthorized
	case rule == "signed-in":
		return 0
	case strings.HasPrefix(rule, "roles:"):
		if slices.Contains(strings.Split(strings.TrimPrefix(rule, "roles:"), ","), string(role)) {
			return 0
		}
		return http.StatusForbidden
	}
	panic("unknown rule " + rule)
}

func TestLaneChiefCannotReadOrChangeAnotherCommunity(t *testing.T) {
	w := newAccessWorld(t)
	lane := w.clients[access.LaneChief]
	feature := areaFeature("park", "改名", geoJSONSquare(w.areaB.Geom.Bound()))
	for _, tc := range []struct{ method, path, body string }{
		{"GET", fmt.Sprintf("/api/v1/areas/%d", w.areaB.ID), ""},
		{"PUT", fmt.Sprintf("/api/v1/areas/%d", w.areaB.ID), feature},
		{"DELETE", fmt.Sprintf("/api/v1/areas/%d", w.areaB.ID), ""},
		{"GET", fmt.Sprintf("/api/v1/assignments/%d", w.assignB.ID), ""},
		{"PATCH", fmt.Sprintf("/api/v1/assignments/%d", w.assignB.ID), `{"until":"2030-01-01T00:00:00Z"}`},
		{"DELETE", fmt.Sprintf("/api/v1/assignments/%d", w.assignB.ID), ""},
		{"POST", "/api/v1/assignments", fmt.Sprintf(`{"area_id":%d,"person_id":%d,"role":"volunteer"}`, w.areaB.ID, w.worker.ID)},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			before := rowCounts(t)
			status, doc := lane.do(tc.method, tc.path, tc.body)
			if status != http.StatusNotFound && status != http.StatusForbidden {
				t.Fatalf("lane chief of A on community B: %d %v, want 403 or 404", status, doc)
			}
			if after := rowCounts(t); after != before {
				t.Fatalf("tables changed: %s → %s", before, after)
			}
		})
	}
	// Lists show only community A.
	status, doc := lane.do("GET", "/api/v1/areas", "")
	if status != 200 {
		t.Fatal(status)
	}
	for _, f := range doc["features"].([]any) {
		if id := int64(f.(map[string]any)["id"].(float64)); id == w.areaB.ID {
			t.Fatal("lane chief of A listed B's area")
		}
	}
	status, doc = lane.do("GET", "/api/v1/assignments", "")
	if status != 200 {
		t.Fatal(status)
	}
	for _, a := range doc["assignments"].([]any) {
		if id := int64(a.(map[string]any)["id"].(float64)); id == w.assignB.ID {
			t.Fatal("lane chief of A listed B's assignment")
		}
	}
	// And their own community works.
	if status, doc := lane.do("GET", fmt.Sprintf("/api/v1/areas/%d", w.areaA.ID), ""); status != 200 {
		t.Fatalf("own area: %d %v", status, doc)
	}
}

func TestPhonesAreShownOnlyInScope(t *testing.T) {
	w := newAccessWorld(t)
	// The worker manages areas in A and B, so the lane chief of A sees the phone; an inspector with
	// no territory does not.
	_, doc := w.clients[access.LaneChief].do("GET", fmt.Sprintf("/api/v1/people/%d", w.worker.ID), "")
	if doc["phone"] != "13900000009" {
		t.Fatalf("lane chief of A: phone %v", doc["phone"])
	}
	_, doc = w.clients[access.Inspector].do("GET", fmt.Sprintf("/api/v1/people/%d", w.worker.ID), "")
	if _, shown := doc["phone"]; shown {
		t.Fatalf("inspector without territory was shown a phone: %v", doc)
	}
}

func geoJSONSquare(b orb.Bound) string {
	return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`,
		b.Min[0], b.Min[1], b.Max[0], b.Min[1], b.Max[0], b.Max[1], b.Min[0], b.Max[1], b.Min[0], b.Min[1])
}
