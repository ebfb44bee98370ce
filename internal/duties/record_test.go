package duties_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/duties"
)

func TestParticipantEntersAndTheLaneChiefConfirms(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r, err := w.svc.EnterRecord(ctx, w.me, w.record())
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != duties.Pending || r.EnteredAs != "member" || r.Hours != 2.5 || r.CommunityID != w.comA.ID {
		t.Fatalf("entered %+v", r)
	}
	if _, err := w.svc.Confirm(ctx, w.me, r.ID); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("the member confirmed their own record: %v", err)
	}
	if _, err := w.svc.Confirm(ctx, w.laneB, r.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("the lane chief of another community reached the record: %v", err)
	}
	got, err := w.svc.Confirm(ctx, w.laneA, r.ID)
	if err != nil || got.Status != duties.Confirmed || got.DecidedBy != "lane-a" {
		t.Fatalf("confirm: %+v %v", got, err)
	}
	if _, err := w.svc.Return(ctx, w.laneA, r.ID, "重复"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a confirmed record was returned: %v", err)
	}
	m, err := w.svc.Member(ctx, w.me, w.deputy.ID)
	if err != nil || m.LastConfirmed == nil || !m.LastConfirmed.Equal(w.clock.AddDate(0, 0, -1).Truncate(24*time.Hour)) {
		t.Fatalf("member after the confirmation: %+v %v", m, err)
	}
}

func TestWhoEnteredARecordDoesNotConfirmIt(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r, err := w.svc.EnterRecord(ctx, w.laneA, w.record())
	if err != nil {
		t.Fatal(err)
	}
	if r.EnteredAs != "community" {
		t.Fatalf("entered as %q", r.EnteredAs)
	}
	if _, err := w.svc.Confirm(ctx, w.laneA, r.ID); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("the lane chief confirmed what they entered: %v", err)
	}
	if _, err := w.svc.Return(ctx, system, r.ID, ""); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a return without a reason: %v", err)
	}
	got, err := w.svc.Return(ctx, system, r.ID, "地点与描述不符")
	if err != nil || got.Status != duties.Returned || got.ReturnReason != "地点与描述不符" {
		t.Fatalf("return: %+v %v", got, err)
	}
	if _, err := w.svc.Void(ctx, w.me, r.ID, "录错了"); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("the member voided a returned record: %v", err)
	}
	got, err = w.svc.Void(ctx, w.laneA, r.ID, "录错了")
	if err != nil || got.Status != duties.Voided {
		t.Fatalf("void: %+v %v", got, err)
	}
	if _, err := w.svc.Void(ctx, w.laneA, r.ID, "again"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("voided twice: %v", err)
	}
}

