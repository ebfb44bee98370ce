package merchants

import (
	"strings"

	"streetchief/internal/apperr"
)

// licenceChars are the 31 characters of a 统一社会信用代码 (unified social credit code, GB 32100-2015)
// in the order of their values: the digits and the capitals without I, O, Z, S and V, which are too
// easily misread.
const licenceChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// licenceWeights are the standard's weights of the first 17 positions: 3^i mod 31.
var licenceWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CheckLicence verifies a 统一社会信用代码: 18 characters from the standard's set, the 7th to 8th
// positions' administrative division digits, and the check character in the 18th position
// (31 − Σ value×weight mod 31). A typing slip in any one character changes the check.
func CheckLicence(s string) error {
	if len(s) != 18 {
		return apperr.New(apperr.Invalid, "licence number %q must be 18 characters, has %d", clip(s, 40), len([]rune(s))).With("field", "licence_no")
	}
	sum := 0
	for i := range 18 {
		v := strings.IndexByte(licenceChars, s[i])
		if v < 0 {
			return apperr.New(apperr.Invalid, "licence number %q: character %d (%q) is not one of %s", s, i+1, s[i], licenceChars).With("field", "licence_no")
		}
		if i >= 2 && i < 8 && v > 9 {
			return apperr.New(apperr.Invalid, "licence number %q: positions 3 to 8 are the division code, digits only", s).With("field", "licence_no")
		}
		if i < 17 {
			sum += v * licenceWeights[i]
		}
	}
	want := licenceChars[(31-sum%31)%31]
	if s[17] != want {
		return apperr.New(apperr.Invalid, "licence number %s has a wrong check character: %c, the first 17 give %c", s, s[17], want).With("field", "licence_no")
	}
	return nil
}

// LicenceCheckChar is the check character of the first 17 characters of a licence number, for
// making valid numbers (the demo's shops, tests).
func LicenceCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17 && i < len(first17); i++ {
		sum += strings.IndexByte(licenceChars, first17[i]) * licenceWeights[i]
	}
	return licenceChars[(31-sum%31)%31]
}

// normaliseLicence is what registers write: capitals, no spaces around.
func normaliseLicence(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// clip shortens s for an error message.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
