// Package tiles turns in-memory WGS-84 geometries into Mapbox Vector Tiles 2.1: project to tile
// space, clip with a buffer, simplify at lower zooms, drop what degenerates, orient rings as the
// specification asks, aggregate points into clusters and grid cells, and write the protobuf
// (gzipped) directly. It is a pure library: orb, rtree, geo and the standard library only — no
// SQL, no HTTP, nothing under internal/.
package tiles

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

const (
	// Extent is the size of a tile in tile units (MVT's default).
	Extent = 4096
	// Buffer is how far past the tile edge geometry is kept, in tile units, so strokes and labels
	// that straddle an edge draw seamlessly.
	Buffer = 64
	// MaxZoom is the deepest zoom served; deeper tiles would only overzoom the same data.
	MaxZoom = 22
)

// Feature is one thing to draw: geometry in WGS-84 longitude/latitude and its properties. Property
// values must be strings, integers, floats or booleans; a layer gives each name one type.
type Feature struct {
	ID    uint64
	Geom  orb.Geometry
	Props map[string]any
}

// Valid reports whether z/x/y names a tile of the world up to MaxZoom.
func Valid(z, x, y uint64) bool {
	if z > MaxZoom {
		return false
	}
	n := uint64(1) << z
	return x < n && y < n
}

// Tile returns the tile z/x/y or an error saying what is out of range.
func Tile(z, x, y uint64) (maptile.Tile, error) {
	if !Valid(z, x, y) {
		if z > MaxZoom {
			return maptile.Tile{}, fmt.Errorf("zoom %d is out of range 0–%d", z, MaxZoom)
		}
		return maptile.Tile{}, fmt.Errorf("x and y must be below %d at zoom %d", uint64(1)<<z, z)
	}
	return maptile.New(uint32(x), uint32(y), maptile.Zoom(z)), nil
}

// Marshal joins the layers that have features into one uncompressed tile; an all-empty tile is
// nil, so callers can answer "no content". A tile of one layer shares that layer's bytes.
func Marshal(layers ...*LayerTile) []byte {
	size, n, last := 0, 0, (*LayerTile)(nil)
	for _, l := range layers {
		if l != nil && l.Features > 0 {
			size, n, last = size+len(l.framed), n+1, l
		}
	}
	switch n {
	case 0:
		return nil
	case 1:
		return last.framed
	}
	b := make([]byte, 0, size)
	for _, l := range layers {
		if l != nil && l.Features > 0 {
			b = append(b, l.framed...)
		}
	}
	return b
}

// MarshalGzipped is Marshal compressed with gzip, the form tiles are cached and served in.
func MarshalGzipped(layers ...*LayerTile) ([]byte, error) {
	raw := Marshal(layers...)
	if raw == nil {
		return nil, nil
	}
	return Gzip(raw)
}

type gzipper struct {
	zw  *gzip.Writer
	buf bytes.Buffer
}

// gzipLevel trades a little size for a lot of time: on the golden tiles level 4 is 3 % larger
// than the default level 6 and 2.7 times faster, and gzip was most of the uncached Go path's time.
const gzipLevel = 4

// gzippers reuse the compressor's state: a fresh gzip.Writer allocates about a megabyte of
// tables, more than most tiles weigh.
var gzippers = sync.Pool{New: func() any {
	g := &gzipper{}
	g.zw, _ = gzip.NewWriterLevel(&g.buf, gzipLevel) // the level is valid, so there is no error
	return g
}}

// Gzip compresses b at gzipLevel.
func Gzip(b []byte) ([]byte, error) {
	g := gzippers.Get().(*gzipper)
	defer gzippers.Put(g)
	g.buf.Reset()
	g.zw.Reset(&g.buf)
	if _, err := g.zw.Write(b); err != nil {
		return nil, err
	}
	if err := g.zw.Close(); err != nil {
		return nil, err
	}
	out := bytes.Clone(g.buf.Bytes())
	if g.buf.Cap() > 4<<20 {
		g.buf = bytes.Buffer{} // one giant tile must not pin its buffer in the pool
	}
	return out, nil
}
