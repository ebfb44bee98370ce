package assessment_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"streetchief/internal/assessment"
	"streetchief/internal/policy"
)

func score(t *testing.T, s string) *policy.Score {
	t.Helper()
	v, err := policy.ParseScore(json.Number(s))
	if err != nil {
		t.Fatal(err)
	}
	return &v
}

// publishedQuarter is a quarter's second revision with a reward and a penalty, one item amended.
func publishedQuarter(t *testing.T) assessment.Result {
	t.Helper()
	p, err := assessment.ParsePeriod("quarter", "2026-Q1")
	if err != nil {
		t.Fatal(err)
	}
	items := []assessment.Item{
		{Code: "closure", NameZH: "结案率", NameEN: "Closure rate", MaxPoints: *score(t, "60"), Source: assessment.Computed},
		{Code: "inspection", NameZH: "季度实地检查", NameEN: "Quarterly field check", MaxPoints: *score(t, "40"), Source: assessment.Entered},
	}
	line := func(code string, pts *policy.Score) assessment.Line { return assessment.Line{Code: code, Points: pts} }
	return assessment.Result{
		Period: p, State: "published", Revision: 2,
		Sheet: assessment.Sheet{Kind: assessment.Quarter, Version: 1, Name: "季度考评细则", Items: items},
		Revisions: []assessment.Revision{
			{Revision: 1, PublishedAt: time.Date(2026, 4, 3, 2, 0, 0, 0, time.UTC), PublishedBy: "leader"},
			{Revision: 2, PublishedAt: time.Date(2026, 4, 9, 2, 0, 0, 0, time.UTC), PublishedBy: "leader", Reason: "复核实地检查记录"},
		},
		AsOf: time.Date(2026, 4, 10, 1, 0, 0, 0, time.UTC),
		Rows: []assessment.Row{
			{SubdistrictID: 1, Name: "东城街道", Rank: 1, Score: *score(t, "85.01"), SheetTotal: *score(t, "86.00"), MonthsAverage: score(t, "83.53"),
				Lines: []assessment.Line{line("closure", score(t, "50")), line("inspection", score(t, "36"))},
				Outcomes: []assessment.Outcome{{Kind: "reward", Rule: "reward_top3", Yuan: 500000,
					Text: "ranked 1st with 85.01, above 85", TextZH: "排名第1，得分85.01，高于85分"}}},
			{SubdistrictID: 2, Name: "<西城>街道", Rank: 2, Score: *score(t, "69.99"), SheetTotal: *score(t, "70.00"), MonthsAverage: score(t, "69.97"),
				Lines: []assessment.Line{line("closure", score(t, "40")), line("inspection", nil)},
				Outcomes: []assessment.Outcome{{Kind: "penalty", Rule: "penalty_last", Yuan: -200000,
					Text: "last with 69.99, below 70", TextZH: "排名末位，得分69.99，低于70分"}}},
		},
	}
}

func TestResultWorkbookHoldsRankingOutcomesAndEveryItem(t *testing.T) {
	for _, lang := range []assessment.Lang{"zh", "en"} {
		t.Run(string(lang), func(t *testing.T) {
			var buf bytes.Buffer
			if err := publishedQuarter(t).WriteXLSX(&buf, lang); err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			sheets := f.GetSheetList()
			if len(sheets) != 2 {
				t.Fatalf("sheets %v, want ranking and items", sheets)
			}
			rows, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 5 {
				t.Fatalf("ranking rows %q", rows)
			}
			first, second := rows[3], rows[4]
			wantReason, wantPenalty := "排名第1，得分85.01，高于85分", "扣减"
			if lang == "en" {
				wantReason, wantPenalty = "ranked 1st with 85.01, above 85", "Deduction"
			}
			if first[0] != "1" || first[1] != "东城街道" || first[2] != "85.01" || first[3] != "86" || first[4] != "83.53" || first[6] != "500000" || first[7] != wantReason {
				t.Errorf("first row %q", first)
			}
			if second[2] != "69.99" || second[5] != wantPenalty || second[6] != "-200000" {
				t.Errorf("second row %q", second)
			}
			grid, err := f.GetRows(sheets[1], excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(grid) != 4 || grid[1][3] != "东城街道" || grid[2][3] != "50" || grid[3][3] != "36" || grid[2][4] != "40" {
				t.Fatalf("items grid %q", grid)
			}
			if len(grid[3]) > 4 && grid[3][4] != "" {
				t.Errorf("a missing mark is written as %q, want an empty cell", grid[3][4])
			}
		})
	}
}

func TestPrintedResultSheetShowsRankingOutcomesReasonsAndRevisions(t *testing.T) {
	var zh, en bytes.Buffer
	r := publishedQuarter(t)
	if err := r.WriteHTML(&zh, "zh"); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteHTML(&en, "en"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2026年第1季度考评结果", "已发布 第2次修订", "东城街道", "85.01", "83.53", "奖励", "500,000", "-200,000",
		"排名第1，得分85.01，高于85分", "复核实地检查记录", "首次发布", "待录入", "&lt;西城&gt;街道"} {
		if !strings.Contains(zh.String(), want) {
			t.Errorf("zh sheet lacks %q", want)
		}
	}
	if strings.Contains(zh.String(), "<西城>") {
		t.Error("a subdistrict's name is written unescaped")
	}
	if strings.Contains(zh.String(), "ranked 1st") || strings.Contains(zh.String(), "reward_top3") {
		t.Error("the zh sheet shows the English reason or the rule's code")
	}
	for _, want := range []string{`lang="en"`, "Assessment result 2026-Q1", "Published, revision 2", "ranked 1st with 85.01, above 85", "(reward_top3)", "Deduction", "Quarterly field check", "to be entered"} {
		if !strings.Contains(en.String(), want) {
			t.Errorf("en sheet lacks %q", want)
		}
	}
}

func TestParseLangRefusesAnUnknownLanguage(t *testing.T) {
	if _, err := assessment.ParseLang("fr"); err == nil {
		t.Fatal("lang=fr accepted")
	}
	if l, err := assessment.ParseLang(""); err != nil || l != "zh" {
		t.Fatalf("default lang %q %v", l, err)
	}
}
