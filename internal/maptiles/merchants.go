package maptiles

import (
	"context"
	"strconv"

	"github.com/paulmach/orb/maptile"

	"streetchief/internal/access"
	"streetchief/internal/merchants"
	"streetchief/tiles"
)

// maxTileShops bounds the shops one tile reads: a dense market street has a few thousand.
const maxTileShops = 100_000

// merchantsKey is the merchant part of a tile's cache key: the caller's scope, and for an
// inspector the person (their shops are the ones they check), and the current second, so a new
// pledge, inspector or inspection shows within a second.
func (s *Service) merchantsKey(who access.Principal) string {
	k := scopeKey(who) + "|t" + strconv.FormatInt(s.now().Unix(), 36)
	if who.Role == access.Inspector {
		k += "|i" + strconv.FormatInt(who.PersonID, 36)
	}
	return k
}

// merchantLayer draws the shops of one tile, coloured by state; below clusterBelow they are
// clustered, with a count per state so a cluster can be coloured by its worst.
func (s *Service) merchantLayer(ctx context.Context, who access.Principal, t maptile.Tile) (*tiles.LayerTile, error) {
	pad := 0.0
	if t.Z >= clusterBelow {
		pad = tiles.Buffer
	}
	shops, err := s.merchants.MapShops(ctx, who, tileBound(t, pad), maxTileShops)
	if err != nil {
		return nil, err
	}
	feats := make([]tiles.Feature, len(shops))
	for i, m := range shops {
		feats[i] = tiles.Feature{ID: uint64(m.ID), Geom: m.At, Props: map[string]any{"id": m.ID, "state": string(m.State), "count": 1}}
	}
	l := tiles.NewLayer(LayerMerchants, feats, tiles.Options{
		MinZoom: merchantsMinZoom, ClusterBelow: clusterBelow,
		ClusterProps: func(members []*tiles.Feature) map[string]any {
			n := map[string]int{}
			for _, m := range members {
				n[m.Props["state"].(string)]++
			}
			return map[string]any{"count": len(members), "no_pledge_count": n[string(merchants.StateNoPledge)],
				"no_inspector_count": n[string(merchants.StateNoInspector)], "inspected_today_count": n[string(merchants.StateInspectedToday)],
				"repeat_offender_count": n[string(merchants.StateRepeatOffender)]}
		},
	})
	return l.Render(t), nil
}
