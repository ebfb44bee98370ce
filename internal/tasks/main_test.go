package tasks_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/notify"
	"streetchief/internal/registry"
	"streetchief/internal/tasks"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var system = access.System("test")

func rect(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
}

// world is two subdistricts side by side, east (E, communities E1 and E2) and west (W, community
// W1), each 0.01° square, in a patch of the map of its own; a street chief of each, a lane chief of
// E1, a district leader who issues, an assessor, and a clock the test moves.
type world struct {
	t                    testing.TB
	svc                  *tasks.Service
	inbox                *notify.Store
	subE, subW           registry.AdminUnit
	comE1, comE2, comW1  registry.AdminUnit
	areaE, areaW         registry.Area
	x, y                 float64
	chiefE, chiefW, lane access.Principal
	lane2, leader        access.Principal
	assessor             access.Principal
	clock                time.Time
}

var worlds int

func newWorld(t testing.TB) *world {
	t.Helper()
	worlds++
	ctx := context.Background()
	pool := dbtest.Pool(t)
	reg := registry.NewStore(pool)
	w := &world{t: t, x: 100 + 0.1*float64(worlds), y: 30, clock: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	unit := func(level string, parent int64, code, name string, b orb.MultiPolygon) registry.AdminUnit {
		t.Helper()
		u, err := reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: level, ParentID: parent,
			Code: fmt.Sprintf("tk%d-%s", worlds, code), Name: name, Boundary: b})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	person := func(name string) registry.Person {
		t.Helper()
		p, err := reg.CreatePerson(ctx, system, registry.PersonInput{Name: name, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	post := func(unit int64, p registry.Person, role string) {
		t.Helper()
		from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		if _, err := reg.CreateAssignment(ctx, system, registry.AssignmentInput{AdminUnitID: unit, PersonID: p.ID, Role: registry.PostRole(role), Primary: true,
			From: &from}); err != nil {
			t.Fatal(err)
		}
	}
	all := rect(w.x, w.y, w.x+0.02, w.y+0.01)
	city := unit("city", 0, "c", "龙岩市", all)
	dist := unit("district", city.ID, "d", "新罗区", all)
	w.subE = unit("subdistrict", dist.ID, "e", "东城街道", rect(w.x+0.01, w.y, w.x+0.02, w.y+0.01))
	w.subW = unit("subdistrict", dist.ID, "w", "西城街道", rect(w.x, w.y, w.x+0.01, w.y+0.01))
	w.comE1 = unit("community", w.subE.ID, "e1", "东一社区", rect(w.x+0.01, w.y, w.x+0.015, w.y+0.01))
	w.comE2 = unit("community", w.subE.ID, "e2", "东二社区", rect(w.x+0.015, w.y, w.x+0.02, w.y+0.01))
	w.comW1 = unit("community", w.subW.ID, "w1", "西一社区", rect(w.x, w.y, w.x+0.01, w.y+0.01))
	var err error
	if w.areaE, err = reg.CreateArea(ctx, system, registry.AreaInput{Kind: "farmers_market", Name: "东街菜市场", Geom: rect(w.x+0.012, w.y+0.002, w.x+0.013, w.y+0.003)}); err != nil {
		t.Fatal(err)
	}
	if w.areaW, err = reg.CreateArea(ctx, system, registry.AreaInput{Kind: "farmers_market", Name: "西街菜市场", Geom: rect(w.x+0.002, w.y+0.002, w.x+0.003, w.y+0.003)}); err != nil {
		t.Fatal(err)
	}
	chiefE, chiefW, lane, lane2, leader := person("东城街长"), person("西城街长"), person("东一巷长"), person("东二巷长"), person("区督查室")
	post(w.subE.ID, chiefE, "street_chief")
	post(w.subW.ID, chiefW, "street_chief")
	post(w.comE1.ID, lane, "lane_chief")
	post(w.comE2.ID, lane2, "lane_chief")
	w.chiefE = access.Principal{Username: "chief-e", PersonID: chiefE.ID, Role: access.StreetChief,
		Scope: access.Scope{Subdistricts: []int64{w.subE.ID}, Communities: []int64{w.comE1.ID, w.comE2.ID}}}
	w.chiefW = access.Principal{Username: "chief-w", PersonID: chiefW.ID, Role: access.StreetChief,
		Scope: access.Scope{Subdistricts: []int64{w.subW.ID}, Communities: []int64{w.comW1.ID}}}
	w.lane = access.Principal{Username: "lane-e1", PersonID: lane.ID, Role: access.LaneChief, Scope: access.Scope{Communities: []int64{w.comE1.ID}}}
	w.lane2 = access.Principal{Username: "lane-e2", PersonID: lane2.ID, Role: access.LaneChief, Scope: access.Scope{Communities: []int64{w.comE2.ID}}}
	w.leader = access.Principal{Username: "leader", PersonID: leader.ID, Role: access.DistrictLeader, Scope: access.Scope{All: true}}
	w.assessor = access.Principal{Username: "assessor", Role: access.Assessor, Scope: access.Scope{All: true}}
	w.svc = tasks.NewService(pool, nil).WithClock(func() time.Time { return w.clock })
	w.inbox = notify.NewStore(pool)
	return w
}

// inE1 and inW1 are points well inside communities E1 and W1.
func (w *world) inE1() orb.Point { return orb.Point{w.x + 0.0125, w.y + 0.0025} }
func (w *world) inW1() orb.Point { return orb.Point{w.x + 0.0025, w.y + 0.0025} }

func (w *world) at(days float64) time.Time {
	return w.clock.Add(time.Duration(days * 24 * float64(time.Hour)))
}

// issue issues a task to E and W due in days, aimed at E's market.
func (w *world) issue(days float64) tasks.Task {
	w.t.Helper()
	in, err := tasks.DecodeIssue([]byte(fmt.Sprintf(`{"issuer_level":"district","issuing_office":"区委督查室","title":"农贸市场改造",
		"done_when":"市场地面硬化，摊位规范","deadline":%q,"subdistrict_ids":[%d,%d],"area_ids":[%d]}`,
		w.at(days).Format(time.RFC3339), w.subE.ID, w.subW.ID, w.areaE.ID)))
	if err != nil {
		w.t.Fatal(err)
	}
	task, err := w.svc.Issue(context.Background(), w.leader, in)
	if err != nil {
		w.t.Fatal(err)
	}
	return task
}

// breakDown splits sub's part of task into items for coms (0: subdistrict level), each due in days.
func (w *world) breakDown(task tasks.Task, who access.Principal, sub int64, days float64, coms ...int64) []tasks.Item {
	w.t.Helper()
	items := make([]tasks.ItemInput, len(coms))
	d := w.at(days)
	for i, c := range coms {
		items[i] = tasks.ItemInput{CommunityID: c, Text: fmt.Sprintf("第%d项", i+1), Deadline: &d}
	}
	got, err := w.svc.BreakDown(context.Background(), who, task.ID, sub, items)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, p := range got.Parts {
		if p.SubdistrictID == sub {
			return p.Items[len(p.Items)-len(coms):]
		}
	}
	w.t.Fatalf("no part of subdistrict %d", sub)
	return nil
}

func (w *world) report(who access.Principal, item int64, body string) (tasks.Task, error) {
	w.t.Helper()
	r, err := tasks.DecodeReport([]byte(body))
	if err != nil {
		return tasks.Task{}, err
	}
	return w.svc.ReportProgress(context.Background(), who, item, r)
}

// notices answers the kinds of the notices in who's inbox, oldest first.
func (w *world) notices(who access.Principal) []string {
	w.t.Helper()
	box, err := w.inbox.Inbox(context.Background(), who, 0, 200, false, "zh")
	if err != nil {
		w.t.Fatal(err)
	}
	out := []string{}
	for i := len(box.Items) - 1; i >= 0; i-- {
		out = append(out, box.Items[i].Kind)
	}
	return out
}

func item(t tasks.Task, id int64) tasks.Item {
	for _, p := range t.Parts {
		for _, it := range p.Items {
			if it.ID == id {
				return it
			}
		}
	}
	return tasks.Item{}
}

func part(t tasks.Task, sub int64) tasks.Part {
	for _, p := range t.Parts {
		if p.SubdistrictID == sub {
			return p
		}
	}
	return tasks.Part{}
}

func tinyPNG(t testing.TB) string {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
}
