package operations_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/operations"
	"streetchief/internal/registry"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var system = access.System("test")

func rect(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
}

// world is two subdistricts side by side, east (E) and west (W), each 0.01° square with one
// community, in a patch of the map of its own; a street chief of each, a lane chief in E, two
// department liaisons of E (departments 1 and 2), people to take part, and a clock the test moves.
type world struct {
	t                 testing.TB
	store             *operations.Store
	inc               *incidents.Service
	reg               *registry.Store
	subE, subW, comE  registry.AdminUnit
	areaE, areaW      registry.Area
	x, y              float64
	commander, member registry.Person
	chiefE, chiefW    access.Principal
	lane, liaison1    access.Principal
	liaison2, leader  access.Principal
	clock             time.Time
}

var worlds int

func newWorld(t testing.TB) *world {
	t.Helper()
	worlds++
	ctx := context.Background()
	pool := dbtest.Pool(t)
	reg := registry.NewStore(pool)
	w := &world{t: t, reg: reg, x: 110 + 0.1*float64(worlds), y: 28, clock: time.Date(2026, 6, 1, 9, 0, 0, 0, operations.Beijing)}
	unit := func(level string, parent int64, code, name string, b orb.MultiPolygon) registry.AdminUnit {
		t.Helper()
		u, err := reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: level, ParentID: parent,
			Code: fmt.Sprintf("op%d-%s", worlds, code), Name: name, Boundary: b})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	all := rect(w.x, w.y, w.x+0.02, w.y+0.01)
	city := unit("city", 0, "c", "龙岩市", all)
	dist := unit("district", city.ID, "d", "新罗区", all)
	w.subE = unit("subdistrict", dist.ID, "e", "东城街道", rect(w.x+0.01, w.y, w.x+0.02, w.y+0.01))
	w.subW = unit("subdistrict", dist.ID, "w", "西城街道", rect(w.x, w.y, w.x+0.01, w.y+0.01))
	w.comE = unit("community", w.subE.ID, "ce", "东社区", rect(w.x+0.01, w.y, w.x+0.02, w.y+0.01))
	unit("community", w.subW.ID, "cw", "西社区", rect(w.x, w.y, w.x+0.01, w.y+0.01))
	var err error
	if w.areaE, err = reg.CreateArea(ctx, system, registry.AreaInput{Kind: "commercial_street", Name: "东街", Geom: rect(w.x+0.012, w.y+0.002, w.x+0.014, w.y+0.004)}); err != nil {
		t.Fatal(err)
	}
	if w.areaW, err = reg.CreateArea(ctx, system, registry.AreaInput{Kind: "commercial_street", Name: "西街", Geom: rect(w.x+0.002, w.y+0.002, w.x+0.004, w.y+0.004)}); err != nil {
		t.Fatal(err)
	}
	if w.commander, err = reg.CreatePerson(ctx, system, registry.PersonInput{Name: "指挥甲", Phone: "13900000001", Active: true}); err != nil {
		t.Fatal(err)
	}
	if w.member, err = reg.CreatePerson(ctx, system, registry.PersonInput{Name: "队员乙", Phone: "13900000002", Active: true}); err != nil {
		t.Fatal(err)
	}
	// The commander holds a post in E, so E's callers may see their phone and W's may not.
	if _, err := reg.CreateAssignment(ctx, system, registry.AssignmentInput{AdminUnitID: w.subE.ID, PersonID: w.commander.ID,
		Role: "department_liaison", DepartmentID: 1, Primary: true}); err != nil {
		t.Fatal(err)
	}
	w.chiefE = access.Principal{Username: "chief-e", Role: access.StreetChief, Scope: access.Scope{Subdistricts: []int64{w.subE.ID}, Communities: []int64{w.comE.ID}}}
	w.chiefW = access.Principal{Username: "chief-w", Role: access.StreetChief, Scope: access.Scope{Subdistricts: []int64{w.subW.ID}}}
	w.lane = access.Principal{Username: "lane-e", Role: access.LaneChief, Scope: access.Scope{Communities: []int64{w.comE.ID}}}
	w.liaison1 = access.Principal{Username: "liaison-1", Role: access.DepartmentLiaison, Scope: access.Scope{Subdistricts: []int64{w.subE.ID}, Departments: []int64{1}}}
	w.liaison2 = access.Principal{Username: "liaison-2", Role: access.DepartmentLiaison, Scope: access.Scope{Subdistricts: []int64{w.subE.ID}, Departments: []int64{2}}}
	w.leader = access.Principal{Username: "leader", Role: access.DistrictLeader, Scope: access.Scope{All: true}}
	engine := lookup.New(reg)
	if err := engine.Load(ctx); err != nil {
		t.Fatal(err)
	}
	w.inc = incidents.NewService(pool, engine, incidents.Options{})
	w.store = operations.NewStore(pool, reg, w.inc, nil).WithClock(func() time.Time { return w.clock })
	return w
}

