package access_test

import (
	"context"
	"slices"
	"testing"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// rows are places in a district of two subdistricts (1, 2) with communities 11, 12 in 1 and 21 in 2;
// the last row lies in no unit at all (an area outside the district's boundaries).
var rows = []struct {
	name             string
	sub, com         int64 // 0: NULL
	wantBySub1       bool
	wantByCom12      bool
	wantBySub2Com11  bool
	wantByEmptyScope bool
}{
	{"community 11 of subdistrict 1", 1, 11, true, false, true, false},
	{"community 12 of subdistrict 1", 1, 12, true, true, false, false},
	{"community 21 of subdistrict 2", 2, 21, false, false, true, false},
	{"subdistrict 1, no community", 1, 0, true, false, false, false},
	{"in no unit", 0, 0, false, false, false, false},
}

// TestPredicateAgreesWithInScope runs each scope's SQL predicate in PostgreSQL over the rows and
// checks it selects exactly the rows InScope admits, so the Go rule and the SQL rule cannot drift.
func TestPredicateAgreesWithInScope(t *testing.T) {
	db := dbtest.Pool(t)
	scopes := []struct {
		name  string
		scope access.Scope
		want  func(i int) bool
	}{
		{"whole district", access.Scope{All: true}, func(int) bool { return true }},
		{"street chief of subdistrict 1", access.Scope{Subdistricts: []int64{1}}, func(i int) bool { return rows[i].wantBySub1 }},
		{"lane chief of community 12", access.Scope{Communities: []int64{12}}, func(i int) bool { return rows[i].wantByCom12 }},
		{"subdistrict 2 and community 11", access.Scope{Subdistricts: []int64{2}, Communities: []int64{11}},
			func(i int) bool { return rows[i].wantBySub2Com11 }},
		{"no scope (nil lists)", access.Scope{}, func(i int) bool { return rows[i].wantByEmptyScope }},
		{"no scope (empty lists)", access.Scope{Subdistricts: []int64{}, Communities: []int64{}},
			func(i int) bool { return rows[i].wantByEmptyScope }},
	}
	for _, sc := range scopes {
		t.Run(sc.name, func(t *testing.T) {
			// One leading parameter of the caller's own shows the predicate numbers its parameters after it.
			where, args := sc.scope.Predicate("sub", "com", []any{int64(-1)})
			var got []int32
			q := `SELECT i FROM (VALUES (0, 1::bigint, 11::bigint), (1, 1, 12), (2, 2, 21), (3, 1, NULL), (4, NULL, NULL))
				AS r(i, sub, com) WHERE i <> $1 AND ` + where + ` ORDER BY i`
			rs, err := db.Query(context.Background(), q, args...)
			if err != nil {
				t.Fatalf("predicate %q: %v", where, err)
			}
			for rs.Next() {
				var i int32
				if err := rs.Scan(&i); err != nil {
					t.Fatal(err)
				}
				got = append(got, i)
			}
			if err := rs.Err(); err != nil {
				t.Fatal(err)
			}
			for i, r := range rows {
				inSQL := slices.Contains(got, int32(i))
				if inSQL != sc.want(i) {
					t.Errorf("%s: SQL predicate selects it = %v, want %v", r.name, inSQL, sc.want(i))
				}
				if inGo := sc.scope.InScope(r.sub, r.com); inGo != sc.want(i) {
					t.Errorf("%s: InScope = %v, want %v", r.name, inGo, sc.want(i))
				}
			}
		})
	}
}

func TestParseRole(t *testing.T) {
	for _, r := range access.Roles {
		got, err := access.ParseRole(string(r))
		if err != nil || got != r {
			t.Errorf("ParseRole(%q) = %q, %v", r, got, err)
		}
	}
	for _, bad := range []string{"", "public", "Admin", "street chief", "root"} {
		if _, err := access.ParseRole(bad); err == nil {
			t.Errorf("ParseRole(%q) accepted a role no account may hold", bad)
		}
	}
}

func TestSignedInAndLabel(t *testing.T) {
	anon := access.Anonymous("req-1")
	if anon.SignedIn() {
		t.Error("the anonymous principal counts as signed in")
	}
	if (access.Principal{}).SignedIn() {
		t.Error("a zero principal counts as signed in")
	}
	if !access.System("migrate").SignedIn() || !access.System("migrate").Scope.All {
		t.Error("a system principal must act over the whole district")
	}
	tok := access.Principal{Username: "hotline", Role: access.Admin, TokenID: 7}
	if got := tok.Label(); got != "hotline (token 7)" {
		t.Errorf("token label = %q", got)
	}
	if got := anon.Label(); got != "anonymous" {
		t.Errorf("anonymous label = %q", got)
	}
}

func TestWhoMayChange(t *testing.T) {
	for _, r := range access.Roles {
		p := access.Principal{Role: r}
		wantField := r == access.Admin || r == access.StreetChief || r == access.LaneChief
		if p.CanChangeFieldData() != wantField {
			t.Errorf("%s: CanChangeFieldData = %v", r, p.CanChangeFieldData())
		}
		if p.CanChangeRegistry() != (r == access.Admin) {
			t.Errorf("%s: CanChangeRegistry = %v", r, p.CanChangeRegistry())
		}
	}
}
