package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"streetchief/internal/apperr"
)

// Input is the simulator's document: consecutive quarters' scores by subdistrict name, oldest first,
// and overrides of the default rules.
type Input struct {
	Quarters []Quarter `json:"quarters"`
	Rules    Rules     `json:"rules"`
}

// DecodeInput reads the simulator's document strictly: unknown or repeated members anywhere, numbers
// that are not plain decimals, a score outside 0..100 or with more than two decimals, periods that
// are not consecutive, and rules that fail Rules.Check are refused, with the field named. Members of
// "rules" that are absent keep their defaults. Input it accepts, Evaluate accepts.
func DecodeInput(doc []byte) (Input, error) {
	in := Input{Rules: DefaultRules()}
	if !utf8.Valid(doc) {
		return in, apperr.New(apperr.Malformed, "the document is not valid UTF-8")
	}
	if !json.Valid(doc) {
		var v any
		return in, malformed("", "malformed JSON: %s", describe(json.Unmarshal(doc, &v)))
	}
	top, err := members(doc, "the document")
	if err != nil {
		return in, err
	}
	seen := map[string]bool{}
	for _, m := range top {
		seen[m.key] = true
		switch m.key {
		case "quarters":
			if in.Quarters, err = decodeQuarters(m.value); err != nil {
				return in, err
			}
		case "rules":
			if err := decodeRules(m.value, &in.Rules); err != nil {
				return in, err
			}
		default:
			return in, unknown(m.key, "", "quarters, rules")
		}
	}
	if !seen["quarters"] {
		return in, invalid("quarters", "quarters is missing: give at least one quarter's scores")
	}
	if _, err := validate(in.Quarters, in.Rules); err != nil {
		return in, err
	}
	return in, nil
}

// DecodeRules reads settings as the simulator's "rules" member does: the defaults, with the members
// given overriding them, checked. Stored settings read back through it are held to today's checks.
func DecodeRules(doc []byte) (Rules, error) {
	r := DefaultRules()
	if !utf8.Valid(doc) || !json.Valid(doc) {
		return r, malformed("rules", "rules are not valid JSON")
	}
	err := decodeRules(doc, &r)
	return r, err
}

func decodeQuarters(raw json.RawMessage) ([]Quarter, error) {
	items, err := array(raw, "quarters", MaxQuarters)
	if err != nil {
		return nil, err
	}
	out := make([]Quarter, 0, len(items))
	for i, item := range items {
		field := fmt.Sprintf("quarters[%d]", i)
		ms, err := members(item, field)
		if err != nil {
			return nil, err
		}
		q := Quarter{}
		var hasPeriod, hasScores bool
		for _, m := range ms {
			switch m.key {
			case "period":
				hasPeriod = true
				if q.Period, err = str(m.value, field+".period"); err != nil {
					return nil, err
				}
			case "scores":
				hasScores = true
				if q.Scores, err = decodeScores(m.value, field+".scores", q.Period); err != nil {
					return nil, err
				}
			default:
				return nil, unknown(m.key, field, "period, scores")
			}
		}
		if !hasPeriod {
			return nil, invalid(field+".period", "%s.period is missing (e.g. \"2026-Q1\")", field)
		}
		if !hasScores {
			return nil, invalid(field+".scores", "%s.scores is missing", field)
		}
		out = append(out, q)
	}
	return out, nil
}

func decodeScores(raw json.RawMessage, field, period string) (map[string]Score, error) {
	ms, err := members(raw, field)
	if err != nil {
		return nil, err
	}
	if len(ms) > MaxSubdistricts {
		return nil, apperr.New(apperr.TooLarge, "%s holds %d subdistricts; at most %d", field, len(ms), MaxSubdistricts).With("field", field)
	}
	scores := make(map[string]Score, len(ms))
	for _, m := range ms {
		f := field + "." + m.key
		if !isNumber(m.value) {
			return nil, malformed(f, "%s: the score of %q must be a number such as 92.5, not %s", orField(period, field), m.key, shorten(string(m.value)))
		}
		s, err := ParseScore(json.Number(m.value))
		if err != nil {
			return nil, invalid(f, "%s: the score of %q: %s", orField(period, field), m.key, apperr.Message(err))
		}
		scores[m.key] = s
	}
	return scores, nil
}

// orField names a quarter by its period where it has one, else by its place in the document.
func orField(period, field string) string {
	if period != "" {
		return period
	}
	return field
}

