package cadres

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/registry"
)

func TestBonusTableHasEachCadrePostWithTheMonthsHeldThatYear(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if _, err := w.svc.Record(ctx, w.chief, OpinionInput{Year: 2025, Post: w.firstPost(), Rating: "excellent"}); err != nil {
		t.Fatal(err)
	}
	table, err := w.svc.BonusBasis(ctx, w.chief, 2025, 0)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		person       int64
		role         registry.PostRole
		days, months float64
		joint        bool
	}
	// 1 January to 1 April is 90 days, 2.96 months of 365 days; the rest of the year 275 days.
	wants := []want{
		{w.leader.ID, registry.LinkedLeader, 365, 12, false},
		{w.first.ID, registry.DepartmentLiaison, 90, 3, true},
		{w.second.ID, registry.DepartmentLiaison, 275, 9, true},
	}
	if len(table.Rows) != len(wants) {
		t.Fatalf("%d rows, want %d: %+v", len(table.Rows), len(wants), table.Rows)
	}
	for _, wn := range wants {
		var row *BonusRow
		for i := range table.Rows {
			if table.Rows[i].PersonID == wn.person {
				row = &table.Rows[i]
			}
		}
		if row == nil || row.Role != wn.role || row.DaysHeld != wn.days || row.MonthsHeld != wn.months || (row.JointCases != nil) != wn.joint {
			t.Errorf("person %d: %+v, want %+v", wn.person, row, wn)
			continue
		}
		if row.SubdistrictID != w.sub.ID || row.SubdistrictName != "东街道" || row.Cases != 0 {
			t.Errorf("row %+v", row)
		}
		if (row.Opinion != nil) != (wn.person == w.first.ID) {
			t.Errorf("person %d: opinion %+v", wn.person, row.Opinion)
		}
	}
	if !strings.Contains(table.ScoreBasis, "published quarterly scores") {
		t.Errorf("the table does not say what its score is: %q", table.ScoreBasis)
	}
	// The current year counts up to today: 1 January to 1 March 12:00 is 59.5 days.
	now, err := w.svc.BonusBasis(ctx, w.chief, 2026, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range now.Rows {
		if r.PersonID == w.first.ID || r.DaysHeld != 59.5 {
			t.Errorf("2026: %+v", r)
		}
	}
	if _, err := w.svc.BonusBasis(ctx, w.chief, 2027, 0); codeOf(err) != apperr.Invalid {
		t.Errorf("a future year's table: %v", err)
	}
}

func TestBonusTableXLSXHasTitleNoteAndOneRowPerPost(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if _, err := w.svc.Record(ctx, w.chief, OpinionInput{Year: 2025, Post: w.firstPost(), Rating: "basically_competent", Text: "响应慢"}); err != nil {
		t.Fatal(err)
	}
	table, err := w.svc.BonusBasis(ctx, access.Principal{Role: access.DistrictLeader, Scope: access.Scope{All: true}}, 2025, w.sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang                Lang
		title, head, rating string
	}{{"zh", "2025年度", "街长意见", "基本称职"}, {"en", "2025", "Street chief's opinion", "Basically competent"}} {
		var buf bytes.Buffer
		if err := table.WriteXLSX(&buf, tc.lang); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(f.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3+len(table.Rows) || !strings.Contains(rows[0][0], tc.title) || rows[2][8] != tc.head {
			t.Fatalf("%s: rows %q", tc.lang, rows)
		}
		found := false
		for _, r := range rows[3:] {
			found = found || (len(r) > 9 && r[8] == tc.rating && r[9] == "响应慢")
		}
		if !found {
			t.Errorf("%s: the opinion is not in %q", tc.lang, rows[3:])
		}
	}
}

// The bonus is bound to the subdistrict's assessment: the mean of its published quarters of the year,
// half up (85.00 and 84.99 make 85.00), read through the assessment's published view.
func TestBonusTableCarriesTheSubdistrictsPublishedScore(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	db := dbtest.Pool(t)
	var template int64
	if err := db.QueryRow(ctx, `INSERT INTO assessment_template (period_kind, version, name, effective_from, quarter_share, created_by)
		VALUES ('quarter', 1, '季考', '2025-01-01', 60, 'test') RETURNING id`).Scan(&template); err != nil {
		t.Fatal(err)
	}
	for i, score := range []string{"85.00", "84.99"} {
		var pub int64
		err := db.QueryRow(ctx, `WITH p AS (INSERT INTO assessment_period (kind, label, starts, ends, template_id)
			VALUES ('quarter', $1, $2::date, $2::date + interval '3 months', $3) RETURNING id)
			INSERT INTO assessment_publication (period_id, revision, rules, created_by) SELECT id, 1, '{}', 'test' FROM p RETURNING id`,
			fmt.Sprintf("2025-Q%d", i+1), fmt.Sprintf("2025-%02d-01", 3*i+1), template).Scan(&pub)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO assessment_result (publication_id, subdistrict_id, sheet_total, score, rank) VALUES ($1, $2, $3::numeric, $3::numeric, 1)`,
			pub, w.sub.ID, score); err != nil {
			t.Fatal(err)
		}
	}
	table, err := w.svc.BonusBasis(ctx, w.chief, 2025, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range table.Rows {
		if r.AssessmentScore == nil || *r.AssessmentScore != "85.00" || r.AssessedQuarters != 2 {
			t.Errorf("%s: score %v of %d quarters, want 85.00 of 2", r.PersonName, r.AssessmentScore, r.AssessedQuarters)
		}
	}
}
