package policy_test

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"streetchief/internal/policy"
)

func mustEvaluate(t *testing.T, r policy.Rules, quarters ...policy.Quarter) policy.Result {
	t.Helper()
	res, err := policy.Evaluate(quarters, r)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func reasonsOf(o policy.QuarterOutcome, key, kind string) []policy.Reason {
	var out []policy.Reason
	for _, r := range o.Reasons {
		if r.Key == key && r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

func TestASplitTieSaysTheRuleAndTheYuanLeftOver(t *testing.T) {
	res := mustEvaluate(t, policy.DefaultRules(), policy.Quarter{Period: "2026-Q1",
		Scores: map[string]policy.Score{"甲": 9000, "乙": 9000, "丙": 9000, "丁": 8000}})
	got := reasonsOf(res.Quarters[0], "乙", policy.KindReward)
	if len(got) != 1 {
		t.Fatalf("reasons for 乙: %+v", res.Quarters[0].Reasons)
	}
	r := got[0]
	for _, want := range []string{"2026-Q1", "ranked 1st of 4 with 90.00", "tied with 丙, 甲", "above 85.00", "tie rule split",
		"500,000 + 300,000 + 200,000 = 1,000,000", "333,333 yuan each", "rounded down", "1 yuan of the sum is not paid", "rule reward_place"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("text %q does not say %q", r.Text, want)
		}
	}
	for _, want := range []string{"2026年第1季度", "与丙、甲并列排名第1", "高于85.00分", "平分", "每个333,333元", "余1元不发"} {
		if !strings.Contains(r.TextZH, want) {
			t.Errorf("text_zh %q does not say %q", r.TextZH, want)
		}
	}
	if r.Yuan != 333333 || r.Rule != policy.RuleRewardPlace {
		t.Errorf("reason %+v", r)
	}
}

func TestAPlaceFallingShortIsNotedAndNotPassedDown(t *testing.T) {
	res := mustEvaluate(t, policy.DefaultRules(), policy.Quarter{Period: "2026-Q1",
		Scores: map[string]policy.Score{"甲": 9000, "乙": 8600, "丙": 8500, "丁": 6000}})
	o := res.Quarters[0]
	if _, ok := o.Rewards["丙"]; ok {
		t.Fatalf("丙 at exactly 85.00 rewarded: %v", o.Rewards)
	}
	var notes []policy.Reason
	for _, r := range reasonsOf(o, "丙", policy.KindNote) {
		if r.Rule == policy.RuleRewardPlace {
			notes = append(notes, r)
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0].Text, "not above 85.00") || !strings.Contains(notes[0].Text, "does not pass to a lower place") {
		t.Fatalf("丙's note: %+v", notes)
	}
}

func TestReasonsCallKeysByTheirNames(t *testing.T) {
	q := policy.Quarter{Period: "2026-Q1", Scores: map[string]policy.Score{"11": 9000, "12": 6000}, Names: map[string]string{"11": "东城街道", "12": "西城街道"}}
	q2 := q
	q2.Period = "2026-Q2"
	res := mustEvaluate(t, policy.DefaultRules(), q, q2)
	o := res.Quarters[1]
	if o.Rewards["11"] != 500000 || o.Penalties["12"] != 200000 || !reflect.DeepEqual(o.Interviews, []string{"12"}) {
		t.Fatalf("outcome by id: %+v", o)
	}
	iv := reasonsOf(o, "12", policy.KindInterview)
	if len(iv) != 1 || !strings.Contains(iv[0].Text, "西城街道 is last") || !strings.Contains(iv[0].TextZH, "西城街道连续2个季度排名末位") {
		t.Fatalf("interview reason: %+v", iv)
	}
}

func TestEvaluateRefusesWhatDecodeInputRefuses(t *testing.T) {
	for name, qs := range map[string][]policy.Quarter{
		"no quarters":        nil,
		"a score over 100":   {{Period: "2026-Q1", Scores: map[string]policy.Score{"甲": 10001}}},
		"a negative score":   {{Period: "2026-Q1", Scores: map[string]policy.Score{"甲": -1}}},
		"a name with a NUL":  {{Period: "2026-Q1", Scores: map[string]policy.Score{"甲\x00": 9000}}},
		"a name not UTF-8":   {{Period: "2026-Q1", Scores: map[string]policy.Score{"\xff": 9000}}},
		"a name too long":    {{Period: "2026-Q1", Scores: map[string]policy.Score{strings.Repeat("长", 101): 9000}}},
		"a name with spaces": {{Period: "2026-Q1", Scores: map[string]policy.Score{"甲 ": 9000}}},
		"year 0999":          {{Period: "0999-Q1", Scores: map[string]policy.Score{"甲": 9000}}},
		"Q5":                 {{Period: "2026-Q5", Scores: map[string]policy.Score{"甲": 9000}}},
		"a gap across years": {{Period: "2026-Q4", Scores: map[string]policy.Score{"甲": 9000}}, {Period: "2027-Q2", Scores: map[string]policy.Score{"甲": 9000}}},
	} {
		if _, err := policy.Evaluate(qs, policy.DefaultRules()); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	across := []policy.Quarter{{Period: "2026-Q4", Scores: map[string]policy.Score{"甲": 9000}}, {Period: "2027-Q1", Scores: map[string]policy.Score{"甲": 9000}}}
	if _, err := policy.Evaluate(across, policy.DefaultRules()); err != nil {
		t.Errorf("2026-Q4 → 2027-Q1 refused: %v", err)
	}
}

// FuzzDecodeInput: the decoder never panics, input it accepts Evaluate accepts, and the accepted
// input written out again reads back the same.
func FuzzDecodeInput(f *testing.F) {
	raw, err := os.ReadFile("testdata/cases.json")
	if err != nil {
		f.Fatal(err)
	}
	var doc struct {
		Cases []struct {
			Input json.RawMessage `json:"input"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		f.Fatal(err)
	}
	for _, c := range doc.Cases {
		f.Add([]byte(c.Input))
	}
	f.Add([]byte(`{"quarters":[{"period":"2026-Q1","scores":{"\u7532":85.010,"\ud800":1}}],"rules":{"reward_amounts":null}}`))
	f.Add([]byte(`{"quarters":[{"scores":{"甲":1e999},"period":"2026-Q1"}],"quarters":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := policy.DecodeInput(b)
		if err != nil {
			return
		}
		res, err := policy.Evaluate(in.Quarters, in.Rules)
		if err != nil {
			t.Fatalf("accepted input refused by Evaluate: %v\n%s", err, b)
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatal(err)
		}
		again, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		back, err := policy.DecodeInput(again)
		if err != nil {
			t.Fatalf("re-encoded input refused: %v\n%s", err, again)
		}
		if !reflect.DeepEqual(normal(in), normal(back)) {
			t.Fatalf("re-encoded input reads differently:\n%+v\n%+v", in, back)
		}
	})
}

// normal makes an empty list of amounts and a missing one the same, as JSON writes both as null or [].
func normal(in policy.Input) policy.Input {
	if len(in.Rules.RewardAmounts) == 0 {
		in.Rules.RewardAmounts = nil
	}
	if len(in.Rules.PenaltyAmounts) == 0 {
		in.Rules.PenaltyAmounts = nil
	}
	return in
}

func TestDecodeRulesOverridesTheDefaults(t *testing.T) {
	r, err := policy.DecodeRules([]byte(`{"ties":"each","reward_threshold":80.5}`))
	if err != nil {
		t.Fatal(err)
	}
	want := policy.DefaultRules()
	want.Ties, want.RewardThreshold = policy.TieEach, 8050
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("%+v, want %+v", r, want)
	}
	for _, bad := range []string{`{"ties":"random"}`, `{"reward_threshold":"85"}`, `{"extra":1}`, `[]`, `{`, "{\"ties\":\"\xff\"}"} {
		if _, err := policy.DecodeRules([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
