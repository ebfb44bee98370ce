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

func TestCheckTextNamesTheFieldOfBadText(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{`{"name":"a\u0000b"}`, "field name: text holds a NUL character"},
		{`{"properties":{"kind":"park","name":"\u0000"}}`, "field properties.name: text holds a NUL"},
		{`{"features":[{},{"properties":{"attributes":{"k":"\ud800"}}}]}`, "field features[1].properties.attributes.k: text holds an unpaired surrogate"},
		{"{\"name\":\"\xff\"}", "field name: text is not valid UTF-8"},
		{`{"a\u0000":1}`, "field (a member name): text holds a NUL"},
		{`{"a":[1,"x",{"b":"\udc00"}]}`, "field a[2].b:"},
	} {
		err := CheckText([]byte(tc.doc))
		if err == nil || !strings.Contains(apperr.Message(err), tc.want) || !apperr.Is(err, apperr.Malformed) {
			t.Errorf("%s: %v, want %q", tc.doc, err, tc.want)
		}
	}
	for _, ok := range []string{`{"name":"街长 \ud83d\ude00 \\u0000 \n"}`, `[]`, `{"a":"\u00e9"}`} {
		if err := CheckText([]byte(ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

func TestDecodeErrorSpeaksJSONNotGo(t *testing.T) {
	var v struct {
		Lon  float64 `json:"lon"`
		ID   int64   `json:"id"`
		Name string  `json:"name"`
	}
	for doc, want := range map[string]string{
		`{"lon":1e999}`: "field lon: 1e999 is not a number in range",
		`{"lon":"x"}`:   "field lon must be a number, not string",
		`{"id":1.5}`:    "field id: 1.5 is not a whole number in range",
		`{"name":{}}`:   "field name must be a string, not object",
		`[]`:            "the document must be an object, not array",
	} {
		err := DecodeError(json.Unmarshal([]byte(doc), &v))
		msg := apperr.Message(err)
		if msg != want || strings.Contains(msg, "Go ") || !apperr.Is(err, apperr.Malformed) {
			t.Errorf("%s: %q, want %q", doc, msg, want)
		}
	}
}
