package importer

import (
	"errors"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"streetchief/internal/registry"
)

// errSlowPath says the fast reader met something it leaves to orb's GeoJSON decoder (another
// geometry type, extra members, bad numbers), which then answers exactly as it always did.
var errSlowPath = errors.New("use orb's decoder")

// parseGeometry reads a GeoJSON Polygon, MultiPolygon, LineString or MultiLineString of already
// validated JSON without reflection or a float slice per position: on the bench city this is most
// of the decoding time. Anything else goes through geojson.UnmarshalGeometry.
func parseGeometry(raw []byte) (orb.Geometry, string, error) {
	g, typ, err := fastGeometry(raw)
	if err == nil {
		return g, typ, nil
	}
	og, err := geojson.UnmarshalGeometry(raw)
	if err != nil {
		return nil, "", err
	}
	return og.Coordinates, og.Type, nil
}

func fastGeometry(raw []byte) (orb.Geometry, string, error) {
	p := scanner{b: raw}
	g, typ, ok := p.geometry()
	if p.space(); !ok || p.i != len(raw) {
		return nil, "", errSlowPath
	}
	return g, typ, nil
}

// geometry reads a geometry object from the scanner's position, in one pass when "type" comes
// before "coordinates" (as writers put it), else by coming back to the coordinates.
func (p *scanner) geometry() (orb.Geometry, string, bool) {
	if !p.consume('{') {
		return nil, "", false
	}
	var (
		typ, parsedAs string
		g             orb.Geometry
		coords        []byte
		ok            bool
	)
	for first := true; ; first = false {
		if p.consume('}') {
			break
		}
		if !first && !p.consume(',') {
			return nil, "", false
		}
		key, ok := p.simpleString()
		if !ok || !p.consume(':') {
			return nil, "", false
		}
		switch key {
		case "type":
			if typ, ok = p.simpleString(); !ok {
				return nil, "", false
			}
		case "coordinates":
			if typ != "" && g == nil && coords == nil {
				if g, ok = p.coordinates(typ); !ok {
					return nil, "", false
				}
				parsedAs = typ
				continue
			}
			p.space()
			start := p.i
			if !p.skipArray() {
				return nil, "", false
			}
			coords, g = p.b[start:p.i], nil
		default:
			return nil, "", false
		}
	}
	if coords != nil {
		c := scanner{b: coords}
		if g, ok = c.coordinates(typ); !ok || c.i != len(coords) {
			return nil, "", false
		}
		parsedAs = typ
	}
	if g == nil || parsedAs != typ {
		return nil, "", false
	}
	return g, typ, true
}

// coordinates reads the coordinates of a geometry of type typ; false for other types.
func (c *scanner) coordinates(typ string) (orb.Geometry, bool) {
	switch typ {
	case "Polygon":
		return c.polygon()
	case "MultiPolygon":
		var mp orb.MultiPolygon
		ok := c.list(func() bool {
			poly, ok := c.polygon()
			mp = append(mp, poly)
			return ok
		})
		return mp, ok
	case "LineString":
		return c.line()
	case "MultiLineString":
		var ml orb.MultiLineString
		ok := c.list(func() bool {
			ls, ok := c.line()
			ml = append(ml, ls)
			return ok
		})
		return ml, ok
	}
	return nil, false
}

type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\n' || s.b[s.i] == '\r' || s.b[s.i] == '\t') {
		s.i++
	}
}

func (s *scanner) consume(c byte) bool {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// simpleString reads a string without escapes; with escapes it gives up (the slow path decodes it).
func (s *scanner) simpleString() (string, bool) {
	if !s.consume('"') {
		return "", false
	}
	start := s.i
	for ; s.i < len(s.b); s.i++ {
		switch s.b[s.i] {
		case '\\':
			return "", false
		case '"':
			s.i++
			return string(s.b[start : s.i-1]), true
		}
		if s.b[s.i] < 0x20 {
			return "", false // not JSON
		}
	}
	return "", false
}

// rawString is simpleString without the copy: the bytes between the quotes.
func (s *scanner) rawString() ([]byte, bool) {
	if !s.consume('"') {
		return nil, false
	}
	start := s.i
	for ; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '\\' || c < 0x20:
			return nil, false
		case c == '"':
			s.i++
			return s.b[start : s.i-1], true
		}
	}
	return nil, false
}

// skipArray steps over an array holding only numbers and arrays.
func (s *scanner) skipArray() bool {
	s.space()
	depth := 0
	for ; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; c {
		case '[':
			depth++
		case ']':
			if depth--; depth == 0 {
				s.i++
				return true
			}
		case '"', '{', '}':
			return false
		}
	}
	return false
}

// list reads "[item, item, …]", calling item for each.
func (s *scanner) list(item func() bool) bool {
	if !s.consume('[') {
		return false
	}
	if s.consume(']') {
		return true
	}
	for {
		if !item() {
			return false
		}
		if s.consume(']') {
			return true
		}
		if !s.consume(',') {
			return false
		}
	}
}

func (s *scanner) polygon() (orb.Polygon, bool) {
	var poly orb.Polygon
	ok := s.list(func() bool {
		ls, ok := s.line()
		poly = append(poly, orb.Ring(ls))
		return ok
	})
	return poly, ok
}

func (s *scanner) line() (orb.LineString, bool) {
	ls := make(orb.LineString, 0, 8)
	ok := s.list(func() bool {
		p, ok := s.position()
		ls = append(ls, p)
		return ok
	})
	return ls, ok
}

// position reads [x, y] or [x, y, z, …], keeping x and y as orb does.
func (s *scanner) position() (orb.Point, bool) {
	var p orb.Point
	k := 0
	ok := s.list(func() bool {
		f, ok := s.number()
		if k < 2 {
			p[k] = f
		}
		k++
		return ok
	})
	return p, ok && k >= 2
}

// number reads a number as JSON writes it (strconv alone would also take "01", "+1" or ".5").
func (s *scanner) number() (float64, bool) {
	s.space()
	start := s.i
	s.maybe('-')
	if s.maybe('0') {
		// no more integer digits after a leading zero
	} else if s.digits() == 0 {
		return 0, false
	}
	if s.maybe('.') && s.digits() == 0 {
		return 0, false
	}
	if s.maybe('e') || s.maybe('E') {
		if !s.maybe('+') {
			s.maybe('-')
		}
		if s.digits() == 0 {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(string(s.b[start:s.i]), 64)
	return f, err == nil
}

func (s *scanner) maybe(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *scanner) digits() int {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}

// decodeLinear is registry.DecodeLinear with the fast reader in front for the lines it plainly
// accepts; anything it would question goes to registry.DecodeLinear, which words the answer.
func decodeLinear(raw []byte) (orb.MultiLineString, error) {
	g, _, err := fastGeometry(raw)
	var ml orb.MultiLineString
	switch c := g.(type) {
	case orb.LineString:
		ml = orb.MultiLineString{c}
	case orb.MultiLineString:
		ml = c
	}
	if err != nil || ml == nil || !plainLines(ml) {
		return registry.DecodeLinear(raw)
	}
	return ml, nil
}

func plainLines(ml orb.MultiLineString) bool {
	for _, ls := range ml {
		if len(ls) < 2 {
			return false
		}
		for _, p := range ls {
			if !(p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90) { // false for NaN too
				return false
			}
		}
	}
	return true
}

// skipValue steps over one value of valid JSON.
func (s *scanner) skipValue() {
	s.space()
	var vs valueScan
	s.i, _ = vs.end(s.b, s.i)
}
