package tiles

import (
	"math"
	"slices"
	"strings"
	"sync"
)

// The protobuf of MVT 2.1 (vector_tile.proto) written by hand: a tile is repeated Layer (field 3);
// a Layer is name (1), features (2), keys (3), values (4), extent (5), version (15); a Feature is
// id (1), packed tags (2), type (3), packed geometry (4). orb's mvt.Marshal builds geojson
// features, property maps and a protobuf struct tree per tile; this writes the bytes straight from
// the integer geometry, which is the largest single saving on the tile path (docs/tiles.md).

const (
	wireVarint = 0
	wireBytes  = 2
)

// MVT geometry types (GeomType) and commands.
const (
	typePoint   = 1
	typeLine    = 2
	typePolygon = 3

	cmdMoveTo    = 1
	cmdLineTo    = 2
	cmdClosePath = 7
)

// value is a property value in the layer's value table. kind is the Value field it is written as.
type value struct {
	kind uint8 // 1 string, 3 double, 5 uint, 6 sint, 7 bool
	s    string
	n    uint64 // the uint, the zig-zagged sint, the double's bits or the bool
}

// prop is one property of a feature, in key order so tiles come out byte-for-byte the same.
type prop struct {
	key string
	val value
}

// propsOf turns a property map into sorted props; values of other types than strings, integers,
// floats and booleans are left out, as the layer's fields cannot declare them.
func propsOf(m map[string]any) []prop {
	out := make([]prop, 0, len(m))
	for k, v := range m {
		if val, ok := valueOf(v); ok {
			out = append(out, prop{k, val})
		}
	}
	// slices.SortFunc, not sort.Slice: a feature has a handful of properties, and sort.Slice's
	// reflection and closure cost more than the sort itself, once per feature of every layer.
	slices.SortFunc(out, func(a, b prop) int { return strings.Compare(a.key, b.key) })
	return out
}

func valueOf(v any) (value, bool) {
	switch v := v.(type) {
	case string:
		return value{kind: 1, s: v}, true
	case bool:
		if v {
			return value{kind: 7, n: 1}, true
		}
		return value{kind: 7}, true
	case float64:
		return doubleValue(v), true
	case float32:
		return doubleValue(float64(v)), true
	case int:
		return intValue(int64(v)), true
	case int32:
		return intValue(int64(v)), true
	case int64:
		return intValue(v), true
	case uint32:
		return value{kind: 5, n: uint64(v)}, true
	case uint64:
		return value{kind: 5, n: v}, true
	}
	return value{}, false
}

func doubleValue(f float64) value { return value{kind: 3, n: math.Float64bits(f)} }

func intValue(i int64) value {
	if i >= 0 {
		return value{kind: 5, n: uint64(i)}
	}
	return value{kind: 6, n: zigzag64(i)}
}

func zigzag64(i int64) uint64 { return uint64((i << 1) ^ (i >> 63)) }
func zigzag32(i int32) uint32 { return uint32((i << 1) ^ (i >> 31)) }

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendTag(b []byte, field, wire int) []byte { return appendVarint(b, uint64(field<<3|wire)) }

func appendBytesField(b []byte, field int, p []byte) []byte {
	b = appendTag(b, field, wireBytes)
	b = appendVarint(b, uint64(len(p)))
	return append(b, p...)
}

func appendPacked(b []byte, field int, vs []uint32) []byte {
	n := 0
	for _, v := range vs {
		n += varintLen(uint64(v))
	}
	b = appendTag(b, field, wireBytes)
	b = appendVarint(b, uint64(n))
	for _, v := range vs {
		b = appendVarint(b, uint64(v))
	}
	return b
}

func varintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// LayerTile is one MVT layer of one tile, encoded; Marshal joins layers into a tile. Features is
// the number of features in it: a layer without features is left out of the tile.
type LayerTile struct {
	Name     string
	Features int
	framed   []byte // the Layer message as a field of Tile: tag, length, message
}

// encoder writes one layer. Encoders are pooled: their dictionaries and scratch buffers are
// reused from tile to tile, so a tile allocates little beyond its own bytes.
type encoder struct {
	features []byte
	n        int
	keys     map[string]uint32
	keyList  []string
	values   map[value]uint32
	valList  []value

	// a layer dict's indexes → this tile's index + 1 (endIndexed), and which were set
	keyLocal, valLocal []uint32
	usedKeys, usedVals []uint32

	// per feature
	geomType uint32
	geom     []uint32
	tags     []uint32
	cx, cy   int32 // the geometry cursor, which runs on across a feature's parts

	// per ring or line
	pts   []ipoint
	keep  []bool
	stack []int
	hits  []int32
}

type ipoint struct{ x, y int32 }

var encoders = sync.Pool{New: func() any {
	return &encoder{keys: map[string]uint32{}, values: map[value]uint32{}}
}}

func getEncoder() *encoder { return encoders.Get().(*encoder) }

