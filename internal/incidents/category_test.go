package incidents_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
)

var categorySeq atomic.Int64

// newCategories adds a 大类 and one 小类 under it, with codes no other test uses.
func newCategories(t *testing.T, w *world) (parent, child incidents.Category) {
	t.Helper()
	ctx := context.Background()
	n := categorySeq.Add(1)
	parent, err := w.svc.CreateCategory(ctx, system, incidents.CategoryInput{Code: fmt.Sprintf("t%d", n), NameZh: "测试大类",
		NameEn: "Test group", AckHours: 2, StartHours: 8, ResolveHours: 48})
	if err != nil {
		t.Fatal(err)
	}
	child, err = w.svc.CreateCategory(ctx, system, incidents.CategoryInput{Code: fmt.Sprintf("t%d-01", n), Parent: parent.Code,
		NameZh: "暴露垃圾", NameEn: "Exposed garbage", Departments: []string{"urban_management", "environment"},
		AckHours: 1, StartHours: 2, ResolveHours: 4, AfterPhotoRequired: true})
	if err != nil {
		t.Fatal(err)
	}
	return parent, child
}

func TestAdminAddsRenamesAndRetiresCategoriesWithHistory(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	parent, child := newCategories(t, w)
	if child.Parent != parent.Code || !child.Selectable || strings.Join(child.Departments, ",") != "urban_management,environment" ||
		!child.AfterPhotoRequired || child.Escalation != incidents.Stepwise {
		t.Fatalf("created %+v", child)
	}
	if got, err := w.svc.Category(ctx, parent.Code); err != nil || got.Selectable {
		t.Fatalf("a 大类 with subcategories is selectable: %+v %v", got, err)
	}
	if _, err := w.svc.CreateCategory(ctx, w.asStreet, incidents.CategoryInput{Code: "x1", NameZh: "甲", NameEn: "A", AckHours: 1, StartHours: 1, ResolveHours: 1}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("a street chief added a category: %v", err)
	}
	for name, in := range map[string]incidents.CategoryInput{
		"three levels":       {Code: child.Code + "-x", Parent: child.Code, NameZh: "甲", NameEn: "A", AckHours: 1, StartHours: 1, ResolveHours: 1},
		"unknown parent":     {Code: "t-orphan", Parent: "nope", NameZh: "甲", NameEn: "A", AckHours: 1, StartHours: 1, ResolveHours: 1},
		"unknown dept":       {Code: "t-dept", NameZh: "甲", NameEn: "A", Departments: []string{"nope"}, AckHours: 1, StartHours: 1, ResolveHours: 1},
		"bad code":           {Code: "T:1", NameZh: "甲", NameEn: "A", AckHours: 1, StartHours: 1, ResolveHours: 1},
		"existing code":      {Code: child.Code, NameZh: "甲", NameEn: "A", AckHours: 1, StartHours: 1, ResolveHours: 1},
		"zero hours":         {Code: "t-zero", NameZh: "甲", NameEn: "A", AckHours: 0, StartHours: 1, ResolveHours: 1},
		"unknown escalation": {Code: "t-esc", NameZh: "甲", NameEn: "A", AckHours: 1, StartHours: 1, ResolveHours: 1, Escalation: "mayor"},
	} {
		if _, err := w.svc.CreateCategory(ctx, system, in); apperr.CodeOf(err) != apperr.Invalid && apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("%s: %v", name, err)
		}
	}

	zh, en := "暴露垃圾(含垃圾桶满溢)", "Exposed garbage or overflowing bins"
	renamed, err := w.svc.PatchCategory(ctx, system, child.Code, incidents.CategoryPatch{NameZh: &zh, NameEn: &en})
	if err != nil || renamed.NameZh != zh || renamed.NameEn != en || renamed.ResolveHours != 4 || len(renamed.Departments) != 2 {
		t.Fatalf("renamed %+v %v", renamed, err)
	}
	var before, after string
	if err := dbtest.Pool(t).QueryRow(ctx, `SELECT before->>'name_zh', after->>'name_zh' FROM audit_log
		WHERE target_type = 'incident_category' AND action = 'update' AND after->>'code' = $1 ORDER BY id DESC LIMIT 1`, child.Code).
		Scan(&before, &after); err != nil || before != "暴露垃圾" || after != zh {
		t.Fatalf("rename not in the audit log: %q → %q %v", before, after, err)
	}

	if _, err := w.svc.RetireCategory(ctx, system, child.Code, ""); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("retired without a reason: %v", err)
	}
	retired, err := w.svc.RetireCategory(ctx, system, parent.Code, "merged into 01 市容环境")
	if err != nil || retired.RetiredAt == nil || retired.Selectable {
		t.Fatalf("retired %+v %v", retired, err)
	}
	if c, err := w.svc.Category(ctx, child.Code); err != nil || c.RetiredAt == nil || c.RetiredReason != "merged into 01 市容环境" {
		t.Fatalf("retiring a 大类 left its 小类 active: %+v %v", c, err)
	}
	if _, err := w.svc.RetireCategory(ctx, system, parent.Code, "again"); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("retired twice: %v", err)
	}
	active, err := w.svc.Catalogue(ctx, incidents.CatalogueQuery{})
	if err != nil {
		t.Fatal(err)
	}
	all, err := w.svc.Catalogue(ctx, incidents.CatalogueQuery{IncludeRetired: true})
	if err != nil {
		t.Fatal(err)
	}
	if has(active, child.Code) || !has(all, child.Code) || !has(all, parent.Code) {
		t.Fatalf("retired shown in the active catalogue, or missing from the full one")
	}
}

