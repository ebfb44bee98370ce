package merchants

import (
	"testing"

	"streetchief/internal/apperr"
)

// Real, published codes (the business licences of well-known companies) pass, and so does every
// code the demo makes.
func TestCheckLicenceAcceptsRealCodes(t *testing.T) {
	for _, s := range []string{"914403001922038216", "91440300708461136T", "91330100716105852F", "91110000802100433B"} {
		if err := CheckLicence(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	first := "92350802MA2XY0001"
	if err := CheckLicence(first + string(LicenceCheckChar(first))); err != nil {
		t.Errorf("made code: %v", err)
	}
}

func TestCheckLicenceRefusesBadCodes(t *testing.T) {
	for name, s := range map[string]string{
		"wrong check digit":  "914403001922038217",
		"one digit mistyped": "914403001922038316",
		"two swapped":        "91440300708461163T",
		"too short":          "91440300708461136",
		"too long":           "91440300708461136TT",
		"letter I":           "9144030070846113IT",
		"lower case":         "91440300708461136t",
		"letter in division": "9144A300708461136T",
		"Chinese":            "统一社会信用代码统一社会信用代码统一",
		"empty":              "",
	} {
		err := CheckLicence(s)
		if !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%s (%q): %v, want invalid", name, s, err)
		}
	}
}

func FuzzCheckLicence(f *testing.F) {
	f.Add("91440300708461136T")
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckLicence(s)
		if err == nil && (len(s) != 18 || LicenceCheckChar(s[:17]) != s[17]) {
			t.Fatalf("%q accepted", s)
		}
	})
}
