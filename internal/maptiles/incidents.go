package maptiles

import (
	"context"
	"math"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"streetchief/internal/access"
	"streetchief/internal/incidents"
	"streetchief/tiles"
)

// maxTilePoints bounds the incidents one tile reads; past it the tile shows the newest ones.
const maxTilePoints = 200_000

// incidentPoints reads the incidents in bound that the caller may see and that pass f, through the
// incidents service, which owns the table and the read rule; openOnly keeps the open ones when f
// names no status.
func (s *Service) incidentPoints(ctx context.Context, who access.Principal, bound orb.Bound, f Filter, openOnly bool) ([]incidents.MapPoint, error) {
	mf := f.mapFilter()
	mf.Bound, mf.OpenOnly, mf.Limit = bound, openOnly, maxTilePoints
	return s.incidents.MapPoints(ctx, who, mf)
}

// ageDays is whole days since the report, as of now.
func ageDays(reported, now time.Time) int {
	if d := now.Sub(reported); d > 0 {
		return int(d / (24 * time.Hour))
	}
	return 0
}

// heatWeight makes recent and overdue incidents count more: overdue doubles, and a fresh report
// counts up to twice as much as an old one, fading with a two-week time constant.
func heatWeight(p incidents.MapPoint, now time.Time) float64 {
	w := 1 + math.Exp(-float64(ageDays(p.ReportedAt, now))/14)
	if p.Overdue {
		w *= 2
	}
	return w
}

// incidentLayer draws single incidents, clustered below clusterBelow.
func incidentLayer(pts []incidents.MapPoint, now time.Time) *tiles.Layer {
	feats := make([]tiles.Feature, len(pts))
	for i, p := range pts {
		feats[i] = tiles.Feature{ID: uint64(p.ID), Geom: p.At, Props: map[string]any{
			"id": p.ID, "category": p.Category, "status": string(p.Status), "overdue": p.Overdue,
			"age_days": ageDays(p.ReportedAt, now), "count": 1,
		}}
	}
	return tiles.NewLayer(LayerIncidents, feats, tiles.Options{
		MinZoom: incidentsMinZoom, ClusterBelow: clusterBelow,
		ClusterProps: func(members []*tiles.Feature) map[string]any {
			overdue := 0
			for _, m := range members {
				if m.Props["overdue"] == true {
					overdue++
				}
			}
			return map[string]any{"count": len(members), "overdue_count": overdue}
		},
	})
}

func heatPoints(pts []incidents.MapPoint, now time.Time) []tiles.WeightedPoint {
	out := make([]tiles.WeightedPoint, len(pts))
	for i, p := range pts {
		out[i] = tiles.WeightedPoint{Point: p.At, Weight: heatWeight(p, now)}
	}
	return out
}

// tileBound is tile t widened by pad tile units on every side, in WGS-84.
func tileBound(t maptile.Tile, pad float64) orb.Bound {
	nw := tiles.FromTile(t, orb.Point{-pad, -pad})
	se := tiles.FromTile(t, orb.Point{tiles.Extent + pad, tiles.Extent + pad})
	return orb.Bound{Min: orb.Point{nw[0], se[1]}, Max: orb.Point{se[0], nw[1]}}
}