// inE and inW are points well inside each subdistrict.
func (w *world) inE(dx float64) orb.Point { return orb.Point{w.x + 0.013 + dx, w.y + 0.005} }
func (w *world) inW(dx float64) orb.Point { return orb.Point{w.x + 0.003 + dx, w.y + 0.005} }

// shops adds n shops at p with plain SQL: the register's own methods are not the subject here.
func (w *world) shops(n int, p orb.Point) []int64 {
	w.t.Helper()
	var ids []int64
	if err := dbtest.Pool(w.t).QueryRow(context.Background(), `WITH s AS (INSERT INTO merchant (name, location)
		SELECT '店' || g, ST_SetSRID(ST_MakePoint($2 + g * 0.000001, $3), 4326) FROM generate_series(1, $1) g RETURNING id)
		SELECT array_agg(id ORDER BY id) FROM s`, n, p[0], p[1]).Scan(&ids); err != nil {
		w.t.Fatal(err)
	}
	return ids
}

// incident reports a case at p through the intake, reported at the clock's time (as far as the
// database's now() allows: the row's reported_at is set to the clock afterwards).
func (w *world) incident(p orb.Point) int64 {
	w.t.Helper()
	in, err := incidents.DecodeIntakeJSON([]byte(fmt.Sprintf(`{"category":"street_occupying","lon":%f,"lat":%f,"description":"占道经营"}`, p[0], p[1])))
	if err != nil {
		w.t.Fatal(err)
	}
	rc, _, err := w.inc.Report(context.Background(), system, in, incidents.IdempotencyKey{})
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := dbtest.Pool(w.t).Exec(context.Background(), `UPDATE incident SET reported_at = $2 WHERE id = $1`, rc.ID, w.clock); err != nil {
		w.t.Fatal(err)
	}
	return rc.ID
}

// plan is a valid operation in E from tomorrow 09:00 for three hours, as JSON fields, with extra
// fields merged in.
func (w *world) plan(extra map[string]any) []byte {
	start := w.clock.Add(24 * time.Hour)
	doc := map[string]any{"title": "东街占道经营整治", "kind": "planned", "subdistrict_id": w.subE.ID,
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(3 * time.Hour).Format(time.RFC3339),
		"briefing": "重点整治东街店外经营", "department_ids": []int64{1, 2},
		"people":   []map[string]any{{"person_id": w.commander.ID, "role": "commander"}, {"person_id": w.member.ID, "role": "member"}},
		"area_ids": []int64{w.areaE.ID}}
	for k, v := range extra {
		if v == nil {
			delete(doc, k)
			continue
		}
		doc[k] = v
	}
	b, err := json.Marshal(doc)
	if err != nil {
		w.t.Fatal(err)
	}
	return b
}

func (w *world) create(who access.Principal, body []byte) (operations.Operation, error) {
	in, err := operations.DecodeCreate(body)
	if err != nil {
		return operations.Operation{}, err
	}
	return w.store.Create(context.Background(), who, in)
}

func (w *world) mustCreate(body []byte) operations.Operation {
	w.t.Helper()
	op, err := w.create(w.chiefE, body)
	if err != nil {
		w.t.Fatal(err)
	}
	return op
}

// rowCounts counts the operation tables and the audit log, to prove a refusal wrote nothing.
func rowCounts(t *testing.T) string {
	t.Helper()
	var s string
	err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT concat_ws(' ', (SELECT count(*) FROM operation),
		(SELECT count(*) FROM operation_department), (SELECT count(*) FROM operation_person), (SELECT count(*) FROM operation_area),
		(SELECT count(*) FROM operation_merchant), (SELECT count(*) FROM operation_incident), (SELECT count(*) FROM operation_outcome),
		(SELECT count(*) FROM operation_outcome_shop), (SELECT count(*) FROM operation_revision), (SELECT count(*) FROM audit_log))`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
