package cadres

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/registry"
)

func codeOf(err error) apperr.Code {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae.Code
	}
	return "not an apperr"
}

func TestOpinionIsRefusedUnlessTheCadreHeldThePostThereThatYear(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ok := OpinionInput{Year: 2025, Post: w.firstPost(), Rating: "competent"}
	with := func(f func(*OpinionInput)) OpinionInput { in := ok; f(&in); return in }
	for _, tc := range []struct {
		name string
		in   OpinionInput
		who  access.Principal
		want apperr.Code
	}{
		{"a person with no post", with(func(in *OpinionInput) { in.PersonID = w.outsider.ID }), w.chief, apperr.Invalid},
		{"before the post began", with(func(in *OpinionInput) { in.PersonID = w.second.ID; in.Year = 2024 }), w.chief, apperr.Invalid},
		{"after the post ended", with(func(in *OpinionInput) { in.Year = 2026 }), w.chief, apperr.Invalid},
		{"another department", with(func(in *OpinionInput) { in.DepartmentID = w.dept.ID + 1 }), w.chief, apperr.Invalid},
		{"the city's team, not the district's", with(func(in *OpinionInput) { in.Level = registry.CityLevel }), w.chief, apperr.Invalid},
		{"a future year", with(func(in *OpinionInput) { in.Year = 2027 }), w.chief, apperr.Invalid},
		{"before 2000", with(func(in *OpinionInput) { in.Year = 1999 }), w.chief, apperr.Invalid},
		{"a rating not in the list", with(func(in *OpinionInput) { in.Rating = "good" }), w.chief, apperr.Invalid},
		{"basically competent without a text", with(func(in *OpinionInput) { in.Rating = "basically_competent"; in.Text = "  " }), w.chief, apperr.Invalid},
		{"incompetent without a text", with(func(in *OpinionInput) { in.Rating = "incompetent" }), w.chief, apperr.Invalid},
		{"a text of 2,001 characters", with(func(in *OpinionInput) { in.Text = strings.Repeat("好", 2001) }), w.chief, apperr.Invalid},
		{"a text that is not UTF-8", with(func(in *OpinionInput) { in.Text = "\xff\xfe" }), w.chief, apperr.Malformed},
		{"a post that is no cadre's", with(func(in *OpinionInput) { in.Role = registry.StreetChief }), w.chief, apperr.Invalid},
		{"an unknown person", with(func(in *OpinionInput) { in.PersonID = 1 << 40 }), w.chief, apperr.NotFound},
		{"an unknown subdistrict", with(func(in *OpinionInput) { in.SubdistrictID = 1 << 40 }), system, apperr.NotFound},
		{"the street chief of another subdistrict", with(func(in *OpinionInput) { in.SubdistrictID = w.other.ID }), w.chief, apperr.Forbidden},
		{"a district leader", ok, access.Principal{Role: access.DistrictLeader, Scope: access.Scope{All: true}}, apperr.Forbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := rowCounts(t)
			_, err := w.svc.Record(ctx, tc.who, tc.in)
			if codeOf(err) != tc.want {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
			if after := rowCounts(t); after != before {
				t.Fatalf("a refused opinion wrote: %s → %s", before, after)
			}
		})
	}
	// The edge: 2,000 characters with the lowest-but-one rating is fine.
	in := with(func(in *OpinionInput) { in.Rating = "basically_competent"; in.Text = strings.Repeat("好", 2000) })
	if _, err := w.svc.Record(ctx, w.chief, in); err != nil {
		t.Fatal(err)
	}
}

