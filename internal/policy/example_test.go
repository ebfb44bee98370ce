package policy_test

import (
	"fmt"

	"streetchief/internal/policy"
)

// The assessment calls Evaluate with subdistrict ids as keys and their names for the reasons.
func ExampleEvaluate() {
	names := map[string]string{"1": "东城街道", "2": "西城街道", "3": "南城街道", "4": "东肖街道"}
	res, err := policy.Evaluate([]policy.Quarter{
		{Period: "2026-Q1", Names: names, Scores: map[string]policy.Score{"1": 9250, "2": 8501, "3": 8500, "4": 6600}},
		{Period: "2026-Q2", Names: names, Scores: map[string]policy.Score{"1": 9000, "2": 9000, "3": 8640, "4": 6825}},
	}, policy.DefaultRules())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, q := range res.Quarters {
		fmt.Println(q.Period, "rewards", q.Rewards, "penalties", q.Penalties, "interviews", q.Interviews)
	}
	for _, r := range res.Quarters[1].Reasons {
		if r.Kind == policy.KindInterview {
			fmt.Println(r.TextZH)
		}
	}
	// Output:
	// 2026-Q1 rewards map[1:500000 2:300000] penalties map[4:200000] interviews []
	// 2026-Q2 rewards map[1:400000 2:400000 3:200000] penalties map[4:200000] interviews [4]
	// 2026年第2季度:东肖街道连续2个季度排名末位且得分低于70.00分(2026年第1季度66.00分、2026年第2季度68.25分),由区约谈街道主要领导(连续2个季度即约谈)。
}
