package policy

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// evaluateYear averages the four quarters of one year and commends the top places. A subdistrict
// scored in only some of them has no average: it is noted, not ranked, and not commended.
func evaluateYear(year int, quarters []Quarter, r Rules) *AnnualOutcome {
	a := &AnnualOutcome{Year: year, Averages: map[string]Score{}, Commended: []string{}, Reasons: []Reason{}}
	names := map[string]string{}
	all := map[string]bool{}
	for _, q := range quarters {
		maps.Copy(names, q.Names)
		for k := range q.Scores {
			all[k] = true
		}
	}
	name := func(k string) string {
		if n := names[k]; n != "" {
			return n
		}
		return k
	}
	figures := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(all)) {
		var sum Score
		var missing, parts []string
		for _, q := range quarters {
			s, ok := q.Scores[k]
			if !ok {
				missing = append(missing, q.Period)
				continue
			}
			sum += s
			parts = append(parts, fmt.Sprintf("Q%d %s", periodQuarter(q.Period), s))
		}
		if len(missing) > 0 {
			a.Reasons = append(a.Reasons, Reason{Key: k, Kind: KindNote, Rule: RuleAnnualCommendation,
				Text: fmt.Sprintf("%d: %s has no score for %s, so no annual average and no commendation (rule %s).",
					year, name(k), strings.Join(missing, ", "), RuleAnnualCommendation),
				TextZH: fmt.Sprintf("%d年度:%s缺少%s的得分,无年度平均分,不参加集体表彰。", year, name(k), zhPeriods(missing))})
			continue
		}
		a.Averages[k] = average4(sum)
		figures[k] = strings.Join(parts, ", ")
	}
	a.Ranking = rank(a.Averages)
	n := len(a.Ranking)
	pass, passZH := passWords(true, r.CommendInclusive)
	fail, failZH := failWords(true, r.CommendInclusive)
	for _, g := range groups(a.Ranking) {
		if g.from >= r.CommendCount {
			break
		}
		avg := a.Ranking[g.from].Score
		straddles := g.to > r.CommendCount
		for i := g.from; i < g.to; i++ {
			k := a.Ranking[i].Key
			var others []string
			for j := g.from; j < g.to; j++ {
				if j != i {
					others = append(others, name(a.Ranking[j].Key))
				}
			}
			tied, tiedZH := "", ""
			if len(others) > 0 {
				tied, tiedZH = ", tied with "+listNames(others, ", "), "与"+listNames(others, "、")+"并列"
			}
			head := fmt.Sprintf("%d: %s's annual average %s (%s; the mean of the four quarters rounded half-up to hundredths) ranks %s of %d%s",
				year, name(k), avg, figures[k], ordinal(a.Ranking[i].Rank), n, tied)
			headZH := fmt.Sprintf("%d年度:%s四个季度得分(%s)的平均分为%s分(四舍五入到0.01分),%s排名第%d(共%d个街道)",
				year, name(k), figures[k], avg, tiedZH, a.Ranking[i].Rank, n)
			reason := Reason{Key: k, Kind: KindNote, Rule: RuleAnnualCommendation}
			switch {
			case !r.commendable(avg):
				reason.Text = fmt.Sprintf("%s, %s %s: not commended (rule %s).", head, fail, r.CommendThreshold, RuleAnnualCommendation)
				reason.TextZH = fmt.Sprintf("%s,%s%s分,不予集体表彰。", headZH, failZH, r.CommendThreshold)
			case straddles && r.Ties == TieNoneIfTied:
				reason.Text = fmt.Sprintf("%s, %s %s, but the tie runs past the top %d and under tie rule none_if_tied none of the tied is commended (rule %s).",
					head, pass, r.CommendThreshold, r.CommendCount, RuleAnnualCommendation)
				reason.TextZH = fmt.Sprintf("%s,%s%s分;但并列超出前%d名,按并列规则none_if_tied(并列不计),并列的街道均不予表彰。", headZH, passZH, r.CommendThreshold, r.CommendCount)
			default:
				tie, tieZH := "", ""
				if straddles {
					tie = fmt.Sprintf("; the tie runs past the top %d and under tie rule %s all the tied are commended", r.CommendCount, r.Ties)
					tieZH = fmt.Sprintf(";并列超出前%d名,按并列规则%s,并列的街道均予表彰", r.CommendCount, r.Ties)
				}
				reason.Kind = KindCommendation
				reason.Text = fmt.Sprintf("%s, %s %s%s: commended collectively (rule %s, top %d).", head, pass, r.CommendThreshold, tie, RuleAnnualCommendation, r.CommendCount)
				reason.TextZH = fmt.Sprintf("%s,%s%s分%s,予以集体表彰。", headZH, passZH, r.CommendThreshold, tieZH)
				a.Commended = append(a.Commended, k)
			}
			a.Reasons = append(a.Reasons, reason)
		}
	}
	return a
}

func periodQuarter(p string) int {
	pp, _ := parsePeriod(p)
	return pp.quarter()
}

func zhPeriods(ps []string) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = periodZH(p)
	}
	return strings.Join(out, "、")
}
