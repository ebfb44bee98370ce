package policy

import (
	"encoding/json"
	"fmt"
	"strings"

	"streetchief/internal/apperr"
)

// Score is an assessment score in hundredths of a point: 85.01 is Score(8501). It is an integer so
// that "above 85" is decided exactly: a float64 average of 84.99 and 85.01 may land a hair off 85.
type Score int64

// MaxScore is 100.00, the top of every score sheet.
const MaxScore Score = 10000

// ParseScore reads a score written as a plain decimal between 0 and 100 with at most two decimals
// ("85", "92.5", "85.01"; "85.010" too, its third decimal being zero). Exponents, signs other than
// a minus zero, "NaN" and the like are refused: a score sheet never needs them, and reading them
// exactly would invite a number of a million digits.
func ParseScore(n json.Number) (Score, error) {
	s := string(n)
	bad := func(why string) (Score, error) {
		return 0, apperr.New(apperr.Invalid, "%q %s", shorten(s), why)
	}
	neg := strings.HasPrefix(s, "-")
	body := strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(body, ".")
	if whole == "" || !digits(whole) || (hasFrac && (frac == "" || !digits(frac))) {
		if rest := strings.NewReplacer("e", "", "E", "", "+", "", "-", "", ".", "").Replace(body); strings.ContainsAny(body, "eE") && rest != "" && digits(rest) {
			return bad("is written with an exponent: write the score as a plain decimal such as 92.5")
		}
		return bad("is not a number such as 92.5")
	}
	if len(whole) > 1 && whole[0] == '0' {
		return bad("has a leading zero")
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > 2 {
		return bad("has more than two decimals")
	}
	if len(whole) > 3 {
		return bad("is outside 0..100")
	}
	var v int64
	for _, c := range whole {
		v = v*10 + int64(c-'0')
	}
	frac += "00"[len(frac):]
	v = v*100 + int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	if v > int64(MaxScore) || (neg && v != 0) {
		return bad("is outside 0..100")
	}
	return Score(v), nil
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func shorten(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// String writes the score with two decimals: "85.00".
func (s Score) String() string {
	sign := ""
	v := int64(s)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// MarshalJSON writes the score as a JSON number with two decimals (85.00), as the sheets print it.
func (s Score) MarshalJSON() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalJSON reads a JSON number as ParseScore does; a string, even "85", is refused.
func (s *Score) UnmarshalJSON(b []byte) error {
	lit := strings.TrimSpace(string(b))
	if lit == "" || (lit[0] != '-' && (lit[0] < '0' || lit[0] > '9')) {
		return apperr.New(apperr.Invalid, "a score must be a number such as 92.5, not %s", shorten(lit))
	}
	v, err := ParseScore(json.Number(lit))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// average4 is the mean of four scores rounded half-up to hundredths (84.995 → 85.00): the rounding
// the annual commendation states, done on integers so that it is exact.
func average4(sum Score) Score { return (sum + 2) / 4 }
