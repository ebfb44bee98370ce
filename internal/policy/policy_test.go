package policy_test

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"streetchief/internal/apperr"
	"streetchief/internal/policy"
)

// ruleCase is one case of testdata/cases.json, which the simulator's tests run too.
type ruleCase struct {
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input"`
	Want  map[string]any  `json:"want"`
	Error string          `json:"error"`
}

func loadCases(t *testing.T) []ruleCase {
	t.Helper()
	raw, err := os.ReadFile("testdata/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []ruleCase `json:"cases"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // want's 85.00 stays 85.00, to compare with the output's text
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc.Cases
}

// decodeOutput reads a result document back with its numbers as written (85.00 stays "85.00").
func decodeOutput(t *testing.T, out []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	return doc
}

// checkOutput compares the last quarter's outcomes and the annual outcome with want; an outcome
// that want does not name must be empty, and annual must be absent unless want names it.
func checkOutput(t *testing.T, doc, want map[string]any) {
	t.Helper()
	quarters, _ := doc["quarters"].([]any)
	if len(quarters) == 0 {
		t.Fatalf("no quarters in %v", doc)
	}
	last := quarters[len(quarters)-1].(map[string]any)
	for _, key := range []string{"rewards", "penalties", "interviews", "public_explanations"} {
		got, ok := last[key]
		if !ok || got == nil {
			t.Fatalf("%s is missing or null: %v", key, last)
		}
		w := want[key]
		if w == nil {
			if key == "rewards" || key == "penalties" {
				w = map[string]any{}
			} else {
				w = []any{}
			}
		}
		if !sameJSON(got, w) {
			t.Errorf("%s: got %v, want %v\nreasons: %v", key, got, w, last["reasons"])
		}
	}
	wantAnnual, wantsAnnual := want["annual"].(map[string]any)
	annual, hasAnnual := doc["annual"].(map[string]any)
	if wantsAnnual != hasAnnual {
		t.Fatalf("annual: got %v, want %v", doc["annual"], want["annual"])
	}
	for key, w := range wantAnnual {
		if !sameJSON(annual[key], w) {
			t.Errorf("annual %s: got %v, want %v\nreasons: %v", key, annual[key], w, annual["reasons"])
		}
	}
}

// sameJSON compares decoded values, numbers by the text they were written with.
func sameJSON(got, want any) bool {
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	return bytes.Equal(g, w)
}

func TestRuleCases(t *testing.T) {
	for _, tc := range loadCases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			in, err := policy.DecodeInput(tc.Input)
			if tc.Error != "" {
				if err == nil {
					t.Fatalf("accepted, want an error with %q", tc.Error)
				}
				if !strings.Contains(err.Error(), tc.Error) {
					t.Fatalf("error %q does not say %q", err, tc.Error)
				}
				if c := apperr.CodeOf(err); c != apperr.Invalid && c != apperr.Malformed {
					t.Fatalf("error code %s, want invalid or malformed", c)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			res, err := policy.Evaluate(in.Quarters, in.Rules)
			if err != nil {
				t.Fatal(err)
			}
			out, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			checkOutput(t, decodeOutput(t, out), tc.Want)
		})
	}
}

func TestParseScoreIsExact(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want policy.Score
		err  string
	}{
		{"85", 8500, ""}, {"85.0", 8500, ""}, {"85.01", 8501, ""}, {"84.99", 8499, ""}, {"0", 0, ""}, {"100", 10000, ""},
		{"100.00", 10000, ""}, {"92.5", 9250, ""}, {"85.010", 8501, ""}, {"-0", 0, ""},
		{"100.01", 0, "outside 0..100"}, {"-0.01", 0, "outside 0..100"}, {"1000", 0, "outside 0..100"},
		{"99999999999999999999", 0, "outside 0..100"}, {"85.001", 0, "more than two decimals"},
		{"8.5e1", 0, "exponent"}, {"1e999", 0, "exponent"}, {"NaN", 0, "not a number"}, {"Infinity", 0, "not a number"},
		{"", 0, "not a number"}, {"85.", 0, "not a number"}, {".5", 0, "not a number"}, {"085", 0, "leading zero"},
		{"0x10", 0, "not a number"}, {"8 5", 0, "not a number"},
	} {
		got, err := policy.ParseScore(json.Number(tc.in))
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("ParseScore(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseScore(%q) = %v, %v; want an error saying %q", tc.in, got, err, tc.err)
		case tc.err != "" && !apperr.Is(err, apperr.Invalid):
			t.Errorf("ParseScore(%q): code %s, want invalid", tc.in, apperr.CodeOf(err))
		}
	}
}

func TestScoreWritesTwoDecimals(t *testing.T) {
	for s, want := range map[policy.Score]string{8500: "85.00", 8501: "85.01", 5: "0.05", 0: "0.00", 10000: "100.00", -150: "-1.50"} {
		if got := s.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int64(s), got, want)
		}
		b, err := json.Marshal(map[string]policy.Score{"s": s})
		if err != nil || string(b) != `{"s":`+want+`}` {
			t.Errorf("marshal %d = %s, %v", int64(s), b, err)
		}
	}
	var s policy.Score
	if err := json.Unmarshal([]byte(`"85"`), &s); err == nil {
		t.Error("a score in quotes was read")
	}
	if err := json.Unmarshal([]byte(`85.5`), &s); err != nil || s != 8550 {
		t.Errorf("85.5 read as %v, %v", s, err)
	}
}

func TestDefaultRulesAreThePolicys(t *testing.T) {
	r := policy.DefaultRules()
	if err := r.Check(); err != nil {
		t.Fatal(err)
	}
	want := policy.Rules{RewardAmounts: []int64{500000, 300000, 200000}, RewardThreshold: 8500, PenaltyAmounts: []int64{200000, 100000},
		PenaltyThreshold: 7000, StreakThreshold: 7000, InterviewAfter: 2, PublicExplanationAfter: 3, CommendCount: 3,
		CommendThreshold: 8500, CommendInclusive: true, Ties: policy.TieSplit}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("defaults %+v, want %+v", r, want)
	}
}
