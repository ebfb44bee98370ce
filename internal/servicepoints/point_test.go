package servicepoints_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/servicepoints"
)

func TestCreatedPointIsPlacedAndKeepsItsContactInScope(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	p, err := w.svc.Create(ctx, w.lane, w.input(w.inA()), time.Time{}, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.SubdistrictID != w.sub.ID || p.CommunityID != w.comA.ID || p.Status != servicepoints.Open || !p.InScope {
		t.Fatalf("placed %+v, want subdistrict %d community %d open in scope", p.Place, w.sub.ID, w.comA.ID)
	}
	for name, who := range map[string]access.Principal{"public": access.Anonymous("r"), "lane chief of A": w.lane, "street chief": w.chief} {
		got, err := w.svc.Get(ctx, who, p.ID)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		wantContact := name != "public"
		if (got.ContactPhone != "") != wantContact || (len(got.Revisions) > 0) != wantContact {
			t.Errorf("%s: contact %q, %d revisions; want contact and revisions %v", name, got.ContactPhone, len(got.Revisions), wantContact)
		}
		if len(got.Statuses) != 1 {
			t.Errorf("%s: %d status changes, want 1", name, len(got.Statuses))
		}
	}
}

func TestBadInputIsRefusedAndNothingWritten(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	neg, big := -1, 100001
	cases := []struct {
		name  string
		who   access.Principal
		edit  func(*servicepoints.Input)
		code  apperr.Code
		field string
	}{
		{"outside the district", w.chief, func(in *servicepoints.Input) { in.Location = orb.Point{w.x - 1, w.y} }, apperr.Invalid, "location"},
		{"unknown type", w.chief, func(in *servicepoints.Input) { in.Type = "casino" }, apperr.Invalid, "type"},
		{"capacity below zero", w.chief, func(in *servicepoints.Input) { in.Capacity = &neg }, apperr.Invalid, "capacity"},
		{"capacity too large", w.chief, func(in *servicepoints.Input) { in.Capacity = &big }, apperr.Invalid, "capacity"},
		{"weekday 8", w.chief, func(in *servicepoints.Input) { in.Hours[0].Weekdays = []int{8} }, apperr.Invalid, "hours"},
		{"hour 25", w.chief, func(in *servicepoints.Input) { in.Hours[0].Opens = "25:00" }, apperr.Invalid, "hours"},
		{"opens when it closes", w.chief, func(in *servicepoints.Input) { in.Hours[0].Closes = "16:30" }, apperr.Invalid, "hours"},
		{"control characters", w.chief, func(in *servicepoints.Input) { in.Name = "四点半\x00学校" }, apperr.Invalid, "name"},
		{"invalid UTF-8", w.chief, func(in *servicepoints.Input) { in.Address = "\xff\xfe" }, apperr.Invalid, "address"},
		{"script as phone", w.chief, func(in *servicepoints.Input) { in.ContactPhone = "<script>alert(1)</script>" }, apperr.Invalid, "contact_phone"},
		{"name too long", w.chief, func(in *servicepoints.Input) { in.Name = strings.Repeat("长", 201) }, apperr.Invalid, "name"},
		{"no name", w.chief, func(in *servicepoints.Input) { in.Name = " " }, apperr.Invalid, "name"},
		{"outside the lane chief's community", w.lane, func(in *servicepoints.Input) { in.Location = w.inB() }, apperr.Forbidden, ""},
		{"an assessor", access.Principal{Role: access.Assessor, Scope: access.Scope{All: true}}, func(*servicepoints.Input) {}, apperr.Forbidden, ""},
	}
	before := counts(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := w.input(w.inA())
			c.edit(&in)
			_, err := w.svc.Create(ctx, c.who, in, time.Time{}, "")
			if apperr.CodeOf(err) != c.code {
				t.Fatalf("got %v, want %s", err, c.code)
			}
			var e *apperr.Error
			if c.field != "" && (!errorAs(err, &e) || e.Fields["field"] != c.field) {
				t.Errorf("field of %v, want %s", err, c.field)
			}
		})
	}
	if _, err := w.svc.Create(ctx, w.chief, w.input(w.inA()), time.Now().AddDate(0, 0, 2), ""); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("opened in the future: %v", err)
	}
	if after := counts(t); after != before {
		t.Errorf("rows %v before, %v after refusals", before, after)
	}
}