// TestBadRecordsWriteNothing checks each refusal names its field and leaves no row behind.
func TestBadRecordsWriteNothing(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	olon, olat := w.outside()
	cases := []struct {
		name  string
		edit  func(*duties.RecordInput)
		code  apperr.Code
		field string
	}{
		{"unknown member", func(r *duties.RecordInput) { r.MemberID = 999999 }, apperr.Invalid, "member_id"},
		{"a party member's record by the deputy", func(r *duties.RecordInput) { r.MemberID = w.party.ID }, apperr.Invalid, "member_id"},
		{"tomorrow in Beijing", func(r *duties.RecordInput) { r.Day = w.clock.AddDate(0, 0, 1).Format(time.DateOnly) }, apperr.Invalid, "day"},
		{"before the membership", func(r *duties.RecordInput) { r.Day = "2024-12-31" }, apperr.Invalid, "day"},
		{"not a date", func(r *duties.RecordInput) { r.Day = "15/06/2026" }, apperr.Invalid, "day"},
		{"zero hours", func(r *duties.RecordInput) { r.Hours = 0 }, apperr.Invalid, "hours"},
		{"negative hours", func(r *duties.RecordInput) { r.Hours = -1 }, apperr.Invalid, "hours"},
		{"more than a day", func(r *duties.RecordInput) { r.Hours = 24.5 }, apperr.Invalid, "hours"},
		{"outside the district", func(r *duties.RecordInput) { r.Lon, r.Lat = olon, olat }, apperr.Invalid, "lon"},
		{"a point and an area", func(r *duties.RecordInput) { r.AreaID = w.area.ID }, apperr.Invalid, "lon"},
		{"no place", func(r *duties.RecordInput) { r.Lon, r.Lat = nil, nil }, apperr.Invalid, "lon"},
		{"unknown area", func(r *duties.RecordInput) { r.Lon, r.Lat, r.AreaID = nil, nil, 999999 }, apperr.Invalid, "area_id"},
		{"unknown kind", func(r *duties.RecordInput) { r.Kind = "dancing" }, apperr.Invalid, "kind"},
		{"no description", func(r *duties.RecordInput) { r.Description = "  " }, apperr.Invalid, "description"},
	}
	records, files := w.count("duty_record"), w.count("duty_file")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := w.record()
			tc.edit(&in)
			_, err := w.svc.EnterRecord(ctx, w.me, in)
			var e *apperr.Error
			if !apperr.Is(err, tc.code) || !errorsAs(err, &e) || e.Fields["field"] != tc.field {
				t.Fatalf("err = %v, want %s on %s", err, tc.code, tc.field)
			}
		})
	}
	if w.count("duty_record") != records || w.count("duty_file") != files {
		t.Fatalf("bad records wrote rows: records %d → %d, files %d → %d", records, w.count("duty_record"), files, w.count("duty_file"))
	}
	in := w.record()
	in.Lon, in.Lat, in.AreaID = nil, nil, w.area.ID
	if r, err := w.svc.EnterRecord(ctx, w.me, in); err != nil || r.AreaName != "甲公园" {
		t.Fatalf("a record at an area: %+v %v", r, err)
	}
}

func TestDutyHistoryIsNeverChangedOrDeleted(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r, err := w.svc.EnterRecord(ctx, w.me, w.record())
	if err != nil {
		t.Fatal(err)
	}
	pool := dbtest.Pool(t)
	for _, q := range []string{`UPDATE duty_record SET hours = 9 WHERE id = $1`, `DELETE FROM duty_record WHERE id = $1`,
		`UPDATE duty_member SET level = 'city' WHERE id = (SELECT member_id FROM duty_record WHERE id = $1)`} {
		// Refused by the history trigger itself, not by some other error on the way.
		if _, err := pool.Exec(ctx, q, r.ID); err == nil || !strings.Contains(err.Error(), "never changed or deleted") {
			t.Errorf("%s: %v", q, err)
		}
	}
}

func TestGeoJSONLeavesOutVoidedAndOthersRecords(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	keep, err := w.svc.EnterRecord(ctx, w.me, w.record())
	if err != nil {
		t.Fatal(err)
	}
	gone, err := w.svc.EnterRecord(ctx, w.me, w.record())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Void(ctx, w.me, gone.ID, "重复录入"); err != nil {
		t.Fatal(err)
	}
	for st, want := range map[duties.Status]int64{duties.Pending: keep.ID, duties.Voided: gone.ID} {
		rs, err := w.svc.ListRecords(ctx, w.laneA, duties.RecordFilter{Status: st})
		if err != nil || len(rs) != 1 || rs[0].ID != want {
			t.Fatalf("%s records: %+v %v, want record %d", st, rs, err, want)
		}
	}
	if _, err := w.svc.ListRecords(ctx, w.laneA, duties.RecordFilter{Status: "lost"}); !apperr.Is(err, apperr.Malformed) {
		t.Fatalf("an unknown status: %v", err)
	}
	for _, tc := range []struct {
		name string
		who  func() duties.RecordFilter
		n    int
	}{{"lane chief of A", nil, 1}, {"lane chief of B", nil, 0}} {
		who := w.laneA
		if tc.name == "lane chief of B" {
			who = w.laneB
		}
		doc, err := w.svc.RecordsGeoJSON(ctx, who, duties.RecordFilter{})
		if err != nil {
			t.Fatal(err)
		}
		fc := decodeFC(t, doc)
		if len(fc.Features) != tc.n {
			t.Fatalf("%s: %d features, want %d", tc.name, len(fc.Features), tc.n)
		}
		if tc.n == 1 && fc.Features[0].ID != float64(keep.ID) {
			t.Fatalf("%s: feature %v, want record %d", tc.name, fc.Features[0].ID, keep.ID)
		}
	}
}
