package funds

import (
	"math/big"
	"regexp"
	"testing"
)

var decimal = regexp.MustCompile(`^-?[0-9]+(\.[0-9]{1,2})?$`)

// FuzzParseYuan holds ParseYuan to exact decimal arithmetic: it accepts exactly the decimals of at
// most two places within the bound, and reads each to the fen big.Rat reads it to.
func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{"0", "0.1", "-5.5", "100000000", "100000000.01", "1e300", "1.234", "007.00", "", "-", "1."} {
		f.Add(s)
	}
	limit := new(big.Rat).SetInt64(MaxFen)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseYuan(s)
		want, ok := new(big.Rat).SetString(s)
		if ok {
			want.Mul(want, big.NewRat(100, 1))
		}
		inBounds := ok && want.IsInt() && new(big.Rat).Abs(want).Cmp(limit) <= 0
		if shouldAccept := decimal.MatchString(s) && inBounds; shouldAccept != (err == nil) {
			t.Fatalf("ParseYuan(%q) = %v, %v; accept = %v", s, got, err, shouldAccept)
		}
		if err != nil {
			return
		}
		if want.Num().Int64() != int64(got) {
			t.Fatalf("ParseYuan(%q) = %d fen, want %s", s, got, want.Num())
		}
		if back, err := ParseYuan(got.String()); err != nil || back != got {
			t.Fatalf("%q → %s → %v, %v", s, got, back, err)
		}
	})
}
