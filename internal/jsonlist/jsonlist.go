// Package jsonlist decodes JSON arrays that outside callers send, with a cap on their length that is
// enforced while decoding: checking len() afterwards lets a body of tens of megabytes of "{}" or ""
// become millions of values in memory before it is refused.
package jsonlist

import (
	"bytes"
	"encoding/json"
	"fmt"

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
	return apperr.New(apperr.Malformed, "malformed JSON: %v", err)
}

// MarshalJSON implements json.Marshaler: the items, as a plain array.
func (c Capped[T]) MarshalJSON() ([]byte, error) { return json.Marshal(c.Items) }