func has(cats []incidents.Category, code string) bool {
	for _, c := range cats {
		if c.Code == code {
			return true
		}
	}
	return false
}

func TestRetiredCategoryTakesNoNewIncidentsButOldOnesKeepIt(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	parent, child := newCategories(t, w)
	old := w.report(child.Code, w.inA())

	lon, lat := w.inA()[0], w.inA()[1]
	in, err := incidents.IntakeFields{Category: parent.Code, Lon: &lon, Lat: &lat}.Intake(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.svc.Report(ctx, access.Anonymous("t"), in, incidents.IdempotencyKey{}); apperr.CodeOf(err) != apperr.Invalid ||
		!strings.Contains(err.Error(), "subcategories") {
		t.Fatalf("filed under a 大类: %v", err)
	}

	if _, err := w.svc.RetireCategory(ctx, system, child.Code, "no longer used"); err != nil {
		t.Fatal(err)
	}
	in.Category = child.Code
	if _, _, err := w.svc.Report(ctx, access.Anonymous("t"), in, incidents.IdempotencyKey{}); apperr.CodeOf(err) != apperr.Invalid ||
		!strings.Contains(err.Error(), "retired") {
		t.Fatalf("filed under a retired category: %v", err)
	}
	if got := w.get(old.ID); got.Category != child.Code {
		t.Fatalf("old incident lost its category: %q", got.Category)
	}
	// The old incident still moves through the workflow with its category's clocks.
	if _, err := w.svc.Transition(ctx, w.asLane, old.ID, incidents.TransitionInput{To: incidents.InProgress}); err != nil {
		t.Fatalf("old incident of a retired category cannot move on: %v", err)
	}
	for _, c := range mustCategories(t, w) {
		if c.Code == child.Code || c.Code == parent.Code {
			t.Fatalf("retired or group category %s offered as an Open311 service", c.Code)
		}
	}
}

func mustCategories(t *testing.T, w *world) []incidents.Category {
	t.Helper()
	cats, err := w.svc.Categories(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cats
}

func TestCategoryDeadlineChangeAppliesToNewIncidents(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	_, child := newCategories(t, w)
	first := w.report(child.Code, w.inMarket()) // the area manager holds it: assigned, on the start clock
	if first.Status != incidents.Assigned || !first.DueAt.Equal(first.ReportedAt.Add(2*time.Hour)) {
		t.Fatalf("first due %v, reported %v", first.DueAt, first.ReportedAt)
	}
	six := 6
	if _, err := w.svc.PatchCategory(ctx, system, child.Code, incidents.CategoryPatch{StartHours: &six}); err != nil {
		t.Fatal(err)
	}
	second := w.report(child.Code, offset(w.inMarket(), 60))
	if !second.DueAt.Equal(second.ReportedAt.Add(6 * time.Hour)) {
		t.Fatalf("second due %v, reported %v: the new deadline was not applied", second.DueAt, second.ReportedAt)
	}
	if got := w.get(first.ID); !got.DueAt.Equal(*first.DueAt) {
		t.Fatalf("the change moved an existing incident's due time: %v", got.DueAt)
	}
}

func TestEmergencyCategoryEscalatesStraightToTheStreetChief(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	_, child := newCategories(t, w)
	esc := incidents.ToStreetChief
	if _, err := w.svc.PatchCategory(ctx, system, child.Code, incidents.CategoryPatch{Escalation: &esc}); err != nil {
		t.Fatal(err)
	}
	rc := w.report(child.Code, w.inMarket())
	if rc.EscalationLevel != incidents.LevelAreaManager {
		t.Fatalf("reported at level %d", rc.EscalationLevel)
	}
	if _, err := w.svc.EscalateOverdue(ctx, w.clock.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got := w.get(rc.ID)
	if got.EscalationLevel != incidents.LevelStreetChief || got.AssigneePersonID != w.street.ID || got.Status != incidents.Escalated {
		t.Fatalf("escalated to level %d person %d status %s; want the street chief %d", got.EscalationLevel, got.AssigneePersonID, got.Status, w.street.ID)
	}
}

func TestCategoryJSONNamesItsParentAndRetirement(t *testing.T) {
	c := incidents.Category{Code: "01-01", Parent: "01", NameZh: "暴露垃圾", NameEn: "Exposed garbage", Departments: []string{}}
	b, err := json.Marshal(c)
	if err != nil || !strings.Contains(string(b), `"parent":"01"`) || strings.Contains(string(b), "retired_at") {
		t.Fatalf("%s %v", b, err)
	}
}
