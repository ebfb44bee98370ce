package lookup_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

// TestAPointsAnswerListsItsSubdistrictsPostsAsTheMatrixDoes: asked for them, the answer at a point
// in the demo city names every post over its subdistrict that the fixed-posts matrix names — the
// departments' leaders and responsible people, linked leaders, cross-appointees — with level,
// department and deputy mark, phones only for callers in scope; without asking, none.
func TestAPointsAnswerListsItsSubdistrictsPostsAsTheMatrixDoes(t *testing.T) {
	e := loadedEngine(t)
	ctx := context.Background()
	pool := dbtest.Pool(t)
	var sub int64
	var x, y float64
	if err := pool.QueryRow(ctx, `SELECT id, ST_X(ST_PointOnSurface(boundary)), ST_Y(ST_PointOnSurface(boundary))
		FROM admin_unit WHERE level = 'subdistrict' ORDER BY id LIMIT 1`).Scan(&sub, &x, &y); err != nil {
		t.Fatal(err)
	}
	chief := access.Principal{Role: access.StreetChief, Username: "c", Scope: access.Scope{Subdistricts: []int64{sub}}}
	m, err := registry.NewStore(pool).DepartmentMatrix(ctx, chief, time.Time{})
	if err != nil || len(m.Subdistricts) != 1 {
		t.Fatalf("matrix: %v, %d columns", err, len(m.Subdistricts))
	}
	type key struct {
		person int64
		role   registry.PostRole
		level  registry.Level
		dept   string
		deputy bool
	}
	var want []key
	add := func(ps []registry.PostHolder) {
		for _, p := range ps {
			want = append(want, key{p.PersonID, p.Role, p.Level, p.Department, !p.Primary})
		}
	}
	add(m.Subdistricts[0].LinkedLeaders)
	add(m.Subdistricts[0].CrossAppointees)
	for _, r := range m.Departments {
		add(r.Cells[0].Leaders)
		add(r.Cells[0].Responsible)
	}
	for _, who := range []access.Principal{chief, access.Anonymous("")} {
		a, err := e.Answer(lookup.Query{Point: orb.Point{x, y}, Who: who, SubdistrictPosts: true})
		if err != nil {
			t.Fatal(err)
		}
		if a.Subdistrict == nil || a.Subdistrict.ID != sub {
			t.Fatalf("the point lies in %+v, want subdistrict %d", a.Subdistrict, sub)
		}
		var got []key
		levels := map[registry.PostRole]bool{}
		for _, p := range a.Subdistrict.Posts {
			got = append(got, key{p.PersonID, p.Role, p.Level, p.Department, p.Deputy})
			levels[p.Role] = true
			if (p.Phone != "") != (who.Role == access.StreetChief) {
				t.Errorf("%s: %s's phone %q", who.Role, p.Name, p.Phone)
			}
		}
		cmpKey := func(a, b key) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) }
		w := slices.Clone(want)
		slices.SortFunc(w, cmpKey)
		slices.SortFunc(got, cmpKey)
		if !slices.Equal(got, w) {
			t.Errorf("%s: the answer's posts\n%v\nwant the matrix's\n%v", who.Role, got, w)
		}
		if !levels[registry.DepartmentLeader] || !levels[registry.LinkedLeader] {
			t.Errorf("the demo subdistrict's answer lacks leaders: %v", levels)
		}
	}
	a, err := e.Answer(lookup.Query{Point: orb.Point{x, y}, Who: chief})
	if err != nil || len(a.Subdistrict.Posts) != 0 {
		t.Fatalf("posts given without asking: %v, %v", a.Subdistrict.Posts, err)
	}
}
