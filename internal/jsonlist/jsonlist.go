// Package jsonlist decodes JSON arrays that outside callers send, with a cap on their length that is
// enforced while decoding: checking len() afterwards lets a body of tens of megabytes of "{}" or ""
// become millions of values in memory before it is refused.
package jsonlist

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"streetchief/internal/apperr"
)

// Capped is a JSON array of at most Max items. Set Max before decoding; an array with more items
// fails with an apperr.TooLarge error naming Field, after decoding Max+1 of them at most.
type Capped[T any] struct {
	Items []T
	Max   int
	Field string
}

// UnmarshalJSON implements json.Unmarshaler.
func (c *Capped[T]) UnmarshalJSON(b []byte) error {
	c.Items = c.Items[:0]
	if string(bytes.TrimSpace(b)) == "null" {
		c.Items = nil
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return fmt.Errorf("%s must be an array", c.Field)
	}
	for dec.More() {
		if len(c.Items) == c.Max {
			return apperr.New(apperr.TooLarge, "%s may hold at most %d items", c.Field, c.Max).With("field", c.Field)
		}
		var v T
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("%s item %d: %w", c.Field, len(c.Items), err)
		}
		c.Items = append(c.Items, v)
	}
	return nil
}

// DecodeError is the error to answer for a failed decode of a document holding Capped lists: a
// list's own TooLarge error, which names the field and its cap, or else a Malformed one.
func DecodeError(err error) error {
	if apperr.Is(err, apperr.TooLarge) {
		return err
	}
	if apperr.Is(err, apperr.Malformed) {
		return err
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return typeError(typeErr)
	}
	return apperr.New(apperr.Malformed, "malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// Describe is what went wrong in a decode, in words for the caller: DecodeError's message without its
// "malformed JSON: " prefix, for quoting inside another message.
func Describe(err error) string {
	return strings.TrimPrefix(apperr.Message(DecodeError(err)), "malformed JSON: ")
}

// typeError says what a field should hold in the words of JSON, not of Go: encoding/json names the
// Go struct and type ("into Go struct field IntakeFields.lon of type float64").
func typeError(e *json.UnmarshalTypeError) error {
	field := e.Field
	if field == "" {
		field = "the document"
	} else {
		field = "field " + field
	}
	want := "of another type"
	switch e.Type.Kind() {
	case reflect.String:
		want = "a string"
	case reflect.Bool:
		want = "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		want = "a whole number"
	case reflect.Float32, reflect.Float64:
		want = "a number"
	case reflect.Slice, reflect.Array:
		want = "an array"
	case reflect.Map, reflect.Struct:
		want = "an object"
	case reflect.Pointer:
		want = "a value of its kind"
	}
	if n, ok := strings.CutPrefix(e.Value, "number "); ok {
		return apperr.New(apperr.Malformed, "%s: %s is not %s in range", field, n, want).With("field", e.Field)
	}
	return apperr.New(apperr.Malformed, "%s must be %s, not %s", field, want, e.Value).With("field", e.Field)
}

// MarshalJSON implements json.Marshaler: the items, as a plain array.
func (c Capped[T]) MarshalJSON() ([]byte, error) { return json.Marshal(c.Items) }
