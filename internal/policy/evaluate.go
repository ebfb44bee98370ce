package policy

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of one evaluation. A district has seven subdistricts and a simulation a few years; the
// limits keep the reasons' texts, which name tied subdistricts and streaks, from growing without end.
const (
	MaxQuarters     = 40  // ten years
	MaxSubdistricts = 100 // in one quarter
	MaxNameRunes    = 100
)

// Quarter is one quarter's scores by subdistrict: by name in the simulator, by id in the assessment.
type Quarter struct {
	Period string           `json:"period"` // "2026-Q1"
	Scores map[string]Score `json:"scores"`
	// Names, if given, are how the reasons' texts call each key (a subdistrict's name for its id);
	// a key without one is called by the key.
	Names map[string]string `json:"-"`
}

// Result is what the rules say of a run of consecutive quarters.
type Result struct {
	Quarters []QuarterOutcome `json:"quarters"`
	Annual   *AnnualOutcome   `json:"annual,omitempty"` // nil unless the quarters hold one whole year
}

// QuarterOutcome is one quarter's ranking and what follows from it. Every map and list is non-nil;
// a subdistrict absent from a map receives nothing.
type QuarterOutcome struct {
	Period             string           `json:"period"`
	Ranking            []Ranked         `json:"ranking"`
	Rewards            map[string]int64 `json:"rewards"`   // yuan
	Penalties          map[string]int64 `json:"penalties"` // yuan deducted, written positive
	Interviews         []string         `json:"interviews"`
	PublicExplanations []string         `json:"public_explanations"`
	Reasons            []Reason         `json:"reasons"`
}

// Ranked is one place of a ranking. Tied scores share a rank (1, 2, 2, 4); among them the order is
// by key, for a stable listing only — the rules never look at it.
type Ranked struct {
	Key   string `json:"name"`
	Score Score  `json:"score"`
	Rank  int    `json:"rank"`
}

// AnnualOutcome is the year's averages and the collective commendation (集体表彰).
type AnnualOutcome struct {
	Year      int              `json:"year"`
	Averages  map[string]Score `json:"averages"`
	Ranking   []Ranked         `json:"ranking"`
	Commended []string         `json:"commended"`
	Reasons   []Reason         `json:"reasons"`
}

// Kinds of reasons. KindNote is a rule that applied without an outcome: a money place whose holder's
// score falls short, a tie that pays nothing, yuan left over by a split, a subdistrict with no annual
// average. Yuan is always the positive amount; Kind says which way it goes.
const (
	KindReward            = "reward"
	KindPenalty           = "penalty"
	KindInterview         = "interview"
	KindPublicExplanation = "public_explanation"
	KindCommendation      = "commendation"
	KindNote              = "note"
)

// Rule codes, the Rule of a Reason.
const (
	RuleRewardPlace        = "reward_place"
	RulePenaltyPlace       = "penalty_place"
	RuleInterviewStreak    = "interview_streak"
	RulePublicExplanation  = "public_explanation_streak"
	RuleAnnualCommendation = "annual_commendation"
)

// Reason is one outcome (or note) with the rule, the figures and the place in the ranking behind it,
// in English and in Chinese.
type Reason struct {
	Key    string `json:"name"`
	Kind   string `json:"kind"`
	Rule   string `json:"rule"`
	Yuan   int64  `json:"yuan"`
	Text   string `json:"text"`
	TextZH string `json:"text_zh"`
}

// Evaluate applies the rules to consecutive quarters, oldest first. A streak of last places counts
// only the quarters given, so a caller that wants one to carry over passes the quarters before too.
func Evaluate(quarters []Quarter, r Rules) (Result, error) {
	periods, err := validate(quarters, r)
	if err != nil {
		return Result{}, err
	}
	res := Result{Quarters: make([]QuarterOutcome, 0, len(quarters))}
	streaks := map[string][]streakQuarter{}
	for _, q := range quarters {
		o := evaluateQuarter(q, r, streaks)
		res.Quarters = append(res.Quarters, o)
	}
	if year, at, ok := latestWholeYear(periods); ok {
		res.Annual = evaluateYear(year, quarters[at:at+4], r)
	}
	return res, nil
}

// period is a quarter as a number: year*4 + quarter-1, so consecutive quarters differ by one.
type period int

