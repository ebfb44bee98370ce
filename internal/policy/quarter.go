package policy

import "fmt"

// quarterRun is one quarter being evaluated: its ranking and the outcome being filled in.
type quarterRun struct {
	q       Quarter
	r       Rules
	ranking []Ranked
	out     *QuarterOutcome
}

// streakQuarter is one quarter of a subdistrict's run of last places below the streak threshold.
type streakQuarter struct {
	period string
	score  Score
}

func evaluateQuarter(q Quarter, r Rules, streaks map[string][]streakQuarter) QuarterOutcome {
	o := QuarterOutcome{Period: q.Period, Ranking: rank(q.Scores), Rewards: map[string]int64{}, Penalties: map[string]int64{},
		Interviews: []string{}, PublicExplanations: []string{}, Reasons: []Reason{}}
	run := &quarterRun{q: q, r: r, ranking: o.Ranking, out: &o}
	gs := groups(o.Ranking)
	n := len(o.Ranking)
	for _, g := range gs {
		if g.from < len(r.RewardAmounts) {
			run.pay(g, KindReward, r.RewardAmounts[g.from:min(g.to, len(r.RewardAmounts))])
		}
	}
	// Penalty places count from the bottom: a group at positions [from, to) holds the places
	// n-to (its worst: 0 is last) up to n-from.
	for i := len(gs) - 1; i >= 0; i-- {
		g := gs[i]
		if worst := n - g.to; worst < len(r.PenaltyAmounts) {
			run.pay(g, KindPenalty, r.PenaltyAmounts[worst:min(n-g.from, len(r.PenaltyAmounts))])
		}
	}
	run.streaks(gs[len(gs)-1], streaks)
	return o
}

// pay applies one reward or penalty to a group of tied places. amounts are those of the places the
// group holds, the group's own place first (for penalties, the worst: all tied for last are last).
func (q *quarterRun) pay(g group, kind string, amounts []int64) {
	var sum int64
	for _, a := range amounts {
		sum += a
	}
	if sum == 0 {
		return
	}
	score := q.ranking[g.from].Score
	places := q.placeWords(g, kind, len(amounts))
	money := moneyWords(amounts)
	high := kind == KindReward
	var threshold Score
	var inclusive, passes bool
	if high {
		threshold, inclusive, passes = q.r.RewardThreshold, q.r.RewardInclusive, q.r.rewarded(score)
	} else {
		threshold, inclusive, passes = q.r.PenaltyThreshold, q.r.PenaltyInclusive, q.r.penalised(score)
	}
	rule := RuleRewardPlace
	if !high {
		rule = RulePenaltyPlace
	}
	for i := g.from; i < g.to; i++ {
		key := q.ranking[i].Key
		standing, standingZH := q.standing(i, g)
		if !passes {
			en, zh := failWords(high, inclusive)
			passEN := "it does not pass to a lower place"
			passZH := "该名次的资金不顺延给后一名"
			if !high {
				passEN, passZH = "it does not pass to a higher place", "扣减不顺延给前一名"
			}
			q.note(key, rule,
				fmt.Sprintf("%s %s %s, so nothing is %s for %s (%s yuan; %s)", standing, en, threshold, pick(high, "paid", "deducted"), places.en, money.en, passEN),
				fmt.Sprintf("%s%s%s分,%s%s元不予%s(%s)", standingZH, zh, threshold, places.zh, money.zh, pick(high, "奖励", "扣减"), passZH))
			continue
		}
		en, zh := passWords(high, inclusive)
		head := fmt.Sprintf("%s %s %s", standing, en, threshold)
		headZH := fmt.Sprintf("%s%s%s分", standingZH, zh, threshold)
		if g.size() == 1 {
			q.grant(key, kind, rule, amounts[0],
				fmt.Sprintf("%s: %s of %s yuan for %s", head, pick(high, "project funds", "a deduction"), yuanText(amounts[0]), places.en),
				fmt.Sprintf("%s,%s%s元", headZH, pick(high, "按"+places.zh+"奖励项目资金", "按"+places.zh+"扣减"), yuanText(amounts[0])))
			continue
		}
		tie, tieZH := tieRuleWords(q.r.Ties)
		switch q.r.Ties {
		case TieSplit:
			share := sum / int64(g.size())
			left := sum - share*int64(g.size())
			rest, restZH := "", ""
			if left > 0 {
				rest = fmt.Sprintf(" (each share rounded down to whole yuan: %s yuan of the sum is not paid)", yuanText(left))
				restZH = fmt.Sprintf("(每份向下取整到元,余%s元不发)", yuanText(left))
			}
			q.grant(key, kind, rule, share,
				fmt.Sprintf("%s; %s: the %s yuan of %s are %s equally by the %d tied, %s yuan each%s", head, tie, money.en, places.en,
					pick(high, "shared", "borne"), g.size(), yuanText(share), rest),
				fmt.Sprintf("%s;%s:%s的%s元由并列的%d个街道%s,每个%s元%s", headZH, tieZH, places.zh, money.zh, g.size(),
					pick(high, "平分", "平均分摊"), yuanText(share), restZH))
		case TieEach:
			q.grant(key, kind, rule, amounts[0],
				fmt.Sprintf("%s; %s: every tied subdistrict %s the %s yuan of the place they share", head, tie, pick(high, "receives", "loses"), yuanText(amounts[0])),
				fmt.Sprintf("%s;%s:并列的街道各%s%s元", headZH, tieZH, pick(high, "奖励", "扣减"), yuanText(amounts[0])))
		case TieNoneIfTied:
			q.note(key, rule,
				fmt.Sprintf("%s; %s: a tied place %s nothing, so the %s yuan of %s are not %s", head, tie, pick(high, "pays", "deducts"), money.en, places.en, pick(high, "paid", "deducted")),
				fmt.Sprintf("%s;%s:名次并列不%s,%s的%s元不%s", headZH, tieZH, pick(high, "发", "扣"), places.zh, money.zh, pick(high, "发放", "扣减")))
		}
	}
}

