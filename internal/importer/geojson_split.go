package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"

	"streetchief/internal/apperr"
)

// splitter cuts a FeatureCollection into its members and features without decoding them: it only
// follows strings and brackets, so one goroutine keeps up with several decoding workers. The
// workers check each feature's JSON in full (json.Valid) before reading it.
type splitter struct {
	r   io.Reader
	buf []byte
	pos int
	eof bool
	err error
}

var errEnded = apperr.New(apperr.Malformed, "malformed GeoJSON: the document ends too early")

// fill reads more input; false at the end of it.
func (s *splitter) fill() bool {
	if s.eof {
		return false
	}
	if s.pos > 0 && s.pos > len(s.buf)/2 {
		s.buf = append(s.buf[:0], s.buf[s.pos:]...)
		s.pos = 0
	}
	if cap(s.buf)-len(s.buf) < 64<<10 {
		s.buf = append(make([]byte, 0, 2*cap(s.buf)+256<<10), s.buf...)
	}
	n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
	s.buf = s.buf[:len(s.buf)+n]
	if err != nil {
		s.eof = true
		if !errors.Is(err, io.EOF) {
			s.err = err
		}
	}
	return n > 0 || !s.eof
}

// peek skips white space and returns the next byte.
func (s *splitter) peek() (byte, error) {
	for {
		for s.pos < len(s.buf) {
			switch c := s.buf[s.pos]; c {
			case ' ', '\t', '\n', '\r':
				s.pos++
			default:
				return c, nil
			}
		}
		if !s.fill() {
			if s.err != nil {
				return 0, malformed(s.err)
			}
			return 0, errEnded
		}
	}
}

func (s *splitter) expect(c byte) error {
	got, err := s.peek()
	if err != nil {
		return err
	}
	if got != c {
		return apperr.New(apperr.Malformed, "malformed GeoJSON: expected %q, found %q", c, got)
	}
	s.pos++
	return nil
}

// value returns the next JSON value's bytes (a copy the caller may keep), checked only for
// balanced brackets and closed strings.
func (s *splitter) value() ([]byte, error) {
	if _, err := s.peek(); err != nil {
		return nil, err
	}
	start, i := s.pos, s.pos
	var vs valueScan
	for {
		end, done := vs.end(s.buf, i)
		if done {
			return s.take(start, end), nil
		}
		off := end - start
		if !s.fill() {
			if vs.between() && end > start {
				return s.take(s.pos, len(s.buf)), nil
			}
			if s.err != nil {
				return nil, malformed(s.err)
			}
			return nil, errEnded
		}
		start = s.pos // fill may have moved the bytes
		i = start + off
	}
}

// valueScan finds where a JSON value ends, following only strings and brackets. It keeps its state
// between calls, so a reader can scan what it has, fetch more, and go on.
type valueScan struct {
	depth             int
	inString, escaped bool
}

// end scans b from i: the index just past the value and true, or len(b) and false when b ends
// first. A literal ends before the comma, space or bracket that follows it.
func (v *valueScan) end(b []byte, i int) (int, bool) {
	for ; i < len(b); i++ {
		c := b[i]
		if v.inString {
			switch {
			case v.escaped:
				v.escaped = false
			case c == '\\':
				v.escaped = true
			case c == '"':
				v.inString = false
				if v.depth == 0 {
					return i + 1, true
				}
			}
			continue
		}
		switch c {
		case '"':
			v.inString = true
		case '{', '[':
			v.depth++
		case '}', ']':
			if v.depth == 0 {
				return i, true // a literal ended by its container
			}
			if v.depth--; v.depth == 0 {
				return i + 1, true
			}
		case ',', ' ', '\t', '\n', '\r':
			if v.depth == 0 {
				return i, true
			}
		}
	}
	return len(b), false
}

// between says whether the scan stopped outside every string and bracket: a top-level literal
// that the input's end ends is whole.
func (v *valueScan) between() bool { return v.depth == 0 && !v.inString }

func (s *splitter) take(from, to int) []byte {
	s.pos = to
	return bytes.Clone(s.buf[from:to])
}

