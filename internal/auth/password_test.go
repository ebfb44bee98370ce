package auth

import (
	"strings"
	"testing"

	"streetchief/internal/apperr"
)

func TestPasswordHashVerifiesOnlyTheRightPassword(t *testing.T) {
	hash, err := hashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not an argon2id PHC string with our parameters", hash)
	}
	again, err := hashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if again == hash {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	tests := []struct {
		name     string
		hash     string
		password string
		want     bool
		wantErr  bool
	}{
		{name: "right password", hash: hash, password: "correct horse battery", want: true},
		{name: "wrong password", hash: hash, password: "correct horse battery!"},
		{name: "empty password", hash: hash, password: ""},
		{name: "not argon2id", hash: strings.Replace(hash, "argon2id", "argon2i", 1), password: "correct horse battery", wantErr: true},
		{name: "huge memory parameter", hash: strings.Replace(hash, "m=19456", "m=4194304", 1), password: "x", wantErr: true},
		{name: "truncated", hash: hash[:30], password: "correct horse battery", wantErr: true},
		{name: "empty", hash: "", password: "x", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := verifyPassword(tc.hash, tc.password)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Fatalf("verify = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCheckPasswordRequiresEightCharacters(t *testing.T) {
	tests := []struct {
		name     string
		password string
		ok       bool
	}{
		{"seven", "1234567", false},
		{"eight", "12345678", true},
		{"eight Chinese characters", "街长巷长街长巷长", true},
		{"too long", strings.Repeat("a", 300), false},
		{"empty", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkPassword(tc.password)
			if tc.ok != (err == nil) {
				t.Fatalf("checkPassword(%q) = %v, want ok %v", tc.password, err, tc.ok)
			}
			if err != nil && !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("code %s, want invalid", apperr.CodeOf(err))
			}
		})
	}
}
