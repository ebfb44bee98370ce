package duties_test

import (
	"encoding/json"
	"errors"
	"testing"

	"streetchief/internal/apperr"
)

func errorsAs(err error, e **apperr.Error) bool { return errors.As(err, e) }

type featureCollection struct {
	Features []struct {
		ID         any            `json:"id"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
}

func decodeFC(t *testing.T, doc []byte) featureCollection {
	t.Helper()
	var fc featureCollection
	if err := json.Unmarshal(doc, &fc); err != nil {
		t.Fatalf("%v: %s", err, doc)
	}
	return fc
}
