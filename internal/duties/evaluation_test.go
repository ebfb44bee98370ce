package duties_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/xuri/excelize/v2"

	"streetchief/internal/apperr"
	"streetchief/internal/duties"
)

func TestGradeBandsOfTheDefaultTemplate(t *testing.T) {
	w := newWorld(t)
	tmpl, err := w.svc.TemplateFor(context.Background(), 2025)
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, it := range tmpl.Items {
		sum += it.MaxPoints
	}
	if sum != 100 {
		t.Fatalf("the default template's items add up to %v", sum)
	}
	for _, tc := range []struct {
		total float64
		want  duties.Grade
	}{{100, duties.Excellent}, {90, duties.Excellent}, {89.99, duties.Qualified}, {60, duties.Qualified}, {59.5, duties.BasicallyQualified},
		{50, duties.BasicallyQualified}, {49.99, duties.Unqualified}, {0, duties.Unqualified}} {
		if got := tmpl.GradeOf(tc.total); got != tc.want {
			t.Errorf("GradeOf(%v) = %s, want %s", tc.total, got, tc.want)
		}
	}
}

// full scores every item of the template at its maximum less off.
func full(t *testing.T, w *world, year int, off float64) map[string]float64 {
	t.Helper()
	tmpl, err := w.svc.TemplateFor(context.Background(), year)
	if err != nil {
		t.Fatal(err)
	}
	s := map[string]float64{}
	for i, it := range tmpl.Items {
		s[it.Code] = it.MaxPoints
		if i == 0 {
			s[it.Code] -= off
		}
	}
	return s
}

func TestEvaluationIsComputedAndCorrectedOnlyByARevision(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	evals := func() int { return w.count("duty_evaluation") }
	before := evals()
	bad := []struct {
		name string
		in   duties.EvaluationInput
		code apperr.Code
	}{
		{"a deputy is not evaluated", duties.EvaluationInput{MemberID: w.deputy.ID, Year: 2025, Scores: full(t, w, 2025, 0)}, apperr.Invalid},
		{"an item left out", duties.EvaluationInput{MemberID: w.party.ID, Year: 2025, Scores: map[string]float64{"example": 20}}, apperr.Invalid},
		{"over an item's points", duties.EvaluationInput{MemberID: w.party.ID, Year: 2025, Scores: full(t, w, 2025, -1)}, apperr.Invalid},
		{"an unknown item", duties.EvaluationInput{MemberID: w.party.ID, Year: 2025, Scores: func() map[string]float64 {
			s := full(t, w, 2025, 0)
			s["bonus"] = 1
			return s
		}()}, apperr.Invalid},
		{"a year not begun", duties.EvaluationInput{MemberID: w.party.ID, Year: 2027, Scores: full(t, w, 2025, 0)}, apperr.Invalid},
		{"before the membership", duties.EvaluationInput{MemberID: w.party.ID, Year: 2024, Scores: full(t, w, 2024, 0)}, apperr.Invalid},
	}
	for _, tc := range bad {
		if _, err := w.svc.Evaluate(ctx, w.chief, tc.in); !apperr.Is(err, tc.code) {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.code)
		}
	}
	if _, err := w.svc.Evaluate(ctx, w.laneB, duties.EvaluationInput{MemberID: w.party.ID, Year: 2025, Scores: full(t, w, 2025, 0)}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("the lane chief of another community evaluated: %v", err)
	}
	if evals() != before {
		t.Fatalf("refused evaluations wrote %d rows", evals()-before)
	}
	e, err := w.svc.Evaluate(ctx, w.chief, duties.EvaluationInput{MemberID: w.party.ID, Year: 2025, Scores: full(t, w, 2025, 12.5), Notes: "带头参与志愿服务"})
	if err != nil || e.Total != 87.5 || e.Grade != duties.Qualified || e.Revision != 1 || e.Evaluator != "chief" {
		t.Fatalf("evaluation: %+v %v", e, err)
	}
	if _, err := w.svc.Evaluate(ctx, w.chief, duties.EvaluationInput{MemberID: w.party.ID, Year: 2025, Scores: full(t, w, 2025, 0)}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a second evaluation without a reason: %v", err)
	}
	e2, err := w.svc.Evaluate(ctx, w.chief, duties.EvaluationInput{MemberID: w.party.ID, Year: 2025, Scores: full(t, w, 2025, 2), Reason: "补记第四季度志愿服务"})
	if err != nil || e2.Revision != 2 || e2.Grade != duties.Excellent || e2.Total != 98 {
		t.Fatalf("revision: %+v %v", e2, err)
	}
	hist, err := w.svc.EvaluationHistory(ctx, w.leader, w.party.ID, 2025)
	if err != nil || len(hist) != 2 || hist[1].Total != 87.5 {
		t.Fatalf("history keeps both: %+v %v", hist, err)
	}
	list, err := w.svc.Evaluations(ctx, w.laneA, duties.EvaluationFilter{Year: 2025})
	if err != nil || len(list) != 1 || list[0].Revision != 2 {
		t.Fatalf("the standing evaluation: %+v %v", list, err)
	}
	// A year already evaluated keeps its template: a new version begins after it.
	tmpl := duties.Template{Name: "新版考评表", EffectiveYear: 2025, ExcellentMin: 85, QualifiedMin: 60, BasicMin: 50,
		Items: []duties.TemplateItem{{Code: "a", NameZh: "甲", NameEn: "A", MaxPoints: 60}, {Code: "b", NameZh: "乙", NameEn: "B", MaxPoints: 40}}}
	if _, err := w.svc.CreateTemplate(ctx, w.leader, tmpl); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a template for an evaluated year: %v", err)
	}
	tmpl.Items[1].MaxPoints = 30
	tmpl.EffectiveYear = 2026
	if _, err := w.svc.CreateTemplate(ctx, w.leader, tmpl); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a template adding up to 90: %v", err)
	}
	tmpl.Items[1].MaxPoints = 40
	if _, err := w.svc.CreateTemplate(ctx, w.chief, tmpl); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("a street chief keeps the template: %v", err)
	}
	if _, err := w.svc.CreateTemplate(ctx, w.leader, tmpl); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.svc.TemplateFor(ctx, 2026); got.Name != "新版考评表" || got.GradeOf(86) != duties.Excellent {
		t.Fatalf("2026 is scored on %+v", got)
	}
	if got, _ := w.svc.TemplateFor(ctx, 2025); got.Name == "新版考评表" {
		t.Fatal("2025 changed its template")
	}

	var buf bytes.Buffer
	if err := w.svc.WriteAppraisalXLSX(ctx, w.laneA, &buf, w.party.ID, 2025, "zh"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("履职考评")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	for _, r := range rows {
		if len(r) >= 3 && r[0] == "总分" {
			found["total"] = r[2]
		}
		if len(r) >= 2 && r[0] == "等次" {
			found["grade"] = r[1]
		}
	}
	if found["total"] != "98" || found["grade"] != "优秀" {
		t.Fatalf("appraisal sheet: %v (%v)", found, rows)
	}
	buf.Reset()
	if err := w.svc.WriteSelectionXLSX(ctx, w.leader, &buf, duties.EvaluationFilter{Year: 2025, CommunityID: w.comA.ID}, "en"); err != nil {
		t.Fatal(err)
	}
	f, err = excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err = f.GetRows("Civilised-unit selection")
	if err != nil || len(rows) < 3 || rows[2][1] != "党员乙" || rows[2][5] != "Excellent" {
		t.Fatalf("selection sheet: %v %v", rows, err)
	}
}