func (q *quarterRun) grant(key, kind, rule string, yuan int64, en, zh string) {
	if yuan <= 0 {
		q.note(key, rule, en, zh)
		return
	}
	if kind == KindReward {
		q.out.Rewards[key] = yuan
	} else {
		q.out.Penalties[key] = yuan
	}
	q.out.Reasons = append(q.out.Reasons, Reason{Key: key, Kind: kind, Rule: rule, Yuan: yuan,
		Text: q.periodEN() + ": " + en + " (rule " + rule + ").", TextZH: q.periodZH() + ":" + zh + "。"})
}

func (q *quarterRun) note(key, rule, en, zh string) {
	q.out.Reasons = append(q.out.Reasons, Reason{Key: key, Kind: KindNote, Rule: rule,
		Text: q.periodEN() + ": " + en + " (rule " + rule + ").", TextZH: q.periodZH() + ":" + zh + "。"})
}

// streaks carries each subdistrict's run of last places below the streak threshold into this
// quarter: a quarter not last, not below the threshold, or not scored ends the run.
func (q *quarterRun) streaks(last group, streaks map[string][]streakQuarter) {
	before := make(map[string][]streakQuarter, len(streaks))
	for k, v := range streaks {
		before[k] = v
	}
	clear(streaks)
	score := q.ranking[last.from].Score
	if !q.r.streaking(score) {
		return
	}
	en, zh := passWords(false, q.r.StreakInclusive)
	for i := last.from; i < last.to; i++ {
		key := q.ranking[i].Key
		run := append(append([]streakQuarter(nil), before[key]...), streakQuarter{q.q.Period, score})
		streaks[key] = run
		if len(run) < q.r.InterviewAfter {
			continue
		}
		tied, tiedZH := q.tied(i, last)
		if tiedZH != "" {
			tiedZH = ",本季度" + tiedZH + "末位"
		}
		list, listZH := streakList(run)
		head := fmt.Sprintf("%s is last (%s of %d%s) with %s, %s %s, for %d consecutive quarters (%s)",
			q.name(key), ordinal(q.ranking[i].Rank), len(q.ranking), tied, score, en, q.r.StreakThreshold, len(run), list)
		headZH := fmt.Sprintf("%s连续%d个季度排名末位且得分%s%s分(%s%s)", q.name(key), len(run), zh, q.r.StreakThreshold, listZH, tiedZH)
		q.out.Interviews = append(q.out.Interviews, key)
		q.out.Reasons = append(q.out.Reasons, Reason{Key: key, Kind: KindInterview, Rule: RuleInterviewStreak,
			Text:   fmt.Sprintf("%s: %s: the district interviews (约谈) its main leaders (rule %s, after %d).", q.periodEN(), head, RuleInterviewStreak, q.r.InterviewAfter),
			TextZH: fmt.Sprintf("%s:%s,由区约谈街道主要领导(连续%d个季度即约谈)。", q.periodZH(), headZH, q.r.InterviewAfter)})
		if len(run) < q.r.PublicExplanationAfter {
			continue
		}
		q.out.PublicExplanations = append(q.out.PublicExplanations, key)
		q.out.Reasons = append(q.out.Reasons, Reason{Key: key, Kind: KindPublicExplanation, Rule: RulePublicExplanation,
			Text:   fmt.Sprintf("%s: %s: it explains itself in the main local media with its improvement measures (rule %s, after %d).", q.periodEN(), head, RulePublicExplanation, q.r.PublicExplanationAfter),
			TextZH: fmt.Sprintf("%s:%s,在本地主要媒体上公开说明情况并提出整改措施(连续%d个季度即公开说明)。", q.periodZH(), headZH, q.r.PublicExplanationAfter)})
	}
}

