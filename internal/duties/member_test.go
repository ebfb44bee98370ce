package duties_test

import (
	"context"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/duties"
	"streetchief/internal/registry"
)

func TestMembershipsAreRegisteredInScopeAndEndedNotDeleted(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	p, err := registry.NewStore(dbtest.Pool(t)).CreatePerson(ctx, system, registry.PersonInput{Name: "政协委员丙", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	members := w.count("duty_member")
	for _, tc := range []struct {
		name string
		who  access.Principal
		in   duties.MemberInput
		code apperr.Code
	}{
		{"unknown person", w.laneA, duties.MemberInput{PersonID: 999999, Type: duties.CPPCCMember, Level: "city", CommunityID: w.comA.ID}, apperr.Invalid},
		{"unknown type", w.laneA, duties.MemberInput{PersonID: p.ID, Type: "mayor", Level: "city", CommunityID: w.comA.ID}, apperr.Invalid},
		{"a deputy without a community", w.laneA, duties.MemberInput{PersonID: p.ID, Type: duties.CPPCCMember, Level: "city", UnitName: "某单位"}, apperr.Invalid},
		{"a subdistrict for a community", w.laneA, duties.MemberInput{PersonID: p.ID, Type: duties.CPPCCMember, Level: "city", CommunityID: w.sub.ID}, apperr.Invalid},
		{"another community", w.laneB, duties.MemberInput{PersonID: p.ID, Type: duties.CPPCCMember, Level: "city", CommunityID: w.comA.ID}, apperr.Forbidden},
		{"a participant registers", w.me, duties.MemberInput{PersonID: p.ID, Type: duties.CPPCCMember, Level: "city", CommunityID: w.comA.ID}, apperr.Forbidden},
		{"twice the same", w.laneA, duties.MemberInput{PersonID: w.deputy.PersonID, Type: duties.PeoplesCongressDeputy, Level: "city", CommunityID: w.comA.ID}, apperr.Conflict},
	} {
		if _, err := w.svc.AddMember(ctx, tc.who, tc.in); !apperr.Is(err, tc.code) {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.code)
		}
	}
	if w.count("duty_member") != members {
		t.Fatal("refused registrations wrote rows")
	}
	m, err := w.svc.AddMember(ctx, w.chief, duties.MemberInput{PersonID: p.ID, Type: duties.CPPCCMember, Level: "city", CommunityID: w.comB.ID, From: "2026-01-01"})
	if err != nil || m.SubdistrictID != w.sub.ID || !m.Current {
		t.Fatalf("register: %+v %v", m, err)
	}
	if _, err := w.svc.EndMember(ctx, w.laneA, m.ID, time.Time{}, "换届"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("the lane chief of another community ended it: %v", err)
	}
	ended, err := w.svc.EndMember(ctx, w.laneB, m.ID, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), "换届")
	if err != nil || ended.Current || ended.Until == nil || ended.EndReason != "换届" {
		t.Fatalf("end: %+v %v", ended, err)
	}
	if _, err := w.svc.EndMember(ctx, w.laneB, m.ID, time.Time{}, "again"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("ended twice: %v", err)
	}
	in := w.record()
	in.MemberID = m.ID
	if _, err := w.svc.EnterRecord(ctx, w.laneB, in); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a record after the membership ended: %v", err)
	}
	// Ended, the person may be registered again.
	if _, err := w.svc.AddMember(ctx, w.laneB, duties.MemberInput{PersonID: p.ID, Type: duties.CPPCCMember, Level: "district", CommunityID: w.comB.ID}); err != nil {
		t.Fatal(err)
	}
}

func TestARenewedPledgeKeepsTheOneBefore(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if _, err := w.svc.SignPledge(ctx, w.laneA, w.deputy.ID, duties.PledgeInput{SignedOn: "2026-06-16", Items: []string{"带头"}}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a pledge signed tomorrow: %v", err)
	}
	if _, err := w.svc.SignPledge(ctx, w.laneA, w.deputy.ID, duties.PledgeInput{SignedOn: "2026-01-05"}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a pledge of nothing: %v", err)
	}
	if _, err := w.svc.SignPledge(ctx, w.me, w.deputy.ID, duties.PledgeInput{SignedOn: "2026-01-05", Items: []string{"带头"}}); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("the member recorded their own pledge: %v", err)
	}
	if _, err := w.svc.SignPledge(ctx, w.laneA, w.deputy.ID, duties.PledgeInput{SignedOn: "2025-01-05", Items: []string{"带头文明出行"},
		Scan: "data:application/pdf;base64,JVBERi0xLjQK"}); err != nil {
		t.Fatal(err)
	}
	m, _ := w.svc.Member(ctx, w.laneA, w.deputy.ID)
	if m.PledgeCurrent {
		t.Fatal("a pledge that ran out in January is in force in June")
	}
	if _, err := w.svc.SignPledge(ctx, w.laneA, w.deputy.ID, duties.PledgeInput{SignedOn: "2026-01-06", Items: []string{"带头文明出行", "每月走访"}}); err != nil {
		t.Fatal(err)
	}
	ps, err := w.svc.Pledges(ctx, w.me, w.deputy.ID)
	if err != nil || len(ps) != 2 || !ps[0].Current || ps[1].Current || !ps[1].HasScan {
		t.Fatalf("pledges: %+v %v", ps, err)
	}
	scan, err := w.svc.PledgeScan(ctx, w.me, ps[1].ID)
	if err != nil || scan.ContentType != "application/pdf" {
		t.Fatalf("scan: %v %v", scan.ContentType, err)
	}
	if _, err := w.svc.PledgeScan(ctx, w.laneB, ps[1].ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another community's lane chief read the scan: %v", err)
	}
}