func TestParseHoursRefusesMalformedJSON(t *testing.T) {
	for _, raw := range []string{`{"weekdays":[1]}`, `[{"weekdays":[1],"opens":"9:00","closes":"12:00"}]`, `[{"weekdays":[],"opens":"09:00","closes":"12:00"}]`,
		`[{"weekdays":[1],"opens":"09:00","closes":"12:00","extra":1}]`, `[{"weekdays":"1-5","opens":"09:00","closes":"12:00"}]`} {
		if _, err := servicepoints.ParseHours(json.RawMessage(raw)); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("%s: %v, want invalid", raw, err)
		}
	}
	ws, err := servicepoints.ParseHours(json.RawMessage(`[{"weekdays":[5],"opens":"22:00","closes":"06:00"}]`))
	if err != nil {
		t.Fatal(err)
	}
	sat1am := time.Date(2026, 12, 5, 1, 0, 0, 0, time.FixedZone("CST", 8*3600)) // a Saturday
	if !servicepoints.OpenAt(ws, sat1am) || servicepoints.OpenAt(ws, sat1am.Add(6*time.Hour)) {
		t.Error("a Friday night window should cover Saturday 01:00 and not 07:00")
	}
}

func TestRevisionsAndStatusesAreKeptNeverEdited(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	p, err := w.svc.Create(ctx, w.chief, w.input(w.inA()), time.Now().AddDate(-1, 0, 0), "opened with the school year")
	if err != nil {
		t.Fatal(err)
	}
	name := "红坊社区四点半课堂"
	if _, err := w.svc.Revise(ctx, w.chief, p.ID, servicepoints.Patch{Name: &name}); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("a revision without a reason: %v", err)
	}
	moved := w.inB()
	if _, err := w.svc.Revise(ctx, w.lane, p.ID, servicepoints.Patch{Location: &moved, Reason: "moved"}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("lane chief moving it out of their community: %v", err)
	}
	p2, err := w.svc.Revise(ctx, w.lane, p.ID, servicepoints.Patch{Name: &name, Reason: "renamed by the community"})
	if err != nil || p2.Name != name || p2.ContactPhone != "0597-2345678" {
		t.Fatalf("revised %+v, %v", p2, err)
	}
	if _, err := w.svc.SetStatus(ctx, w.chief, p.ID, servicepoints.Open, time.Time{}, "again"); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("opening an open point: %v", err)
	}
	closed, err := w.svc.SetStatus(ctx, w.chief, p.ID, servicepoints.Closed, time.Now().AddDate(0, -1, 0), "the room is being refitted")
	if err != nil || closed.Status != servicepoints.Closed {
		t.Fatalf("closing: %+v %v", closed, err)
	}
	if _, err := w.svc.Get(ctx, access.Anonymous("r"), p.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("the public sees a closed point: %v", err)
	}
	if _, err := w.svc.SetStatus(ctx, w.chief, p.ID, servicepoints.Open, time.Now().AddDate(0, -2, 0), "back"); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("reopening before it closed: %v", err)
	}
	if _, err := w.svc.SetStatus(ctx, w.chief, p.ID, servicepoints.Open, time.Time{}, "refit done"); err != nil {
		t.Fatal(err)
	}
	got, err := w.svc.Get(ctx, w.chief, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Revisions) != 2 || got.Revisions[0].Name != "红坊四点半学校" || len(got.Statuses) != 3 || got.Statuses[1].Reason != "the room is being refitted" {
		t.Errorf("history: %d revisions %+v, %d statuses %+v", len(got.Revisions), got.Revisions, len(got.Statuses), got.Statuses)
	}
	pool := dbtest.Pool(t)
	for _, sql := range []string{`UPDATE service_point_revision SET name = 'x' WHERE point_id = $1`, `DELETE FROM service_point_status WHERE point_id = $1`,
		`DELETE FROM service_point WHERE id = $1`} {
		// Refused by the history trigger itself, not by some other error on the way.
		if _, err := pool.Exec(ctx, sql, p.ID); err == nil || !strings.Contains(err.Error(), "never changed or deleted") {
			t.Errorf("%s: %v", sql, err)
		}
	}
}