// finish encodes the layer and returns the encoder to the pool.
func (e *encoder) finish(name string) *LayerTile {
	out := &LayerTile{Name: name, Features: e.n}
	if e.n > 0 {
		size := len(e.features) + len(name) + 16
		for _, k := range e.keyList {
			size += len(k) + 4
		}
		for _, v := range e.valList {
			size += len(v.s) + 14
		}
		b := make([]byte, 0, size)
		b = appendTag(b, 3, wireBytes)
		b = append(b, make([]byte, varintLen(uint64(size)))...) // the length, once it is known
		start := len(b)
		b = appendBytesField(b, 1, []byte(name))
		b = append(b, e.features...)
		for _, k := range e.keyList {
			b = appendBytesField(b, 3, []byte(k))
		}
		var vb []byte
		for _, v := range e.valList {
			vb = vb[:0]
			switch v.kind {
			case 1:
				vb = appendBytesField(vb, 1, []byte(v.s))
			case 3:
				vb = appendTag(vb, 3, 1) // fixed64
				for i := range 8 {
					vb = append(vb, byte(v.n>>(8*i)))
				}
			default:
				vb = appendTag(vb, int(v.kind), wireVarint)
				vb = appendVarint(vb, v.n)
			}
			b = appendBytesField(b, 4, vb)
		}
		b = appendTag(b, 5, wireVarint)
		b = appendVarint(b, Extent)
		b = appendTag(b, 15, wireVarint)
		b = appendVarint(b, 2)
		out.framed = fillLength(b, start)
	}
	e.reset()
	encoders.Put(e)
	return out
}

// fillLength writes the length of b[start:] into the bytes reserved before start, moving the message
// when its length took fewer or more bytes than reserved.
func fillLength(b []byte, start int) []byte {
	n := uint64(len(b) - start)
	reserved := start - 1 // the tag is one byte
	if need := varintLen(n); need != reserved {
		msg := append([]byte(nil), b[start:]...)
		b = appendVarint(b[:1], n)
		return append(b, msg...)
	}
	appendVarint(b[1:1], n)
	return b
}

func (e *encoder) reset() {
	e.features = e.features[:0]
	e.n = 0
	clear(e.keys)
	clear(e.values)
	clear(e.keyList) // a pooled encoder must not keep a dropped layer's strings alive
	clear(e.valList)
	e.keyList = e.keyList[:0]
	e.valList = e.valList[:0]
	for _, k := range e.usedKeys {
		e.keyLocal[k] = 0
	}
	for _, v := range e.usedVals {
		e.valLocal[v] = 0
	}
	e.usedKeys, e.usedVals = e.usedKeys[:0], e.usedVals[:0]
	if cap(e.features) > 4<<20 { // one giant tile must not pin its buffer in the pool
		e.features = nil
	}
}

// begin starts a feature of the given geometry type.
func (e *encoder) begin(geomType uint32) {
	e.geomType = geomType
	e.geom = e.geom[:0]
	e.cx, e.cy = 0, 0
}

// end writes the feature begun last, unless its geometry came out empty.
func (e *encoder) end(id uint64, props []prop) {
	if len(e.geom) == 0 {
		return
	}
	e.tags = e.tags[:0]
	for _, p := range props {
		e.tags = append(e.tags, intern(e.keys, &e.keyList, p.key), intern(e.values, &e.valList, p.val))
	}
	e.write(id)
}

// write appends the feature with the geometry in e.geom and the tags in e.tags.
func (e *encoder) write(id uint64) {
	size := 0
	if id != 0 {
		size += 1 + varintLen(id)
	}
	size += packedLen(e.tags) + 2 + packedLen(e.geom)
	e.features = appendTag(e.features, 2, wireBytes)
	e.features = appendVarint(e.features, uint64(size))
	if id != 0 {
		e.features = appendTag(e.features, 1, wireVarint)
		e.features = appendVarint(e.features, id)
	}
	if len(e.tags) > 0 {
		e.features = appendPacked(e.features, 2, e.tags)
	}
	e.features = appendTag(e.features, 3, wireVarint)
	e.features = appendVarint(e.features, uint64(e.geomType))
	e.features = appendPacked(e.features, 4, e.geom)
	e.n++
	e.geom = e.geom[:0] // a feature that writes no geometry must not inherit this one's
}

func packedLen(vs []uint32) int {
	if len(vs) == 0 {
		return 0
	}
	n := 0
	for _, v := range vs {
		n += varintLen(uint64(v))
	}
	return 1 + varintLen(uint64(n)) + n
}

func command(id, count int) uint32 { return uint32(id&0x7) | uint32(count)<<3 }

func (e *encoder) moveTo(p ipoint) {
	e.geom = append(e.geom, command(cmdMoveTo, 1))
	e.delta(p)
}

func (e *encoder) delta(p ipoint) {
	e.geom = append(e.geom, zigzag32(p.x-e.cx), zigzag32(p.y-e.cy))
	e.cx, e.cy = p.x, p.y
}

// points writes a point or multipoint part: one MoveTo with every point.
func (e *encoder) points(pts []ipoint) {
	if len(pts) == 0 {
		return
	}
	e.geom = append(e.geom, command(cmdMoveTo, len(pts)))
	for _, p := range pts {
		e.delta(p)
	}
}

// line writes an open path of two points or more.
func (e *encoder) line(pts []ipoint) {
	e.moveTo(pts[0])
	e.geom = append(e.geom, command(cmdLineTo, len(pts)-1))
	for _, p := range pts[1:] {
		e.delta(p)
	}
}

// ring writes a closed ring given with its closing point, reversed when reverse is set.
func (e *encoder) ring(pts []ipoint, reverse bool) {
	open := pts[:len(pts)-1]
	if reverse {
		slices.Reverse(open[1:]) // the first point stays first: it is also the closing one
	}
	e.moveTo(open[0])
	e.geom = append(e.geom, command(cmdLineTo, len(open)-1))
	for _, p := range open[1:] {
		e.delta(p)
	}
	e.geom = append(e.geom, command(cmdClosePath, 1))
}
