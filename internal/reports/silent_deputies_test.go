package reports_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/duties"
	"streetchief/internal/registry"
	"streetchief/internal/reports"
)

// TestSilentDeputiesAgainstAHandCountedFixture links five members to a community: one confirmed 10
// days ago (not silent), one whose only record is pending (silent), one with a confirmed record 91
// days ago (silent at 90, not at 100), one linked 30 days ago (too new to be silent) and one whose
// membership ended (no longer linked). Its file sorts after gaps_test.go, whose check of the demo
// city must meet no fixture.
func TestSilentDeputiesAgainstAHandCountedFixture(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	reg := registry.NewStore(pool)
	x, y := 119.7, 27.2
	_, com := squareCommunity(t, reg, x, y, "sd", "履街道", "履社区")
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	clock := now
	svc := duties.NewService(pool, nil).WithClock(func() time.Time { return clock })
	day := func(daysAgo int) string { return now.AddDate(0, 0, -daysAgo).Format(time.DateOnly) }
	member := func(name string, from string) duties.Member {
		t.Helper()
		p, err := reg.CreatePerson(ctx, admin, registry.PersonInput{Name: name, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		m, err := svc.AddMember(ctx, admin, duties.MemberInput{PersonID: p.ID, Type: duties.PeoplesCongressDeputy, Level: "district", CommunityID: com.ID, From: from})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	lon, lat := x+0.005, y+0.005
	record := func(m duties.Member, daysAgo int, confirm bool) {
		t.Helper()
		r, err := svc.EnterRecord(ctx, admin, duties.RecordInput{MemberID: m.ID, Day: day(daysAgo), Kind: "home_visit", Lon: &lon, Lat: &lat,
			Description: "走访", Hours: 1})
		if err != nil {
			t.Fatal(err)
		}
		if confirm {
			lane := access.Principal{UserID: -1, Username: "lane", Role: access.LaneChief, Scope: access.Scope{Communities: []int64{com.ID}}}
			if _, err := svc.Confirm(ctx, lane, r.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	active, pending, lapsed := member("勤", day(400)), member("未确认", day(400)), member("九十一天", day(400))
	member("新任", day(30))
	ended := member("卸任", day(400))
	record(active, 10, true)
	record(pending, 5, false)
	record(lapsed, 91, true)
	if _, err := svc.EndMember(ctx, admin, ended.ID, now.AddDate(0, 0, -1).Truncate(24*time.Hour), "任期届满"); err != nil {
		t.Fatal(err)
	}
	rs := reports.NewService(pool)
	for _, tc := range []struct {
		days int
		want []int64
	}{{0, []int64{pending.ID, lapsed.ID}}, {100, []int64{pending.ID}}} {
		rep, err := rs.Gaps(ctx, admin, reports.Query{Scope: reports.Scope{Level: "community", ID: com.ID}, At: now,
			Kinds: []string{reports.KindSilentDeputies}, SilentDays: tc.days})
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, g := range rep.Silent {
			got = append(got, g.MemberID)
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Fatalf("silent_days %d: silent members %v, want %v (%+v)", tc.days, got, tc.want, rep.Silent)
		}
		for _, pt := range rep.PrintTables(reports.Chinese) {
			if pt.Kind == reports.KindSilentDeputies && len(pt.Rows) != len(tc.want) {
				t.Fatalf("silent_days %d: the printed table has %d rows, want %d", tc.days, len(pt.Rows), len(tc.want))
			}
		}
	}
	lane2 := access.Principal{Role: access.LaneChief, Scope: access.Scope{Communities: []int64{com.ID + 1000000}}}
	rep, err := rs.Gaps(ctx, lane2, reports.Query{Scope: reports.Scope{Level: "district"}, At: now, Kinds: []string{reports.KindSilentDeputies}})
	if err != nil || len(rep.Silent) != 0 {
		t.Fatalf("a lane chief elsewhere sees %d silent members (%v)", len(rep.Silent), err)
	}
}
