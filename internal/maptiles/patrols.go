package maptiles

import (
	"context"
	"hash/fnv"

	"github.com/paulmach/orb/maptile"

	"streetchief/internal/access"
	"streetchief/tiles"
)

// maxTileTracks bounds the tracks one tile reads: a week of a busy community's patrols.
const maxTileTracks = 5_000

// patrolLayer draws the patrols' tracks of one tile as lines, with whose they are and whether they
// are suspect. Tracks are keyed like the merchants layer: by scope, person and second.
func (s *Service) patrolLayer(ctx context.Context, who access.Principal, t maptile.Tile) (*tiles.LayerTile, error) {
	tracks, err := s.patrols.MapTracks(ctx, who, tileBound(t, tiles.Buffer), maxTileTracks)
	if err != nil {
		return nil, err
	}
	feats := make([]tiles.Feature, 0, len(tracks))
	for _, p := range tracks {
		if len(p.Track) < 2 {
			continue
		}
		h := fnv.New64a()
		h.Write([]byte(p.ID))
		feats = append(feats, tiles.Feature{ID: h.Sum64(), Geom: p.Track,
			Props: map[string]any{"id": p.ID, "person": p.PersonName, "day": p.Day, "suspect": p.Suspect}})
	}
	return tiles.NewLayer(LayerPatrols, feats, tiles.Options{MinZoom: patrolsMinZoom}).Render(t), nil
}
