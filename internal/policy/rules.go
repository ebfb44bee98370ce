package policy

import (
	"streetchief/internal/apperr"
)

// TieRule says what tied subdistricts receive when their shared scores reach places that carry money.
type TieRule string

const (
	// TieSplit: the tied share the sum of the amounts of the places they occupy equally, each share
	// rounded down to whole yuan (the reason says how many yuan stay unpaid).
	TieSplit TieRule = "split"
	// TieEach: every tied subdistrict receives the amount of the place they share — the best of the
	// places for rewards, the worst (all tied for last are last) for penalties.
	TieEach TieRule = "each"
	// TieNoneIfTied: a place whose holders are tied pays nothing to any of them.
	TieNoneIfTied TieRule = "none_if_tied"
)

// TieRules lists the tie rules, in the order the documents give them.
var TieRules = []TieRule{TieSplit, TieEach, TieNoneIfTied}

// Rules are the policy's rules as numbers, every one configurable. The defaults (DefaultRules) are
// those of 《龙岩中心城区"街长制"考评奖惩办法》. Amounts are whole yuan; penalties are written as the
// positive amount deducted. A threshold is strict unless its Inclusive flag says otherwise.
type Rules struct {
	RewardAmounts   []int64 `json:"reward_amounts"` // places 1, 2, 3, … of each quarter
	RewardThreshold Score   `json:"reward_threshold"`
	RewardInclusive bool    `json:"reward_inclusive"` // false: strictly above the threshold

	PenaltyAmounts   []int64 `json:"penalty_amounts"` // last place first, then second-to-last, …
	PenaltyThreshold Score   `json:"penalty_threshold"`
	PenaltyInclusive bool    `json:"penalty_inclusive"` // false: strictly below the threshold

	StreakThreshold        Score `json:"streak_threshold"`
	StreakInclusive        bool  `json:"streak_inclusive"`         // false: strictly below the threshold
	InterviewAfter         int   `json:"interview_after"`          // consecutive last places below it → 约谈
	PublicExplanationAfter int   `json:"public_explanation_after"` // … → public explanation in the media

	CommendCount     int   `json:"commend_count"` // the top places of the year's averages
	CommendThreshold Score `json:"commend_threshold"`
	CommendInclusive bool  `json:"commend_inclusive"` // true: an average not below the threshold

	Ties TieRule `json:"ties"`
}

// DefaultRules are the policy's rules as written.
func DefaultRules() Rules {
	return Rules{
		RewardAmounts: []int64{500_000, 300_000, 200_000}, RewardThreshold: 8500,
		PenaltyAmounts: []int64{200_000, 100_000}, PenaltyThreshold: 7000,
		StreakThreshold: 7000, InterviewAfter: 2, PublicExplanationAfter: 3,
		CommendCount: 3, CommendThreshold: 8500, CommendInclusive: true,
		Ties: TieSplit,
	}
}

// Limits of the rules: far beyond any policy, near enough that a typo is caught.
const (
	MaxAmount = 100_000_000 // yuan, one place's amount
	MaxPlaces = 100         // entries of reward_amounts and of penalty_amounts
	MaxCount  = 100         // interview_after, public_explanation_after, commend_count
)

// Check refuses rules that cannot be applied. It also refuses thresholds under which one score could
// earn both a reward and a penalty (a penalty threshold above the reward threshold, or equal with
// both inclusive): with fewer subdistricts than reward and penalty places, one subdistrict may hold
// a reward place and a penalty place at once, and the rules would then say both.
func (r Rules) Check() error {
	for _, l := range []struct {
		field   string
		amounts []int64
	}{{"reward_amounts", r.RewardAmounts}, {"penalty_amounts", r.PenaltyAmounts}} {
		if len(l.amounts) > MaxPlaces {
			return invalid("rules."+l.field, "rules.%s has %d places; at most %d", l.field, len(l.amounts), MaxPlaces)
		}
		for i, a := range l.amounts {
			if a < 0 || a > MaxAmount {
				return invalid("rules."+l.field, "rules.%s[%d] is %d yuan; an amount is 0..%d (penalties too are written as the positive amount deducted)", l.field, i, a, MaxAmount)
			}
		}
	}
	for _, t := range []struct {
		field string
		v     Score
	}{{"reward_threshold", r.RewardThreshold}, {"penalty_threshold", r.PenaltyThreshold}, {"streak_threshold", r.StreakThreshold}, {"commend_threshold", r.CommendThreshold}} {
		if t.v < 0 || t.v > MaxScore {
			return invalid("rules."+t.field, "rules.%s is %s; a threshold is 0..100", t.field, t.v)
		}
	}
	for _, c := range []struct {
		field string
		v     int
	}{{"interview_after", r.InterviewAfter}, {"public_explanation_after", r.PublicExplanationAfter}, {"commend_count", r.CommendCount}} {
		if c.v < 1 || c.v > MaxCount {
			return invalid("rules."+c.field, "rules.%s is %d; it is 1..%d", c.field, c.v, MaxCount)
		}
	}
	if r.PublicExplanationAfter < r.InterviewAfter {
		return invalid("rules.public_explanation_after", "rules.public_explanation_after (%d) is below rules.interview_after (%d): a public explanation follows an interview, never precedes it",
			r.PublicExplanationAfter, r.InterviewAfter)
	}
	if r.PenaltyThreshold > r.RewardThreshold || (r.PenaltyThreshold == r.RewardThreshold && r.PenaltyInclusive && r.RewardInclusive) {
		return invalid("rules.penalty_threshold", "rules.penalty_threshold %s and rules.reward_threshold %s would let one score earn both a reward and a penalty",
			r.PenaltyThreshold, r.RewardThreshold)
	}
	switch r.Ties {
	case TieSplit, TieEach, TieNoneIfTied:
	default:
		return invalid("rules.ties", "rules.ties %q is not one of split, each, none_if_tied", shorten(string(r.Ties)))
	}
	return nil
}

func invalid(field, format string, args ...any) error {
	return apperr.New(apperr.Invalid, format, args...).With("field", field)
}

// rewarded, penalised, streaking and commendable say whether a score passes each threshold, strict
// or inclusive as the rules say.
func (r Rules) rewarded(s Score) bool {
	return s > r.RewardThreshold || (r.RewardInclusive && s == r.RewardThreshold)
}

func (r Rules) penalised(s Score) bool {
	return s < r.PenaltyThreshold || (r.PenaltyInclusive && s == r.PenaltyThreshold)
}

func (r Rules) streaking(s Score) bool {
	return s < r.StreakThreshold || (r.StreakInclusive && s == r.StreakThreshold)
}

func (r Rules) commendable(s Score) bool {
	return s > r.CommendThreshold || (r.CommendInclusive && s == r.CommendThreshold)
}
