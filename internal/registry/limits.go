package registry

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"streetchief/internal/apperr"
	"streetchief/internal/jsonlist"
)

// The limits on what the registry stores, checked on every path in (the API's single writes, GeoJSON
// and OSM imports) by the functions below. They are set to fit the data with room to spare — the
// longest admin unit name in the national gazetteer is under 40 characters, a district boundary
// traced from OSM has some tens of thousands of vertices — and to keep one row from costing the
// lookup snapshot, a tile or a public page what a thousand ordinary ones do. docs/import.md lists
// them beside the incident limits (incidents.MaxDescription and the photo limits).
const (
	MaxNameChars        = 200       // names of areas, admin units, people, departments
	MaxCodeChars        = 64        // admin unit and department codes, import keys
	MaxPhoneChars       = 32        // a phone number with its extension
	MaxOrgChars         = 200       // a person's organisation
	MaxNoteChars        = 4000      // an assignment's note (as incidents.MaxDescription)
	MaxAttributesBytes  = 16 << 10  // an attributes object, as JSON
	MaxAttributeKeys    = 200       // members of an attributes object (OSM tags of one way are fewer)
	MaxVertices         = 100_000   // positions in one area's or admin unit's geometry
	MaxImportVertices   = 5_000_000 // positions in one import, all features together
	MaxCentrelineVertex = 20_000    // positions in one road's or river's centreline
)

// CheckText checks one text field: valid UTF-8, no control characters other than tab and newline
// (a NUL cannot be stored at all), and at most max characters. The error is Invalid and names the field.
func CheckText(field, s string, max int) error {
	if !utf8.ValidString(s) {
		return apperr.New(apperr.Invalid, "%s is not valid UTF-8 text", field).With("field", field)
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' }); i >= 0 {
		return apperr.New(apperr.Invalid, "%s holds a control character (%U)", field, []rune(s[i:])[0]).With("field", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return apperr.New(apperr.Invalid, "%s is %d characters; at most %d", field, n, max).With("field", field)
	}
	return nil
}

// checkTexts runs CheckText on field/value/max triples, answering the first failure.
func checkTexts(fields ...any) error {
	for i := 0; i+2 < len(fields); i += 3 {
		if err := CheckText(fields[i].(string), fields[i+1].(string), fields[i+2].(int)); err != nil {
			return err
		}
	}
	return nil
}

// checkAttributes bounds an attributes object by its members and its size as JSON, and checks its
// text (member names and string values at any depth) as CheckText does, without a length.
func checkAttributes(m map[string]any) error {
	if len(m) > MaxAttributeKeys {
		return apperr.New(apperr.Invalid, "attributes have %d members; at most %d", len(m), MaxAttributeKeys).With("field", "attributes")
	}
	if err := walkText("attributes", m); err != nil {
		return err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return apperr.New(apperr.Invalid, "attributes: %v", err).With("field", "attributes")
	}
	return checkAttributesJSON(b)
}

// checkAttributesJSON is checkAttributes for an object already held as JSON.
func checkAttributesJSON(raw []byte) error {
	if len(raw) > MaxAttributesBytes {
		return apperr.New(apperr.Invalid, "attributes are %d bytes as JSON; at most %d", len(raw), MaxAttributesBytes).With("field", "attributes")
	}
	if err := jsonlist.CheckText(raw); err != nil {
		return apperr.New(apperr.Invalid, "attributes: %s", apperr.Message(err)).With("field", "attributes")
	}
	if len(raw) > 6*MaxAttributeKeys { // `"k":0,` is the shortest member: fewer bytes cannot hold too many
		var members map[string]json.RawMessage
		if json.Unmarshal(raw, &members) == nil && len(members) > MaxAttributeKeys {
			return apperr.New(apperr.Invalid, "attributes have %d members; at most %d", len(members), MaxAttributeKeys).With("field", "attributes")
		}
	}
	return nil
}

func walkText(path string, v any) error {
	switch v := v.(type) {
	case string:
		if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
			return apperr.New(apperr.Invalid, "%s is not text (invalid UTF-8 or NUL)", path).With("field", path)
		}
	case map[string]any:
		for k, e := range v {
			if err := walkText(path+" member name", k); err != nil {
				return err
			}
			if err := walkText(path+"."+k, e); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range v {
			if err := walkText(fmt.Sprintf("%s[%d]", path, i), e); err != nil {
				return err
			}
		}
	}
	return nil
}

// vertexCount counts the positions of a geometry.
func vertexCount(g orb.Geometry) int {
	n := 0
	switch g := g.(type) {
	case orb.Polygon:
		for _, r := range g {
			n += len(r)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			n += vertexCount(p)
		}
	case orb.LineString:
		n = len(g)
	case orb.MultiLineString:
		for _, l := range g {
			n += len(l)
		}
	}
	return n
}

// checkVertices bounds one geometry's positions.
func checkVertices(what string, g orb.Geometry, max int) error {
	if n := vertexCount(g); n > max {
		return apperr.New(apperr.Invalid, "%s has %d positions; at most %d (simplify it, or split it into several)", what, n, max).With("field", what)
	}
	return nil
}
