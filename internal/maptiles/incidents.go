package maptiles

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"streetchief/internal/access"
	"streetchief/tiles"
)

// maxTilePoints bounds the incidents one tile reads; past it the tile shows the newest ones.
const maxTilePoints = 200_000

// incidentPoint is what a tile needs of an incident: where, what, how it stands — never who.
type incidentPoint struct {
	id         int64
	category   string
	status     string
	overdue    bool
	reportedAt time.Time
	at         orb.Point
}

// incidentPoints reads the incidents in bound that the caller may see and that pass f; openOnly
// keeps the open ones when f names no status. The incident table belongs to internal/incidents;
// this is a read of the columns a map shows, under the same scope rule.
func (s *Service) incidentPoints(ctx context.Context, who access.Principal, bound orb.Bound, f Filter, openOnly bool) ([]incidentPoint, error) {
	// The envelope is in the column's SRID, so the GiST index on location is used.
	args := []any{bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1]}
	conds := []string{"i.location && ST_MakeEnvelope($1, $2, $3, $4, 4326)"}
	scope, args := scopeSQL(who, args)
	conds = append(conds, scope)
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	switch {
	case len(f.Statuses) > 0:
		add("i.status = ANY($%d::text[])", f.Statuses)
	case openOnly:
		conds = append(conds, "i.status NOT IN ('resolved', 'closed', 'rejected', 'duplicate')")
	}
	if f.Category != "" {
		add("i.category = $%d", f.Category)
	}
	if !f.From.IsZero() {
		add("i.reported_at >= $%d", f.From)
	}
	if !f.To.IsZero() {
		add("i.reported_at < $%d", f.To)
	}
	args = append(args, maxTilePoints)
	rows, err := s.db.Query(ctx, `SELECT i.id, i.category, i.status, i.overdue, i.reported_at, ST_X(i.location), ST_Y(i.location)
		FROM incident i WHERE `+strings.Join(conds, " AND ")+fmt.Sprintf(` ORDER BY i.id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("incidents for a tile: %w", err)
	}
	pts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (incidentPoint, error) {
		var p incidentPoint
		err := r.Scan(&p.id, &p.category, &p.status, &p.overdue, &p.reportedAt, &p.at[0], &p.at[1])
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("incidents for a tile: %w", err)
	}
	return pts, nil
}

// scopeSQL is the scope rule of the incident map: the caller's subdistricts and communities, and for
// a department liaison only the incidents their departments join. Anonymous callers see nothing.
func scopeSQL(who access.Principal, args []any) (string, []any) {
	switch {
	case !who.SignedIn():
		return "FALSE", args
	case who.Scope.All:
		return "TRUE", args
	case who.Role == access.DepartmentLiaison:
		args = append(args, who.Scope.Subdistricts, who.Scope.Departments)
		return fmt.Sprintf("(i.subdistrict_id = ANY($%d::bigint[]) AND i.department_ids && $%d::bigint[])", len(args)-1, len(args)), args
	}
	return who.Scope.Predicate("i.subdistrict_id", "i.community_id", args)
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
func heatWeight(p incidentPoint, now time.Time) float64 {
	w := 1 + math.Exp(-float64(ageDays(p.reportedAt, now))/14)
	if p.overdue {
		w *= 2
	}
	return w
}

// incidentLayer draws single incidents, clustered below clusterBelow.
func incidentLayer(pts []incidentPoint, now time.Time) *tiles.Layer {
	feats := make([]tiles.Feature, len(pts))
	for i, p := range pts {
		feats[i] = tiles.Feature{ID: uint64(p.id), Geom: p.at, Props: map[string]any{
			"id": p.id, "category": p.category, "status": p.status, "overdue": p.overdue,
			"age_days": ageDays(p.reportedAt, now), "count": 1,
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

func heatPoints(pts []incidentPoint, now time.Time) []tiles.WeightedPoint {
	out := make([]tiles.WeightedPoint, len(pts))
	for i, p := range pts {
		out[i] = tiles.WeightedPoint{Point: p.at, Weight: heatWeight(p, now)}
	}
	return out
}

// tileBound is tile t widened by pad tile units on every side, in WGS-84.
func tileBound(t maptile.Tile, pad float64) orb.Bound {
	nw := tiles.FromTile(t, orb.Point{-pad, -pad})
	se := tiles.FromTile(t, orb.Point{tiles.Extent + pad, tiles.Extent + pad})
	return orb.Bound{Min: orb.Point{nw[0], se[1]}, Max: orb.Point{se[0], nw[1]}}
}
