package jsonlist

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"streetchief/internal/apperr"
)

// CheckText refuses a JSON document whose strings encoding/json would change without a word or
// PostgreSQL could not store: bytes that are not UTF-8 and unpaired surrogate escapes (both decoded
// as U+FFFD, so a name would be stored with replacement characters in it), and \u0000 (no text or
// jsonb column holds NUL; the insert fails). Call it on the raw document before decoding it. The
// error is Malformed and names the field as a dotted path ("properties.name", "features[3].id").
func CheckText(doc []byte) error {
	off, why := badText(doc)
	if off < 0 {
		return nil
	}
	field := fieldAt(doc, off)
	if field == "" {
		return apperr.New(apperr.Malformed, "malformed JSON: %s at byte %d", why, off)
	}
	return apperr.New(apperr.Malformed, "field %s: %s", field, why).With("field", field)
}

// badText is the offset of the first bad text in doc and what is wrong with it, or -1. Backslashes
// occur only inside strings in JSON, so escapes are found without tracking strings; what is not
// JSON at all is left to the decoder.
func badText(doc []byte) (int, string) {
	if !utf8.Valid(doc) {
		for i := 0; i < len(doc); {
			r, n := utf8.DecodeRune(doc[i:])
			if r == utf8.RuneError && n == 1 {
				return i, "text is not valid UTF-8"
			}
			i += n
		}
	}
	for i := 0; ; {
		j := bytes.IndexByte(doc[i:], '\\')
		if j < 0 || i+j+1 >= len(doc) {
			return -1, ""
		}
		i += j
		if doc[i+1] != 'u' {
			i += 2
			continue
		}
		r, ok := hex4(doc, i+2)
		switch {
		case !ok:
			i += 2 // the decoder refuses it
		case r == 0:
			return i, `text holds a NUL character (\u0000)`
		case r >= 0xD800 && r < 0xDC00:
			if lo, ok := hex4(doc, i+8); ok && i+7 < len(doc) && doc[i+6] == '\\' && doc[i+7] == 'u' && lo >= 0xDC00 && lo < 0xE000 {
				i += 12
				continue
			}
			return i, "text holds an unpaired surrogate escape (\\u" + string(doc[i+2:i+6]) + ")"
		case r >= 0xDC00 && r < 0xE000:
			return i, "text holds an unpaired surrogate escape (\\u" + string(doc[i+2:i+6]) + ")"
		default:
			i += 6
		}
	}
}

func hex4(doc []byte, at int) (rune, bool) {
	if at+4 > len(doc) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(doc[at:at+4]), 16, 32)
	return rune(v), err == nil
}

// fieldAt walks doc's tokens to the one holding byte off and names its place. It runs only when
// something is wrong, so its cost does not matter.
func fieldAt(doc []byte, off int) string {
	var stack []level
	path := func(last string) string {
		var b strings.Builder
		for _, l := range stack {
			switch {
			case l.object && l.wantValue:
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(l.key)
			case !l.object:
				fmt.Fprintf(&b, "[%d]", l.index)
			}
		}
		if last != "" {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(last)
		}
		return b.String()
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) || err != nil {
			return ""
		}
		end := int(dec.InputOffset())
		var top *level
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				stack = append(stack, level{object: d == '{'})
			case '}', ']':
				stack = stack[:len(stack)-1]
				if len(stack) > 0 {
					advance(&stack[len(stack)-1])
				}
			}
			continue
		}
		if top != nil && top.object && !top.wantValue {
			key, _ := tok.(string)
			if end > off {
				return strings.TrimSpace(path("") + " (a member name)")
			}
			top.key, top.wantValue = key, true
			continue
		}
		if end > off {
			return path("")
		}
		if top != nil {
			advance(top)
		}
	}
}

// level is one open object or array on the way to a token.
type level struct {
	object    bool
	key       string // the member being read, when wantValue
	index     int
	wantValue bool
}

func advance(l *level) {
	if l.object {
		l.wantValue = false
	} else {
		l.index++
	}
}
