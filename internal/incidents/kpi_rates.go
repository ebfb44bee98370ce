package incidents

import "fmt"

// Ratio is a rate with the counts it is made of; Rate is Numerator ÷ Denominator rounded half up to
// four decimals, as text so that no float rounding creeps in, and empty where the denominator is 0.
type Ratio struct {
	Numerator   int64  `json:"numerator"`
	Denominator int64  `json:"denominator"`
	Rate        string `json:"rate"`
	Percent     string `json:"percent"`
}

func ratio(num, den int64) Ratio {
	r := Ratio{Numerator: num, Denominator: den}
	if den > 0 {
		q := (num*20000 + den) / (2 * den) // ten-thousandths, half up
		r.Rate = fmt.Sprintf("%d.%04d", q/10000, q%10000)
		r.Percent = fmt.Sprintf("%d.%02d", q/100, q%100)
	}
	return r
}

// cmp orders two ratios by value, exactly; a ratio with no denominator is below every other.
func (r Ratio) cmp(o Ratio) int {
	switch {
	case r.Denominator == 0 && o.Denominator == 0:
		return 0
	case r.Denominator == 0:
		return -1
	case o.Denominator == 0:
		return 1
	}
	a, b := r.Numerator*o.Denominator, o.Numerator*r.Denominator
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Trend compares a rate with the previous period's: "up", "down", "same", or "" where either has no
// denominator; Arrow is the same as ↑ ↓ →.
type Trend struct {
	Direction string `json:"direction"`
	Arrow     string `json:"arrow"`
}

func trend(now, before Ratio) Trend {
	if now.Denominator == 0 || before.Denominator == 0 {
		return Trend{}
	}
	switch now.cmp(before) {
	case 1:
		return Trend{"up", "↑"}
	case -1:
		return Trend{"down", "↓"}
	}
	return Trend{"same", "→"}
}

// leagueOrder ranks by 结案率, then 按期结案率, then the lower 返工率, then more cases, then id.
func leagueOrder(a, b KPIRow) int {
	if c := b.ClosureRate.cmp(a.ClosureRate); c != 0 {
		return c
	}
	if c := b.OnTimeRate.cmp(a.OnTimeRate); c != 0 {
		return c
	}
	if c := a.ReworkRate.cmp(b.ReworkRate); c != 0 {
		return c
	}
	if a.Cases != b.Cases {
		if a.Cases > b.Cases {
			return -1
		}
		return 1
	}
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}
