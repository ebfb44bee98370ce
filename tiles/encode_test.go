package tiles

import (
	"bytes"
	"testing"
)

func TestFillLengthMovesTheMessageWhenTheLengthNeedsOtherBytesThanReserved(t *testing.T) {
	for _, tc := range []struct {
		name          string
		reserved, msg int
	}{
		{"fits", 1, 100},
		{"needs more", 1, 200},
		{"needs fewer", 3, 90},
		{"two bytes", 2, 20000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := bytes.Repeat([]byte{0xab}, tc.msg)
			b := append([]byte{0x1a}, make([]byte, tc.reserved)...)
			got := fillLength(append(b, msg...), 1+tc.reserved)
			want := append(appendVarint([]byte{0x1a}, uint64(tc.msg)), msg...)
			if !bytes.Equal(got, want) {
				t.Fatalf("framed %d bytes as % x…, want % x…", tc.msg, got[:4], want[:4])
			}
		})
	}
}