func decodeRules(raw json.RawMessage, r *Rules) error {
	ms, err := members(raw, "rules")
	if err != nil {
		return err
	}
	for _, m := range ms {
		f := "rules." + m.key
		switch m.key {
		case "reward_amounts":
			r.RewardAmounts, err = amounts(m.value, f)
		case "penalty_amounts":
			r.PenaltyAmounts, err = amounts(m.value, f)
		case "reward_threshold":
			r.RewardThreshold, err = threshold(m.value, f)
		case "penalty_threshold":
			r.PenaltyThreshold, err = threshold(m.value, f)
		case "streak_threshold":
			r.StreakThreshold, err = threshold(m.value, f)
		case "commend_threshold":
			r.CommendThreshold, err = threshold(m.value, f)
		case "reward_inclusive":
			r.RewardInclusive, err = boolean(m.value, f)
		case "penalty_inclusive":
			r.PenaltyInclusive, err = boolean(m.value, f)
		case "streak_inclusive":
			r.StreakInclusive, err = boolean(m.value, f)
		case "commend_inclusive":
			r.CommendInclusive, err = boolean(m.value, f)
		case "interview_after":
			r.InterviewAfter, err = count(m.value, f)
		case "public_explanation_after":
			r.PublicExplanationAfter, err = count(m.value, f)
		case "commend_count":
			r.CommendCount, err = count(m.value, f)
		case "ties":
			var s string
			s, err = str(m.value, f)
			r.Ties = TieRule(s)
		default:
			return unknown(m.key, "rules", "reward_amounts, reward_threshold, reward_inclusive, penalty_amounts, penalty_threshold, penalty_inclusive, "+
				"streak_threshold, streak_inclusive, interview_after, public_explanation_after, commend_count, commend_threshold, commend_inclusive, ties")
		}
		if err != nil {
			return err
		}
	}
	return r.Check()
}

// member is one name and value of a JSON object, in document order.
type member struct {
	key   string
	value json.RawMessage
}

// members reads a JSON object (the document is already known to be valid JSON), refusing a name
// given twice: encoding/json would keep the last silently, and a subdistrict scored twice in one
// quarter is a mistake in the sheet.
func members(raw json.RawMessage, field string) ([]member, error) {
	if !startsWith(raw, '{') {
		return nil, malformed(field, "%s must be an object, not %s", field, shorten(string(bytes.TrimSpace(raw))))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, malformed(field, "%s: %s", field, describe(err))
	}
	var out []member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, malformed(field, "%s: %s", field, describe(err))
		}
		key, _ := tok.(string)
		if seen[key] {
			return nil, malformed(field+"."+key, "%s names %q twice", field, key)
		}
		seen[key] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, malformed(field+"."+key, "%s.%s: %s", field, key, describe(err))
		}
		out = append(out, member{key, v})
	}
	return out, nil
}

// array reads a JSON array of at most max items.
func array(raw json.RawMessage, field string, max int) ([]json.RawMessage, error) {
	if !startsWith(raw, '[') {
		return nil, malformed(field, "%s must be an array, not %s", field, shorten(string(bytes.TrimSpace(raw))))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, malformed(field, "%s: %s", field, describe(err))
	}
	var out []json.RawMessage
	for dec.More() {
		if len(out) == max {
			return nil, apperr.New(apperr.TooLarge, "%s may hold at most %d items", field, max).With("field", field)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, malformed(field, "%s[%d]: %s", field, len(out), describe(err))
		}
		out = append(out, v)
	}
	return out, nil
}

func str(raw json.RawMessage, field string) (string, error) {
	var s string
	if !startsWith(raw, '"') || json.Unmarshal(raw, &s) != nil {
		return "", malformed(field, "%s must be a string, not %s", field, shorten(string(raw)))
	}
	return s, nil
}

func boolean(raw json.RawMessage, field string) (bool, error) {
	switch string(raw) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, malformed(field, "%s must be true or false, not %s", field, shorten(string(raw)))
}

// integer reads a whole number written without a fraction or exponent.
func integer(raw json.RawMessage, field string) (int64, error) {
	if !isNumber(raw) {
		return 0, malformed(field, "%s must be a whole number, not %s", field, shorten(string(raw)))
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, invalid(field, "%s: %s is not a whole number in range", field, shorten(string(raw)))
	}
	return v, nil
}

func count(raw json.RawMessage, field string) (int, error) {
	v, err := integer(raw, field)
	if err == nil && (v < 1 || v > MaxCount) {
		err = invalid(field, "%s is %d; it is 1..%d", field, v, MaxCount)
	}
	return int(v), err
}

func amounts(raw json.RawMessage, field string) ([]int64, error) {
	items, err := array(raw, field, MaxPlaces)
	if err != nil {
		return nil, err
	}
	out := make([]int64, 0, len(items))
	for i, item := range items {
		v, err := integer(item, fmt.Sprintf("%s[%d]", field, i))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func threshold(raw json.RawMessage, field string) (Score, error) {
	if !isNumber(raw) {
		return 0, malformed(field, "%s must be a number such as 85, not %s", field, shorten(string(raw)))
	}
	s, err := ParseScore(json.Number(raw))
	if err != nil {
		return 0, invalid(field, "%s: %s", field, apperr.Message(err))
	}
	return s, nil
}

func isNumber(raw json.RawMessage) bool {
	return len(raw) > 0 && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'))
}

func startsWith(raw json.RawMessage, c byte) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && t[0] == c
}

func malformed(field, format string, args ...any) error {
	e := apperr.New(apperr.Malformed, format, args...)
	if field != "" {
		e = e.With("field", field)
	}
	return e
}

func unknown(key, in, known string) error {
	where := "the document"
	field := key
	if in != "" {
		where, field = in, in+"."+key
	}
	return malformed(field, "%s has an unknown member %q; it takes %s", where, shorten(key), known)
}

// describe words a decoding error without encoding/json's prefix or Go's type names.
func describe(err error) string {
	var syn *json.SyntaxError
	switch {
	case err == nil:
		return "unreadable"
	case errors.As(err, &syn):
		return fmt.Sprintf("%s (at byte %d)", syn.Error(), syn.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the document ends too early"
	}
	return err.Error()
}
