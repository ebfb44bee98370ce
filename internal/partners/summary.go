package partners

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
)

// CommunitySummary counts a community's residential compounds at a moment: how many have a
// property manager under contract, a residents' team, and neither (the gap).
type CommunitySummary struct {
	SubdistrictID   int64  `json:"subdistrict_id"`
	SubdistrictName string `json:"subdistrict"`
	CommunityID     int64  `json:"community_id"`
	CommunityName   string `json:"community"`
	Compounds       int    `json:"compounds"`
	WithManager     int    `json:"with_manager"`
	WithTeam        int    `json:"with_team"`
	Neither         int    `json:"neither"`
	BuildingReps    int    `json:"building_reps"`
}

// Summary counts the compounds of each community in the caller's scope at at (zero: now).
func (s *Service) Summary(ctx context.Context, who access.Principal, at time.Time) ([]CommunitySummary, error) {
	if err := canRead(who); err != nil {
		return nil, err
	}
	if at.IsZero() {
		at = s.now()
	}
	pred, args := who.Scope.Predicate("a.subdistrict_id", "a.community_id", []any{CompoundKind, at})
	rows, err := s.db.Query(ctx, `WITH c AS (
			SELECT a.id, a.subdistrict_id, a.community_id,
				EXISTS (SELECT 1 FROM compound_partner_standing s WHERE s.area_id = a.id AND s.kind = 'property_manager' AND s.valid @> $2::timestamptz) AS managed,
				EXISTS (SELECT 1 FROM compound_partner_standing s WHERE s.area_id = a.id AND s.kind = 'residents_team' AND s.valid @> $2::timestamptz) AS teamed,
				(SELECT count(*) FROM compound_partner_standing s WHERE s.area_id = a.id AND s.kind = 'building_rep' AND s.valid @> $2::timestamptz) AS reps
			FROM area_directory a WHERE a.kind = $1 AND `+pred+`)
		SELECT COALESCE(c.subdistrict_id, 0), COALESCE(sd.name, ''), COALESCE(c.community_id, 0), COALESCE(cm.name, ''),
			count(*)::int, count(*) FILTER (WHERE managed)::int, count(*) FILTER (WHERE teamed)::int,
			count(*) FILTER (WHERE NOT managed AND NOT teamed)::int, COALESCE(sum(reps), 0)::int
		FROM c LEFT JOIN unit_directory sd ON sd.id = c.subdistrict_id LEFT JOIN unit_directory cm ON cm.id = c.community_id
		GROUP BY 1, 2, 3, 4 ORDER BY 2, 4`, args...)
	if err != nil {
		return nil, fmt.Errorf("compound summary: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CommunitySummary, error) {
		var x CommunitySummary
		return x, r.Scan(&x.SubdistrictID, &x.SubdistrictName, &x.CommunityID, &x.CommunityName, &x.Compounds, &x.WithManager,
			&x.WithTeam, &x.Neither, &x.BuildingReps)
	})
	if err != nil {
		return nil, fmt.Errorf("compound summary: %w", err)
	}
	return out, nil
}
