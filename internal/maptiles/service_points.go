package maptiles

import (
	"context"
	"strconv"

	"github.com/paulmach/orb/maptile"

	"streetchief/tiles"
)

// maxTileServicePoints bounds the service points one tile reads: a district has hundreds.
const maxTileServicePoints = 20_000

// pointsKey is the service points part of a tile's cache key: the current second, as the merchants
// layer, so a point opened, moved or closed shows within a second. The layer is public and the same
// for everyone, so the caller is not part of it.
func (s *Service) pointsKey() string { return "t" + strconv.FormatInt(s.now().Unix(), 36) }

// pointLayer draws the open service points of one tile with their kind and name, nothing personal.
func (s *Service) pointLayer(ctx context.Context, t maptile.Tile) (*tiles.LayerTile, error) {
	pts, err := s.points.MapPoints(ctx, tileBound(t, tiles.Buffer), maxTileServicePoints)
	if err != nil {
		return nil, err
	}
	feats := make([]tiles.Feature, len(pts))
	for i, p := range pts {
		feats[i] = tiles.Feature{ID: uint64(p.ID), Geom: p.At, Props: map[string]any{"id": p.ID, "type": p.Type, "name": p.Name}}
	}
	return tiles.NewLayer(LayerServicePoints, feats, tiles.Options{MinZoom: pointsMinZoom}).Render(t), nil
}
