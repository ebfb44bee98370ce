package maptiles

import (
	"context"
	"time"

	"github.com/paulmach/orb/maptile"

	"streetchief/internal/access"
	"streetchief/tiles"
)

// RawTerritoryTile draws a territory layer's tile without gzip, ETag or cache: the bytes
// ST_AsMVT would return, for the benchmarks' like-for-like comparison.
func (s *Service) RawTerritoryTile(layer string, t maptile.Tile) ([]byte, error) {
	now := time.Now()
	terr, err := s.territoryAt(now)
	if err != nil {
		return nil, err
	}
	layers, err := s.draw(context.Background(), access.Principal{}, layer, t, Filter{}, terr, now)
	if err != nil {
		return nil, err
	}
	return tiles.Marshal(layers...), nil
}

// AreasGeneralisation is the areas layer's low-zoom rule, for the SQL baseline to apply too: areas
// under minArea square tile units are left out below fullZoom.
func AreasGeneralisation() (minArea float64, fullZoom maptile.Zoom) {
	return areasMinArea, areasFullZoom
}
