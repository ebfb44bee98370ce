package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// words is one phrase in English and in Chinese.
type words struct{ en, zh string }

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

// passWords and failWords say how a score stands to a threshold it must be above (high) or below.
func passWords(high, inclusive bool) (string, string) {
	switch {
	case high && !inclusive:
		return "above", "高于"
	case high:
		return "not below", "不低于"
	case !inclusive:
		return "below", "低于"
	}
	return "not above", "不高于"
}

func failWords(high, inclusive bool) (string, string) {
	switch {
	case high && !inclusive:
		return "not above", "未高于"
	case high:
		return "below", "低于"
	case !inclusive:
		return "not below", "未低于"
	}
	return "above", "高于"
}

func tieRuleWords(t TieRule) (string, string) {
	switch t {
	case TieSplit:
		return "tie rule split", "并列规则split(平分)"
	case TieEach:
		return "tie rule each", "并列规则each(各得其名次金额)"
	}
	return "tie rule none_if_tied", "并列规则none_if_tied(并列不计)"
}

// moneyWords is "300,000 + 200,000 = 500,000" for the places a tie holds, or "500,000" for one.
func moneyWords(amounts []int64) words {
	var sum int64
	parts := make([]string, 0, len(amounts))
	for _, a := range amounts {
		sum += a
		parts = append(parts, yuanText(a))
	}
	if len(parts) == 1 {
		return words{parts[0], parts[0]}
	}
	s := strings.Join(parts, " + ") + " = " + yuanText(sum)
	return words{s, strings.ReplaceAll(s, " ", "")}
}

// yuanText writes whole yuan with thousands separators: 500,000.
func yuanText(v int64) string {
	s := strconv.FormatInt(v, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return pick(neg, "-", "") + b.String()
}

func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}

// fromLast names a place counted from the bottom: 1 is "last", 2 "second-to-last", 3 "3rd-to-last".
func fromLast(n int) string {
	switch n {
	case 1:
		return "last"
	case 2:
		return "second-to-last"
	}
	return ordinal(n) + "-to-last"
}

// periodZH is "2026年第1季度" for "2026-Q1".
func periodZH(p string) string {
	if y, q, ok := strings.Cut(p, "-Q"); ok {
		return y + "年第" + q + "季度"
	}
	return p
}

// maxListed bounds the names a reason lists (ties of many subdistricts say how many more).
const maxListed = 10

func listNames(names []string, sep string) string {
	if len(names) <= maxListed {
		return strings.Join(names, sep)
	}
	more := len(names) - maxListed
	if sep == "、" {
		return fmt.Sprintf("%s等%d个", strings.Join(names[:maxListed], sep), len(names))
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:maxListed], sep), more)
}

// maxStreakListed bounds the quarters an interview's reason lists; a longer streak says how many
// quarters came before those listed.
const maxStreakListed = 6

func streakList(run []streakQuarter) (string, string) {
	shown := run
	var en, zh []string
	if len(run) > maxStreakListed {
		shown = run[len(run)-maxStreakListed:]
		earlier := len(run) - maxStreakListed
		en = append(en, fmt.Sprintf("%d earlier quarters", earlier))
		zh = append(zh, fmt.Sprintf("此前%d个季度", earlier))
	}
	for _, s := range shown {
		en = append(en, fmt.Sprintf("%s %s", s.period, s.score))
		zh = append(zh, fmt.Sprintf("%s%s分", periodZH(s.period), s.score))
	}
	return strings.Join(en, ", "), strings.Join(zh, "、")
}
