package jsonlist

import (
	"encoding/json"
	"strings"
	"testing"

	"streetchief/internal/apperr"
)

func TestCappedRefusesLongArraysAndKeepsShortOnes(t *testing.T) {
	var doc struct{ Photos Capped[string] }
	doc.Photos = Capped[string]{Max: 2, Field: "photos"}
	if err := json.Unmarshal([]byte(`{"Photos":["a","b"]}`), &doc); err != nil || len(doc.Photos.Items) != 2 || doc.Photos.Items[1] != "b" {
		t.Fatalf("%v %v", err, doc.Photos.Items)
	}
	long := `{"Photos":[` + strings.Repeat(`"",`, 1_000_000) + `""]}`
	err := json.Unmarshal([]byte(long), &doc)
	if !apperr.Is(err, apperr.TooLarge) {
		t.Fatalf("a million items: %v", err)
	}
	if len(doc.Photos.Items) > 2 {
		t.Fatalf("decoded %d items past the cap", len(doc.Photos.Items))
	}
	for _, bad := range []string{`{"Photos":"x"}`, `{"Photos":[1]}`} {
		if err := json.Unmarshal([]byte(bad), &doc); err == nil || apperr.Is(err, apperr.TooLarge) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
