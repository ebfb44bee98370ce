package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"streetchief/internal/apperr"
)

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). They are written
// into every hash, so raising them later leaves existing hashes verifiable.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonSaltLen   = 16
	argonKeyLen    = 32

	// Bounds on parameters read back from a stored hash, so a corrupted row cannot make one sign-in
	// allocate gigabytes or spin for minutes.
	maxArgonMemoryKiB = 256 * 1024
	maxArgonTime      = 10
)

var b64 = base64.RawStdEncoding

// checkPassword enforces the password rules.
func checkPassword(password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return apperr.New(apperr.Invalid, "password must be valid UTF-8")
	case n < MinPasswordLength:
		return apperr.New(apperr.Invalid, "password must have at least %d characters", MinPasswordLength)
	case len(password) > maxPasswordLength:
		return apperr.New(apperr.Invalid, "password must have at most %d bytes", maxPasswordLength)
	case isCommonPassword(password):
		return apperr.New(apperr.Invalid, "password is one of the most common passwords, which attackers try first; choose another")
	}
	return nil
}

// hashPassword returns the PHC string of an argon2id hash of password with a fresh salt:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func hashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("stored password hash is not a valid argon2id PHC string")

// verifyPassword reports whether password matches the PHC string encoded. An error means the stored
// hash itself is unusable.
func verifyPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var memory, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil {
		return false, errBadHash
	}
	if memory == 0 || memory > maxArgonMemoryKiB || passes == 0 || passes > maxArgonTime || threads == 0 {
		return false, errBadHash
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 64 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, passes, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