func parsePeriod(s string) (period, bool) {
	if len(s) != 7 || s[4:6] != "-Q" || s[6] < '1' || s[6] > '4' || !digits(s[:4]) || s[0] == '0' {
		return 0, false
	}
	y, _ := strconv.Atoi(s[:4])
	return period(y*4 + int(s[6]-'1')), true
}

func (p period) year() int    { return int(p) / 4 }
func (p period) quarter() int { return int(p)%4 + 1 }

func validate(quarters []Quarter, r Rules) ([]period, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	if len(quarters) == 0 {
		return nil, invalid("quarters", "quarters is empty: give at least one quarter's scores")
	}
	if len(quarters) > MaxQuarters {
		return nil, invalid("quarters", "%d quarters; at most %d", len(quarters), MaxQuarters)
	}
	periods := make([]period, len(quarters))
	for i, q := range quarters {
		field := fmt.Sprintf("quarters[%d]", i)
		p, ok := parsePeriod(q.Period)
		if !ok {
			return nil, invalid(field+".period", "%s.period %q is not a quarter such as 2026-Q1", field, shorten(q.Period))
		}
		if i > 0 && p != periods[i-1]+1 {
			return nil, invalid(field+".period", "%s.period %s does not follow %s: the quarters must be consecutive, oldest first, without gaps or repeats",
				field, q.Period, quarters[i-1].Period)
		}
		periods[i] = p
		if len(q.Scores) == 0 {
			return nil, invalid(field+".scores", "%s (%s) has no scores", field, q.Period)
		}
		if len(q.Scores) > MaxSubdistricts {
			return nil, invalid(field+".scores", "%s (%s) has %d subdistricts; at most %d", field, q.Period, len(q.Scores), MaxSubdistricts)
		}
		for _, key := range slices.Sorted(maps.Keys(q.Scores)) {
			if why := badName(key); why != "" {
				return nil, invalid(field+".scores", "%s (%s): the subdistrict %q %s", field, q.Period, shorten(key), why)
			}
			if s := q.Scores[key]; s < 0 || s > MaxScore {
				return nil, invalid(field+".scores."+key, "%s: the score of %q is %s, outside 0..100", q.Period, key, s)
			}
		}
	}
	return periods, nil
}

// badName says what is wrong with a subdistrict's name, or "". Spaces at its ends are refused because
// "东城街道 " and "东城街道" would be ranked as two subdistricts.
func badName(name string) string {
	switch {
	case strings.TrimSpace(name) == "":
		return "is blank"
	case strings.TrimSpace(name) != name:
		return "has spaces at its start or end"
	case utf8.RuneCountInString(name) > MaxNameRunes:
		return fmt.Sprintf("is longer than %d characters", MaxNameRunes)
	case !utf8.ValidString(name) || strings.ContainsRune(name, utf8.RuneError):
		return "is not valid text (invalid UTF-8 or an unpaired surrogate)"
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "holds control characters"
	}
	return ""
}

// rank orders scores best first; tied scores share the rank of the first of them.
func rank(scores map[string]Score) []Ranked {
	out := make([]Ranked, 0, len(scores))
	for k, s := range scores {
		out = append(out, Ranked{Key: k, Score: s})
	}
	slices.SortFunc(out, func(a, b Ranked) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	for i := range out {
		if i > 0 && out[i].Score == out[i-1].Score {
			out[i].Rank = out[i-1].Rank
		} else {
			out[i].Rank = i + 1
		}
	}
	return out
}

// group is a run of tied places in a ranking: positions [from, to), 0-based from the top.
type group struct{ from, to int }

func (g group) size() int { return g.to - g.from }

func groups(ranking []Ranked) []group {
	var out []group
	for i := 0; i < len(ranking); {
		j := i + 1
		for j < len(ranking) && ranking[j].Score == ranking[i].Score {
			j++
		}
		out = append(out, group{i, j})
		i = j
	}
	return out
}

// latestWholeYear finds the latest year all four of whose quarters are among the (consecutive)
// periods, and where its first quarter stands.
func latestWholeYear(periods []period) (year, at int, ok bool) {
	for i := len(periods) - 4; i >= 0; i-- {
		if periods[i].quarter() == 1 {
			return periods[i].year(), i, true
		}
	}
	return 0, 0, false
}
