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

func TestCheckPasswordRequiresTenCharactersAndNoCommonPassword(t *testing.T) {
	tests := []struct {
		name     string
		password string
		ok       bool
	}{
		{"nine", "123456789", false},
		{"ten", "w9#kq2!vxz", true},
		{"ten Chinese characters", "街长巷长街长巷长街长", true},
		{"common", "1234567890", false},
		{"common in capitals", "QwertyUiop", false},
		{"common with spaces around", "  iloveyou12  ", false},
		{"demo password", DemoPassword("admin"), true},
		{"demo password, longest name", DemoPassword("streetchief"), true},
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

func TestCommonPasswordListIsLoaded(t *testing.T) {
	list := commonPasswords()
	if len(list) < 100_000 {
		t.Fatalf("%d common passwords, want the whole embedded list", len(list))
	}
	for _, p := range list {
		if p != strings.ToLower(p) || len([]rune(p)) < MinPasswordLength {
			t.Fatalf("list entry %q is not lower case or shorter than the minimum", p)
		}
	}
}
