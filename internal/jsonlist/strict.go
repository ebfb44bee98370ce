package jsonlist

import (
	"bytes"
	"encoding/json"

	"streetchief/internal/apperr"
)

// DecodeStrict reads one JSON object from outside into v: text checked first (CheckText), unknown
// members refused (a misspelt field would otherwise be silently dropped), trailing data refused, and
// errors phrased in JSON's terms (DecodeError).
func DecodeStrict(body []byte, v any) error {
	if err := CheckText(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return DecodeError(err)
	}
	if dec.More() {
		return apperr.New(apperr.Malformed, "malformed JSON: trailing data after the object")
	}
	return nil
}
