package lookup

import (
	"testing"
	"unsafe"
)

func TestPackStringsKeepsTextsAndSharesEqualOnes(t *testing.T) {
	a, b, c, empty := "街长", "lane_chief", "lane_chief", ""
	b = b[:4] + b[4:] // a copy made at run time, not a literal the compiler already shares
	packStrings([]*string{&a, &b, &empty, &c})
	if a != "街长" || b != "lane_chief" || c != "lane_chief" || empty != "" {
		t.Fatalf("texts changed: %q %q %q %q", a, b, c, empty)
	}
	if unsafe.StringData(b) != unsafe.StringData(c) {
		t.Error("equal texts should share their bytes")
	}
}
