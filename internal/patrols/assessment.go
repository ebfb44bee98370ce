package patrols

import (
	"context"
	"fmt"
	"time"
)

// PeriodFigures are one subdistrict's patrols in a period, for the assessment: how many ended and how
// many of those the proof rules flagged, and how many of its areas a credible patrol covered.
type PeriodFigures struct {
	Patrols, Suspect int64
	// Areas are the subdistrict's areas now; AreasPatrolled those of them that at least one
	// patrol the rules did not flag covered to the rules' min_coverage between from and to.
	Areas, AreasPatrolled int64
}

// FiguresBetween answers PeriodFigures per subdistrict for patrols started in [from, to). A flagged
// patrol counts in Suspect and never towards an area patrolled: faked work earns nothing.
func (s *Store) FiguresBetween(ctx context.Context, from, to time.Time) (map[int64]PeriodFigures, error) {
	out := map[int64]PeriodFigures{}
	rows, err := s.db.Query(ctx, `SELECT subdistrict_id, count(*), count(*) FILTER (WHERE suspect) FROM patrol
		WHERE state = 'ended' AND started_at >= $1 AND started_at < $2 AND subdistrict_id IS NOT NULL GROUP BY 1`, from, to)
	if err != nil {
		return nil, fmt.Errorf("patrol figures: %w", err)
	}
	for rows.Next() {
		var sub, n, suspect int64
		if err := rows.Scan(&sub, &n, &suspect); err != nil {
			return nil, fmt.Errorf("patrol figures: %w", err)
		}
		f := out[sub]
		f.Patrols, f.Suspect = n, suspect
		out[sub] = f
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("patrol figures: %w", err)
	}
	rows, err = s.db.Query(ctx, `WITH covered AS (SELECT DISTINCT pa.area_id FROM patrol_area pa JOIN patrol p ON p.id = pa.patrol_id
			WHERE p.state = 'ended' AND NOT p.suspect AND p.started_at >= $1 AND p.started_at < $2 AND pa.coverage >= $3)
		SELECT a.subdistrict_id, count(*), count(c.area_id) FROM area_directory a LEFT JOIN covered c ON c.area_id = a.id
		WHERE a.subdistrict_id IS NOT NULL GROUP BY 1`, from, to, s.rules.MinCoverage)
	if err != nil {
		return nil, fmt.Errorf("areas patrolled: %w", err)
	}
	for rows.Next() {
		var sub, areas, patrolled int64
		if err := rows.Scan(&sub, &areas, &patrolled); err != nil {
			return nil, fmt.Errorf("areas patrolled: %w", err)
		}
		f := out[sub]
		f.Areas, f.AreasPatrolled = areas, patrolled
		out[sub] = f
	}
	return out, rows.Err()
}
