// Package tiles turns in-memory WGS-84 geometries into Mapbox Vector Tiles 2.1: project to tile
// space, clip with a buffer, simplify at lower zooms, drop what degenerates, orient rings as the
// specification asks, aggregate points into clusters and grid cells, marshal (gzipped) with
// orb/encoding/mvt. It is a pure library: orb, rtree, geo and the standard library only — no SQL,
// no HTTP, nothing under internal/.
package tiles

import (
	"bytes"
	"compress/gzip"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
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

// Marshal encodes the layers that have features as one uncompressed tile; an all-empty tile is
// nil, so callers can answer "no content".
func Marshal(layers ...*mvt.Layer) ([]byte, error) {
	var keep mvt.Layers
	for _, l := range layers {
		if l != nil && len(l.Features) > 0 {
			keep = append(keep, l)
		}
	}
	if len(keep) == 0 {
		return nil, nil
	}
	return mvt.Marshal(keep)
}

// MarshalGzipped is Marshal compressed with gzip, the form tiles are cached and served in.
func MarshalGzipped(layers ...*mvt.Layer) ([]byte, error) {
	raw, err := Marshal(layers...)
	if raw == nil || err != nil {
		return nil, err
	}
	return Gzip(raw)
}

// Gzip compresses b.
func Gzip(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(b)/3 + 64)
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// newLayer is an empty MVT layer of the given name. Version 2: the geometry we emit is cleaned
// (integer, deduplicated, oriented, no degenerate rings), which is what v2 promises.
func newLayer(name string) *mvt.Layer {
	return &mvt.Layer{Name: name, Version: 2, Extent: Extent}
}