func TestListFiltersAndRefusesUnknownUnits(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a, err := w.svc.Create(ctx, w.chief, w.input(w.inA()), time.Time{}, "")
	if err != nil {
		t.Fatal(err)
	}
	in := w.input(w.inB())
	in.Type = servicepoints.MothersRoom
	b, err := w.svc.Create(ctx, w.chief, in, time.Time{}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.SetStatus(ctx, w.chief, b.ID, servicepoints.Closed, time.Time{}, "closed"); err != nil {
		t.Fatal(err)
	}
	ids := func(who access.Principal, f servicepoints.Filter) []int64 {
		t.Helper()
		f.SubdistrictID = w.sub.ID
		ps, err := w.svc.List(ctx, who, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	if got := ids(access.Anonymous("r"), servicepoints.Filter{}); len(got) != 1 || got[0] != a.ID {
		t.Errorf("public sees %v, want only the open %d", got, a.ID)
	}
	if got := ids(w.chief, servicepoints.Filter{}); len(got) != 2 {
		t.Errorf("street chief sees %v, want both", got)
	}
	if got := ids(w.lane, servicepoints.Filter{}); len(got) != 1 {
		t.Errorf("lane chief of A sees %v, want only A's (B's is closed and not theirs)", got)
	}
	if got := ids(w.chief, servicepoints.Filter{Type: servicepoints.MothersRoom}); len(got) != 1 || got[0] != b.ID {
		t.Errorf("type filter: %v", got)
	}
	if got := ids(w.chief, servicepoints.Filter{Status: servicepoints.Closed}); len(got) != 1 || got[0] != b.ID {
		t.Errorf("status filter: %v", got)
	}
	bb := orb.Bound{Min: orb.Point{w.x, w.y}, Max: orb.Point{w.x + 0.01, w.y + 0.01}}
	if got := ids(w.chief, servicepoints.Filter{BBox: &bb}); len(got) != 1 || got[0] != a.ID {
		t.Errorf("bbox filter: %v", got)
	}
	for _, f := range []servicepoints.Filter{{SubdistrictID: w.comA.ID}, {SubdistrictID: 1 << 50}, {CommunityID: w.sub.ID}, {Type: "nope"}, {Status: "gone"}} {
		if _, err := w.svc.List(ctx, w.chief, f); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("filter %+v: %v, want invalid", f, err)
		}
	}
}

func TestTypesAreAddedAndRetiredByAdministrators(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	admin := access.System("admin")
	if _, err := w.svc.AddType(ctx, w.chief, servicepoints.Type{Code: "reading_room", NameZh: "阅览室", NameEn: "Reading room", GapDistanceM: 1000}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("street chief adding a type: %v", err)
	}
	before := counts(t)
	for _, bad := range []servicepoints.Type{{Code: "Reading Room", NameZh: "阅", NameEn: "R", GapDistanceM: 1000},
		{Code: "reading_room", NameZh: "", NameEn: "R", GapDistanceM: 1000}, {Code: "reading_room", NameZh: "阅", NameEn: "R", GapDistanceM: 10},
		{Code: "reading_room", NameZh: "阅", NameEn: "R", GapDistanceM: 1000, Colour: "red"}, {Code: "after_school", NameZh: "阅", NameEn: "R", GapDistanceM: 1000}} {
		if _, err := w.svc.AddType(ctx, admin, bad); err == nil {
			t.Errorf("%+v was added", bad)
		}
	}
	if after := counts(t); after != before {
		t.Errorf("rows %v before, %v after refusals", before, after)
	}
	code := "reading_room_" + strings.ReplaceAll(t.Name(), "Test", "")[:3]
	code = strings.ToLower(code)
	if _, err := w.svc.AddType(ctx, admin, servicepoints.Type{Code: code, NameZh: "阅览室", NameEn: "Reading room", GapDistanceM: 1200}); err != nil {
		t.Fatal(err)
	}
	in := w.input(w.inA())
	in.Type = code
	if _, err := w.svc.Create(ctx, w.chief, in, time.Time{}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.RetireType(ctx, admin, code, ""); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("retiring without a reason: %v", err)
	}
	if _, err := w.svc.RetireType(ctx, admin, code, "merged into 爱心驿站"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.RetireType(ctx, admin, code, "again"); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("retiring twice: %v", err)
	}
	if _, err := w.svc.Create(ctx, w.chief, in, time.Time{}, ""); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("a point of a retired type: %v", err)
	}
	if _, err := dbtest.Pool(t).Exec(ctx, `DELETE FROM service_point_type WHERE code = $1`, code); err == nil {
		t.Error("a type was deleted")
	}
}
