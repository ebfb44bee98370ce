package incidents

import (
	"testing"
	"time"
)

// TestEveryLiaisonsSubdistrictKeepsAJointCaseOpen: when the clock the demo is loaded at has closed
// every joint case of a subdistrict, its latest one is held in joint enforcement, its later steps
// dropped; a subdistrict that has an open one, or none that went there, is left alone.
func TestEveryLiaisonsSubdistrictKeepsAJointCaseOpen(t *testing.T) {
	now := time.Date(2026, 12, 7, 13, 40, 0, 0, time.UTC)
	at := func(h int) time.Time { return now.Add(-time.Duration(h) * time.Hour) }
	cat := Category{Code: "05-02", ResolveHours: 24, StartHours: 4}
	in := func(sub int64) routing { return routing{subdistrict: &Ref{ID: sub}} }
	through := func(sub int64, h int, end Status) demoIncident {
		return demoIncident{cat: cat, rt: in(sub), reported: at(h), status: end, departments: []int64{1}, events: []demoEvent{
			{at: at(h), kind: "reported", to: Assigned},
			{at: at(h - 1), kind: "transition", from: Assigned, to: Escalated},
			{at: at(h - 2), kind: "transition", from: Escalated, to: JointEnforcement},
			{at: at(h - 5), kind: "transition", from: JointEnforcement, to: Resolved},
			{at: at(h - 6), kind: "verification"},
			{at: at(h - 6), kind: "transition", from: Resolved, to: Closed},
		}}
	}
	plan := []demoIncident{
		through(1, 100, Closed), // subdistrict 1: two closed joint cases, the later one is held
		through(1, 50, Closed),
		through(2, 40, Closed), // subdistrict 2 has an open one already
		{cat: cat, rt: in(2), reported: at(30), status: JointEnforcement, departments: []int64{1},
			events: []demoEvent{{at: at(30), kind: "transition", to: JointEnforcement}}},
		{cat: cat, rt: in(3), reported: at(20), status: Closed}, // subdistrict 3: none went to joint enforcement
	}
	holdJointOpen(plan, map[int64][]int64{1: {7}, 2: {7}, 3: {7}}, now)

	held := plan[1]
	if held.status != JointEnforcement || len(held.events) != 3 || !held.updated.Equal(at(48)) {
		t.Fatalf("subdistrict 1's later case: %s with %d events, updated %s; want joint_enforcement, 3, %s",
			held.status, len(held.events), held.updated, at(48))
	}
	if held.due == nil || !held.due.Equal(at(48).Add(24*time.Hour)) || !held.overdue {
		t.Fatalf("held case due %v overdue %v; want its stage's 24 h from %s, overdue", held.due, held.overdue, at(48))
	}
	if plan[0].status != Closed || len(plan[0].events) != 6 {
		t.Fatal("subdistrict 1's earlier case changed")
	}
	if plan[2].status != Closed || plan[4].status != Closed {
		t.Fatal("a subdistrict with an open joint case, or none that went there, changed")
	}
	if got := latestJoint(plan); len(got) != 2 || got[1] != 1 || got[2] != 3 {
		t.Fatalf("open joint cases by subdistrict %v, want 1→1, 2→3", got)
	}
}
