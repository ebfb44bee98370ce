package duties_test

import (
	"context"
	"regexp"
	"slices"
	"testing"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/duties"
)

// TestChecksMatchTheGoLists reads the CHECK constraints of migration 0040 back from PostgreSQL and
// compares their lists with the Go ones, so a value added on one side only fails here.
func TestChecksMatchTheGoLists(t *testing.T) {
	pool := dbtest.Pool(t)
	quoted := regexp.MustCompile(`'([a-z_]+)'`)
	values := func(constraint string) []string {
		t.Helper()
		var def string
		if err := pool.QueryRow(context.Background(), `SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = $1`, constraint).Scan(&def); err != nil {
			t.Fatalf("%s: %v", constraint, err)
		}
		var out []string
		for _, m := range quoted.FindAllStringSubmatch(def, -1) {
			out = append(out, m[1])
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	strs := func(xs ...string) []string {
		slices.Sort(xs)
		return xs
	}
	var roles, types, levels, grades []string
	for _, r := range access.Roles {
		roles = append(roles, string(r))
	}
	for _, m := range duties.MemberTypes {
		types = append(types, string(m))
	}
	for _, l := range duties.Levels {
		levels = append(levels, string(l))
	}
	for _, g := range duties.Grades {
		grades = append(grades, string(g))
	}
	for _, tc := range []struct {
		constraint string
		want       []string
	}{
		{"app_user_role_check", strs(roles...)},
		{"duty_member_member_type_check", strs(types...)},
		{"duty_member_level_check", strs(levels...)},
		{"duty_evaluation_grade_check", strs(grades...)},
	} {
		if got := values(tc.constraint); !slices.Equal(got, tc.want) {
			t.Errorf("%s allows %v, the Go list is %v", tc.constraint, got, tc.want)
		}
	}
}