func TestCorrectionSupersedesTheOpinionAndKeepsBoth(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	first, err := w.svc.Record(ctx, w.chief, OpinionInput{Year: 2025, Post: w.firstPost(), Rating: "competent", Text: "工作认真"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Record(ctx, system, OpinionInput{Year: 2025, Post: w.firstPost(), Rating: "excellent"}); codeOf(err) != apperr.Conflict {
		t.Fatalf("a second first opinion on one post and year: %v, want a conflict", err)
	}
	before := rowCounts(t)
	if _, err := w.svc.Correct(ctx, w.chief, first.ID, Correction{Rating: "excellent", Text: "补充"}); codeOf(err) != apperr.Invalid {
		t.Fatalf("a correction without a reason: %v", err)
	}
	outsider := access.Principal{Role: access.StreetChief, Scope: access.Scope{Subdistricts: []int64{w.other.ID}}}
	if _, err := w.svc.Correct(ctx, outsider, first.ID, Correction{Rating: "excellent", Reason: "改"}); codeOf(err) != apperr.NotFound {
		t.Fatalf("the street chief of another subdistrict corrected: %v", err)
	}
	if after := rowCounts(t); after != before {
		t.Fatalf("refused corrections wrote: %s → %s", before, after)
	}
	second, err := w.svc.Correct(ctx, w.chief, first.ID, Correction{Rating: "basically_competent", Text: "联合执法响应迟缓", Reason: "漏记两次缺席"})
	if err != nil {
		t.Fatal(err)
	}
	if second.Supersedes == nil || *second.Supersedes != first.ID || second.Post != first.Post || second.Year != 2025 {
		t.Fatalf("correction %+v of %+v", second, first)
	}
	if _, err := w.svc.Correct(ctx, w.chief, first.ID, Correction{Rating: "excellent", Reason: "再改"}); codeOf(err) != apperr.Conflict {
		t.Fatalf("correcting a superseded opinion: %v, want a conflict", err)
	}
	list, err := w.svc.Opinions(ctx, w.chief, 2025, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != first.ID || list[0].Standing() || list[1].ID != second.ID || !list[1].Standing() ||
		*list[0].SupersededBy != second.ID || list[1].Reason != "漏记两次缺席" {
		t.Fatalf("history %+v", list)
	}
	// The table shows the standing opinion only, marked as a correction.
	table, err := w.svc.BonusBasis(ctx, w.chief, 2025, 0)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(table.Rows, func(r BonusRow) bool { return r.Post == first.Post })
	if i < 0 || table.Rows[i].Opinion == nil || table.Rows[i].Opinion.ID != second.ID {
		t.Fatalf("table rows %+v", table.Rows)
	}
	// Nothing edits or removes an opinion in place, not even SQL.
	pool := dbtest.Pool(t)
	if _, err := pool.Exec(ctx, `UPDATE cadre_opinion SET rating = 'excellent' WHERE id = $1`, first.ID); err == nil {
		t.Fatal("an opinion was updated in place")
	}
	if _, err := pool.Exec(ctx, `DELETE FROM cadre_opinion WHERE id = $1`, first.ID); err == nil {
		t.Fatal("an opinion was deleted")
	}
}

func TestOpinionsAreReadByThePersonnelOfficeAndTheStreetChiefOnly(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if _, err := w.svc.Record(ctx, w.chief, OpinionInput{Year: 2025, Post: w.firstPost(), Rating: "excellent"}); err != nil {
		t.Fatal(err)
	}
	liaison := access.Principal{Role: access.DepartmentLiaison, PersonID: w.second.ID,
		Scope: access.Scope{Subdistricts: []int64{w.sub.ID}, Departments: []int64{w.dept.ID}}}
	for _, who := range []access.Principal{liaison, {Role: access.Assessor, Scope: access.Scope{All: true}}, {Role: access.Inspector}} {
		if _, err := w.svc.Opinions(ctx, who, 2025, w.sub.ID); codeOf(err) != apperr.Forbidden {
			t.Errorf("%s read opinions: %v", who.Role, err)
		}
		if _, err := w.svc.BonusBasis(ctx, who, 2025, w.sub.ID); codeOf(err) != apperr.Forbidden {
			t.Errorf("%s read the bonus table: %v", who.Role, err)
		}
	}
	outsider := access.Principal{Role: access.StreetChief, Scope: access.Scope{Subdistricts: []int64{w.other.ID}}}
	if list, err := w.svc.Opinions(ctx, outsider, 2025, w.sub.ID); err != nil || len(list) != 0 {
		t.Errorf("the street chief of another subdistrict read %v (%v)", list, err)
	}
	leader := access.Principal{Role: access.DistrictLeader, Scope: access.Scope{All: true}}
	if list, err := w.svc.Opinions(ctx, leader, 2025, w.sub.ID); err != nil || len(list) != 1 {
		t.Errorf("the district leader read %v (%v)", list, err)
	}
}

func TestRatingsAreTheTablesCheck(t *testing.T) {
	pool := dbtest.Pool(t)
	var def string
	if err := pool.QueryRow(context.Background(), `SELECT pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = 'cadre_opinion'::regclass AND conname = 'cadre_opinion_rating_check'`).Scan(&def); err != nil {
		t.Fatal(err)
	}
	for _, r := range Ratings {
		if !strings.Contains(def, "'"+string(r)+"'") {
			t.Errorf("rating %s is not in %s", r, def)
		}
	}
	if strings.Count(def, "'") != 2*len(Ratings) {
		t.Errorf("the CHECK allows other ratings than Go's: %s", def)
	}
	var roles string
	if err := pool.QueryRow(context.Background(), `SELECT pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = 'cadre_opinion'::regclass AND conname = 'cadre_opinion_role_check'`).Scan(&roles); err != nil {
		t.Fatal(err)
	}
	if strings.Count(roles, "'") != 2*len(CadrePosts) {
		t.Errorf("cadre posts %v, CHECK %s", CadrePosts, roles)
	}
	for _, r := range CadrePosts {
		if !strings.Contains(roles, "'"+string(r)+"'") {
			t.Errorf("post %s is not in %s", r, roles)
		}
	}
}
