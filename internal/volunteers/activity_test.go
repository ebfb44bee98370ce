package volunteers_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"streetchief/internal/apperr"
	"streetchief/internal/volunteers"
)

// TestTotalsAddUpByCommunityAndMonthAndAgainstTheContract records activities in three communities
// over two months, voids one, and checks the totals against figures summed by hand.
func TestTotalsAddUpByCommunityAndMonthAndAgainstTheContract(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.contract(2026, "1000000")
	a, b := w.volunteer(w.comE1.ID, "甲"), w.volunteer(w.comE1.ID, "乙")
	must := func(body []byte) volunteers.Activity {
		t.Helper()
		act, err := w.record(w.admin, body)
		if err != nil {
			t.Fatal(err)
		}
		return act
	}
	// E1 in May: 2 volunteers + 3 others × 2 h = 10 h; 2 volunteers × 1.5 h = 3 h. E1 in June: 1 × 2 h.
	must(activityJSON(w.org.ID, w.inE1(), "2026-05-04", []int64{a.ID, b.ID}, 3, "2"))
	must(activityJSON(w.org.ID, w.inE1(), "2026-05-31", []int64{a.ID, b.ID}, 0, "1.5"))
	must(activityJSON(w.org.ID, w.inE1(), "2026-06-01", []int64{a.ID}, 0, "2"))
	// E2 in June by area: 10 people × 0.25 h = 2.5 h. W1 in June: 4 × 2 h, voided.
	area := fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%v,%v],[%v,%v],[%v,%v],[%v,%v]]]}`,
		w.x+0.016, w.y+0.001, w.x+0.018, w.y+0.001, w.x+0.018, w.y+0.003, w.x+0.016, w.y+0.001)
	e2 := strings.Replace(string(activityJSON(w.org.ID, w.inE2(), "2026-06-02", nil, 10, "0.25")),
		fmt.Sprintf(`{"type":"Point","coordinates":[%v,%v]}`, w.inE2()[0], w.inE2()[1]), area, 1)
	got := must([]byte(e2))
	if got.CommunityID != w.comE2.ID || got.SubdistrictID != w.subE.ID {
		t.Errorf("the area's activity is placed in %d/%d, want E2 %d", got.SubdistrictID, got.CommunityID, w.comE2.ID)
	}
	voided := must(activityJSON(w.org.ID, w.inW1(), "2026-06-03", nil, 4, "2"))
	if _, err := w.svc.VoidActivity(ctx, w.admin, voided.ID, "重复录入"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.VoidActivity(ctx, w.admin, voided.ID, "again"); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("voiding twice: %v, want a conflict", err)
	}

	tot, err := w.svc.Totals(ctx, w.leader, 2026)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]volunteers.CommunityMonth{
		"东一社区 2026-05": {Activities: 2, Participants: 7, VolunteerHours: 13},
		"东一社区 2026-06": {Activities: 1, Participants: 1, VolunteerHours: 2},
		"东二社区 2026-06": {Activities: 1, Participants: 10, VolunteerHours: 2.5},
	}
	mine := 0
	for _, r := range tot.Rows {
		if r.SubdistrictID != w.subE.ID && r.SubdistrictID != w.subW.ID {
			continue // another test's world
		}
		mine++
		k := r.CommunityName + " " + r.Month
		if wr, ok := want[k]; !ok || wr.Activities != r.Activities || wr.Participants != r.Participants || wr.VolunteerHours != r.VolunteerHours {
			t.Errorf("%s: %+v, want %+v", k, r, wr)
		}
	}
	if mine != len(want) {
		t.Errorf("%d rows of this world, want %d (the voided one left out)", mine, len(want))
	}
	if len(tot.ByMonth) != 12 {
		t.Errorf("%d months, want 12", len(tot.ByMonth))
	}
	for _, k := range tot.Contracts {
		if k.ID == c.ID && k.HoursDelivered != 17.5 {
			t.Errorf("contract delivered %v hours, want 13 + 2 + 2.5 = 17.5", k.HoursDelivered)
		}
	}
	// The lane chief of E1 sees E1's rows only.
	lane, err := w.svc.Totals(ctx, w.lane, 2026)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range lane.Rows {
		if r.CommunityID != w.comE1.ID {
			t.Errorf("lane chief of E1 sees %s", r.CommunityName)
		}
	}
}

func TestChiefsSeeAndRecordOnlyInTheirArea(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ve1, vw1 := w.volunteer(w.comE1.ID, "东一志愿者"), w.volunteer(w.comW1.ID, "西一志愿者")
	mustRecord := func(body []byte) volunteers.Activity {
		t.Helper()
		a, err := w.record(w.admin, body)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	inE1 := mustRecord(activityJSON(w.org.ID, w.inE1(), "2026-06-01", []int64{ve1.ID}, 0, "2"))
	inE2 := mustRecord(activityJSON(w.org.ID, w.inE2(), "2026-06-01", nil, 5, "2"))
	inW1 := mustRecord(activityJSON(w.org.ID, w.inW1(), "2026-06-01", []int64{vw1.ID}, 0, "2"))
	ids := func(list []volunteers.Activity) []int64 {
		out := []int64{}
		for _, a := range list {
			if slices.Contains([]int64{inE1.ID, inE2.ID, inW1.ID}, a.ID) {
				out = append(out, a.ID)
			}
		}
		slices.Sort(out)
		return out
	}
	for _, tc := range []struct {
		name string
		who  func() []int64
		want []int64
	}{
		{"district leader", func() []int64 { l, _ := w.svc.Activities(ctx, w.leader, volunteers.ActivityFilter{}); return ids(l) }, []int64{inE1.ID, inE2.ID, inW1.ID}},
		{"street chief of E", func() []int64 { l, _ := w.svc.Activities(ctx, w.chiefE, volunteers.ActivityFilter{}); return ids(l) }, []int64{inE1.ID, inE2.ID}},
		{"lane chief of E1", func() []int64 { l, _ := w.svc.Activities(ctx, w.lane, volunteers.ActivityFilter{}); return ids(l) }, []int64{inE1.ID}},
	} {
		if got := tc.who(); !slices.Equal(got, tc.want) {
			t.Errorf("%s sees %v, want %v", tc.name, got, tc.want)
		}
	}
	if _, err := w.svc.Activity(ctx, w.lane, inW1.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("lane chief of E1 reads W1's activity: %v, want not found", err)
	}
	if _, err := w.svc.VoidActivity(ctx, w.chiefE, inW1.ID, "x"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("street chief of E voids W1's activity: %v, want not found", err)
	}
	if _, err := w.record(w.leader, activityJSON(w.org.ID, w.inE1(), "2026-06-01", nil, 2, "1")); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("district leader records an activity: %v, want forbidden (the community records)", err)
	}
	if _, err := w.record(w.chiefE, activityJSON(w.org.ID, w.inE2(), "2026-06-01", nil, 2, "1")); err != nil {
		t.Errorf("street chief of E records in E2: %v", err)
	}
	vs, err := w.svc.Volunteers(ctx, w.lane, volunteers.VolunteerFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.CommunityID != w.comE1.ID {
			t.Errorf("lane chief of E1 sees volunteer %s of community %d", v.Name, v.CommunityID)
		}
	}
	if _, err := w.svc.Volunteer(ctx, w.lane, vw1.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("lane chief of E1 reads W1's volunteer (and phone): %v, want not found", err)
	}
	if _, err := w.svc.ChangeMembership(ctx, w.lane, vw1.ID, volunteers.Membership{Kind: "left", On: mustDate(t, "2026-06-01"), Reason: "x"}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("lane chief of E1 ends W1's volunteer: %v, want not found", err)
	}
	// Leaving and joining again keeps both rows; the volunteer is active again.
	if _, err := w.svc.ChangeMembership(ctx, w.lane, ve1.ID, volunteers.Membership{Kind: "left", On: mustDate(t, "2026-04-01"), Reason: "外出务工"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.ChangeMembership(ctx, w.lane, ve1.ID, volunteers.Membership{Kind: "left", On: mustDate(t, "2026-04-02"), Reason: "again"}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("leaving twice: %v, want a conflict", err)
	}
	back, err := w.svc.ChangeMembership(ctx, w.lane, ve1.ID, volunteers.Membership{Kind: "joined", On: mustDate(t, "2026-05-01")})
	if err != nil {
		t.Fatal(err)
	}
	if !back.Active || len(back.Memberships) != 3 || back.JoinedOn.String() != "2026-05-01" {
		t.Errorf("volunteer back: %+v", back)
	}
}

// TestActivityKindsAreTheDatabasesList reads volunteer_activity's kind CHECK and compares it with
// ActivityKinds, so the Go list and the table cannot drift.
func TestActivityKindsAreTheDatabasesList(t *testing.T) {
	w := newWorld(t)
	var def string
	if err := w.pool.QueryRow(context.Background(), `SELECT pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = 'volunteer_activity'::regclass AND pg_get_constraintdef(oid) LIKE '%kind%'`).Scan(&def); err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, m := range regexp.MustCompile(`'([a-z_]+)'`).FindAllStringSubmatch(def, -1) {
		got = append(got, m[1])
	}
	want := []string{}
	for _, k := range volunteers.ActivityKinds {
		want = append(want, string(k))
	}
	if !slices.Equal(got, want) {
		t.Errorf("CHECK allows %v, Go lists %v", got, want)
	}
}

// TestHistoryIsNeverChangedOrDeleted tries to edit and delete the records the issue says are kept.
func TestHistoryIsNeverChangedOrDeleted(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.contract(2026, "1000")
	if _, err := w.svc.Pay(ctx, w.leader, c.ID, volunteers.PaymentInput{PaidOn: "2026-02-01", Yuan: 100}); err != nil {
		t.Fatal(err)
	}
	w.volunteer(w.comE1.ID, "丙")
	if _, err := w.record(w.admin, activityJSON(w.org.ID, w.inE1(), "2026-06-01", nil, 2, "1")); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		`UPDATE volunteer_contract_revision SET fen = 1`, `DELETE FROM volunteer_contract_revision`,
		`UPDATE volunteer_payment SET fen = 1`, `DELETE FROM volunteer_payment`,
		`UPDATE volunteer_membership SET on_date = '2020-01-01'`, `DELETE FROM volunteer_membership`,
		`UPDATE volunteer_activity SET hours_each = 1`, `DELETE FROM volunteer_activity`, `TRUNCATE volunteer_activity CASCADE`,
	} {
		_, err := w.pool.Exec(ctx, sql)
		if err == nil || !strings.Contains(err.Error(), "never changed or deleted") {
			t.Errorf("%s: %v, want refused", sql, err)
		}
	}
}