// splitFeatures walks the top level of a FeatureCollection and hands the features to send in
// batches; a document that is not one is Malformed.
func splitFeatures(r io.Reader, send func(*featureBatch) bool) error {
	s := &splitter{r: r}
	if err := s.expect('{'); err != nil {
		return err
	}
	var typ string
	sawList := false
	for first := true; ; first = false {
		c, err := s.peek()
		if err != nil {
			return err
		}
		if c == '}' {
			break
		}
		if !first {
			if err := s.expect(','); err != nil {
				return err
			}
		}
		rawKey, err := s.value()
		if err != nil {
			return err
		}
		var key string
		if err := json.Unmarshal(rawKey, &key); err != nil {
			return apperr.New(apperr.Malformed, "malformed GeoJSON: a member name must be a string, found %.40s", rawKey)
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if key != "features" {
			raw, err := s.value()
			if err != nil {
				return err
			}
			if !json.Valid(raw) {
				return apperr.New(apperr.Malformed, "malformed GeoJSON: the value of %q is not JSON", key)
			}
			if key == "type" {
				if err := json.Unmarshal(raw, &typ); err != nil || typ != "FeatureCollection" {
					return apperr.New(apperr.Malformed, "expected a GeoJSON FeatureCollection, got type %s", raw)
				}
			}
			continue
		}
		sawList = true
		if err := s.features(send); err != nil {
			return err
		}
	}
	if typ != "FeatureCollection" || !sawList {
		return apperr.New(apperr.Malformed, `expected a GeoJSON FeatureCollection with "type" and "features"`)
	}
	return nil
}

var errStopped = errors.New("stopped")

func (s *splitter) features(send func(*featureBatch) bool) error {
	if err := s.expect('['); err != nil {
		return err
	}
	b := &featureBatch{done: make(chan struct{})}
	for i := 0; ; i++ {
		c, err := s.peek()
		if err != nil {
			return err
		}
		if c == ']' {
			s.pos++
			break
		}
		if i > 0 {
			if err := s.expect(','); err != nil {
				return err
			}
		}
		raw, err := s.value()
		if err != nil {
			return err
		}
		b.raws = append(b.raws, raw)
		if len(b.raws) == batchSize {
			if !send(b) {
				return errStopped
			}
			b = &featureBatch{start: i + 1, done: make(chan struct{})}
		}
	}
	if len(b.raws) > 0 && !send(b) {
		return errStopped
	}
	return nil
}

// readFeature reads a feature's members without copying them: the geometry and each property stay
// slices of raw. It checks the JSON as it goes — the object's structure here, the geometry in
// fastGeometry (which hands anything it doubts to encoding/json), every other value with json.Valid —
// and leaves anything unusual (a member of the wrong JSON type, escapes in names) to encoding/json,
// which answers as it always did.
func readFeature(raw []byte) (featureIn, error) {
	var f featureIn
	slow := func() (featureIn, error) {
		f = featureIn{}
		return f, json.Unmarshal(raw, &f)
	}
	p := &scanner{b: raw}
	if !p.consume('{') {
		return slow()
	}
	for first := true; ; first = false {
		if p.consume('}') {
			if p.space(); p.i != len(raw) {
				return slow()
			}
			return f, nil
		}
		if !first && !p.consume(',') {
			return slow()
		}
		key, ok := p.simpleString()
		if !ok || !p.consume(':') {
			return slow()
		}
		p.space()
		start := p.i
		if key == "geometry" {
			var ok bool
			if f.parsed, f.parsedType, ok = p.geometry(); !ok {
				f.parsed, p.i = nil, start
				p.skipValue()
				if !json.Valid(raw[start:p.i]) {
					return slow()
				}
			}
			f.Geometry = raw[start:p.i]
			continue
		}
		p.skipValue()
		v := raw[start:p.i]
		if !json.Valid(v) {
			return slow()
		}
		switch key {
		case "type":
			if f.Type, ok = (&scanner{b: v}).simpleString(); !ok && string(v) != "null" {
				return slow()
			}
		case "properties":
			if f.props, ok = readObject(v); !ok {
				return slow()
			}
		}
	}
}

// readObject lists the members of a JSON object (or null) with their raw values.
func readObject(v []byte) ([]property, bool) {
	if string(v) == "null" {
		return nil, true
	}
	p := &scanner{b: v}
	if !p.consume('{') {
		return nil, false
	}
	props := make([]property, 0, 12)
	for first := true; ; first = false {
		if p.consume('}') {
			return props, true
		}
		if !first && !p.consume(',') {
			return nil, false
		}
		key, ok := p.rawString()
		if !ok || !p.consume(':') {
			return nil, false
		}
		p.space()
		start := p.i
		p.skipValue()
		props = append(props, property{key: key, raw: v[start:p.i]})
	}
}