func (q *quarterRun) name(key string) string {
	if n, ok := q.q.Names[key]; ok && n != "" {
		return n
	}
	return key
}

func (q *quarterRun) periodEN() string { return q.q.Period }
func (q *quarterRun) periodZH() string { return periodZH(q.q.Period) }

// standing is "东城街道 ranked 2nd of 7 with 88.00, tied with 西城街道," in both languages.
func (q *quarterRun) standing(i int, g group) (string, string) {
	r := q.ranking[i]
	tied, tiedZH := q.tied(i, g)
	return fmt.Sprintf("%s ranked %s of %d with %s%s,", q.name(r.Key), ordinal(r.Rank), len(q.ranking), r.Score, tied),
		fmt.Sprintf("%s得分%s,%s排名第%d(共%d个街道),", q.name(r.Key), r.Score, tiedZH, r.Rank, len(q.ranking))
}

// tied names the others of a tie: ", tied with 西城街道" and "与西城街道并列".
func (q *quarterRun) tied(i int, g group) (string, string) {
	if g.size() == 1 {
		return "", ""
	}
	var others []string
	for j := g.from; j < g.to; j++ {
		if j != i {
			others = append(others, q.name(q.ranking[j].Key))
		}
	}
	return ", tied with " + listNames(others, ", "), "与" + listNames(others, "、") + "并列"
}

// placeWords names the money places a group holds: "1st place", "places 2–3", "last place".
func (q *quarterRun) placeWords(g group, kind string, money int) words {
	if kind == KindReward {
		from, to := g.from+1, g.from+money
		if from == to {
			return words{fmt.Sprintf("%s place", ordinal(from)), fmt.Sprintf("第%d名", from)}
		}
		return words{fmt.Sprintf("places %d–%d", from, to), fmt.Sprintf("第%d至%d名", from, to)}
	}
	worst := len(q.ranking) - g.to + 1 // 1 = last
	if money == 1 {
		return words{fromLast(worst) + " place", fmt.Sprintf("倒数第%d名", worst)}
	}
	if worst == 1 {
		return words{fmt.Sprintf("the last %d places", money), fmt.Sprintf("倒数第1至%d名", money)}
	}
	return words{fmt.Sprintf("the places from %s to %s", fromLast(worst+money-1), fromLast(worst)), fmt.Sprintf("倒数第%d至%d名", worst, worst+money-1)}
}
