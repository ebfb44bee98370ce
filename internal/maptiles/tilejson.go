package maptiles

import (
	"math"
	"strings"

	"streetchief/internal/apperr"
)

// TileJSON is a TileJSON 3.0.0 document describing one tile endpoint.
type TileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name"`
	Description  string        `json:"description"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       [4]float64    `json:"bounds"`
	Center       [3]float64    `json:"center"`
	VectorLayers []VectorLayer `json:"vector_layers"`
}

// IndexEntry lists one endpoint in the tile index.
type IndexEntry struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Access      string   `json:"access"` // "public" or "signed-in"
	Filters     []string `json:"filters"`
	TileJSON    string   `json:"tilejson"`
	Tiles       string   `json:"tiles"`
}

// TileURL is the URL template of a layer's tiles under base (scheme and host, no trailing slash).
func TileURL(base, layer string) string { return base + "/tiles/" + layer + "/{z}/{x}/{y}.mvt" }

// TileJSON describes a layer; its tile URL carries the filter, so a map built from it stays filtered.
func (s *Service) TileJSON(base, layer string, f Filter) (TileJSON, error) {
	info, ok := Layer(layer)
	if !ok {
		return TileJSON{}, apperr.New(apperr.NotFound, "no tile layer %q", layer)
	}
	url := TileURL(base, layer)
	if info.Filtered {
		if q := f.Query().Encode(); q != "" {
			url += "?" + q
		}
	}
	doc := TileJSON{TileJSON: "3.0.0", Name: info.Name, Description: info.Description, Scheme: "xyz",
		Tiles: []string{url}, MinZoom: info.MinZoom, MaxZoom: info.MaxZoom,
		Bounds: [4]float64{-180, -85.0511, 180, 85.0511}, Center: [3]float64{0, 0, float64(info.MinZoom)},
		VectorLayers: info.VectorLayers}
	if terr, err := s.territoryAt(s.now()); err == nil && terr.hasData {
		b := terr.bound
		doc.Bounds = [4]float64{round6(b.Min[0]), round6(b.Min[1]), round6(b.Max[0]), round6(b.Max[1])}
		c := b.Center()
		doc.Center = [3]float64{round6(c[0]), round6(c[1]), float64(max(info.MinZoom, 13))}
	}
	return doc, nil
}

// Index lists every tile endpoint.
func (s *Service) Index(base string) []IndexEntry {
	out := make([]IndexEntry, 0, len(catalog))
	for _, l := range catalog {
		e := IndexEntry{Name: l.Name, Description: l.Description, Access: "public", Filters: []string{},
			TileJSON: base + "/tiles/" + l.Name + ".json", Tiles: TileURL(base, l.Name)}
		if !l.Public {
			e.Access = "signed-in"
		}
		if l.Filtered {
			e.Filters = strings.Fields("from to category status")
		}
		out = append(out, e)
	}
	return out
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }
