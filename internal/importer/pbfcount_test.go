package importer_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// A second, deliberately separate reader of .osm.pbf files: it walks the protobuf wire format by
// hand (no paulmach/osm, no mapping code), so the counts the import test compares against come from
// an independent reading of the same bytes. It keeps only what the counts need: each object's
// kind, id, tags, and for ways their node ids.

type pbfObject struct {
	typ   byte // 'n', 'w', 'r'
	id    int64
	tags  map[string]string
	nodes []int64 // ways only
}

func readPBFObjects(t *testing.T, path string) []pbfObject {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []pbfObject
	for {
		var n uint32
		if err := binary.Read(f, binary.BigEndian, &n); err == io.EOF {
			return out
		} else if err != nil {
			t.Fatal(err)
		}
		header := make([]byte, n)
		if _, err := io.ReadFull(f, header); err != nil {
			t.Fatal(err)
		}
		var typ string
		var size int
		eachField(t, header, func(num protowire.Number, v []byte, x uint64) {
			switch num {
			case 1:
				typ = string(v)
			case 3:
				size = int(x)
			}
		})
		blob := make([]byte, size)
		if _, err := io.ReadFull(f, blob); err != nil {
			t.Fatal(err)
		}
		if typ != "OSMData" {
			continue
		}
		var data []byte
		eachField(t, blob, func(num protowire.Number, v []byte, _ uint64) {
			switch num {
			case 1:
				data = v
			case 3:
				zr, err := zlib.NewReader(bytes.NewReader(v))
				if err != nil {
					t.Fatal(err)
				}
				if data, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
		})
		out = append(out, primitiveBlock(t, data)...)
	}
}

// eachField calls fn for every field of a message: bytes fields with v, varints with x.
func eachField(t *testing.T, b []byte, fn func(num protowire.Number, v []byte, x uint64)) {
	t.Helper()
	for len(b) > 0 {
		num, wt, n := protowire.ConsumeTag(b)
		if n < 0 {
			t.Fatalf("pbf: bad tag")
		}
		b = b[n:]
		switch wt {
		case protowire.VarintType:
			x, n := protowire.ConsumeVarint(b)
			fn(num, nil, x)
			b = b[n:]
		case protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			fn(num, v, 0)
			b = b[n:]
		default:
			n := protowire.ConsumeFieldValue(num, wt, b)
			if n < 0 {
				t.Fatalf("pbf: bad field %d", num)
			}
			b = b[n:]
		}
	}
}

func packedVarints(b []byte) []uint64 {
	var out []uint64
	for len(b) > 0 {
		x, n := protowire.ConsumeVarint(b)
		out = append(out, x)
		b = b[n:]
	}
	return out
}

func primitiveBlock(t *testing.T, b []byte) []pbfObject {
	var strs []string
	var groups [][]byte
	eachField(t, b, func(num protowire.Number, v []byte, _ uint64) {
		switch num {
		case 1:
			eachField(t, v, func(num protowire.Number, s []byte, _ uint64) {
				if num == 1 {
					strs = append(strs, string(s))
				}
			})
		case 2:
			groups = append(groups, v)
		}
	})
	var out []pbfObject
	for _, g := range groups {
		eachField(t, g, func(num protowire.Number, v []byte, _ uint64) {
			switch num {
			case 1:
				out = append(out, keyedObject(t, 'n', v, strs))
			case 2:
				out = append(out, denseNodes(t, v, strs)...)
			case 3:
				out = append(out, keyedObject(t, 'w', v, strs))
			case 4:
				out = append(out, keyedObject(t, 'r', v, strs))
			}
		})
	}
	return out
}

// keyedObject reads a Node, Way or Relation: id (1), keys (2), vals (3), and a way's refs (8).
func keyedObject(t *testing.T, typ byte, b []byte, strs []string) pbfObject {
	o := pbfObject{typ: typ, tags: map[string]string{}}
	var keys, vals []uint64
	eachField(t, b, func(num protowire.Number, v []byte, x uint64) {
		switch num {
		case 1:
			if typ == 'n' {
				o.id = protowire.DecodeZigZag(x)
			} else {
				o.id = int64(x)
			}
		case 2:
			keys = packedVarints(v)
		case 3:
			vals = packedVarints(v)
		case 8:
			if typ == 'w' {
				var id int64
				for _, d := range packedVarints(v) {
					id += protowire.DecodeZigZag(d)
					o.nodes = append(o.nodes, id)
				}
			}
		}
	})
	for i := range keys {
		o.tags[strs[keys[i]]] = strs[vals[i]]
	}
	return o
}

// denseNodes reads DenseNodes: delta-coded ids (1) and keys_vals (10), 0-terminated per node.
func denseNodes(t *testing.T, b []byte, strs []string) []pbfObject {
	var ids, kv []uint64
	eachField(t, b, func(num protowire.Number, v []byte, _ uint64) {
		switch num {
		case 1:
			ids = packedVarints(v)
		case 10:
			kv = packedVarints(v)
		}
	})
	out := make([]pbfObject, len(ids))
	var id int64
	j := 0
	for i, d := range ids {
		id += protowire.DecodeZigZag(d)
		out[i] = pbfObject{typ: 'n', id: id, tags: map[string]string{}}
		for j < len(kv) && kv[j] != 0 {
			out[i].tags[strs[kv[j]]] = strs[kv[j+1]]
			j += 2
		}
		j++
	}
	return out
}

func (o pbfObject) source() string { return fmt.Sprintf("%c%d", o.typ, o.id) }
