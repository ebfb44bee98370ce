package incidents

import (
	"context"
	"fmt"
	"time"
)

// Load is what a person's morning digest says of cases: those in their hands still open and, of
// them, the overdue; for a street chief also every overdue case of their subdistricts.
type Load struct {
	Open               int
	Overdue            int
	SubdistrictOverdue int
}

// Loads answers, per person, the open and overdue cases they hold at `at` and, for the street chiefs
// then, the overdue cases of their subdistricts.
func (s *Service) Loads(ctx context.Context, at time.Time) (map[int64]Load, error) {
	out := map[int64]Load{}
	rows, err := s.db.Query(ctx, `SELECT assignee_person_id, count(*), count(*) FILTER (WHERE overdue)
		FROM incident WHERE status IN `+openStatusesSQL+` AND assignee_person_id IS NOT NULL GROUP BY 1`)
	if err != nil {
		return nil, fmt.Errorf("loads: %w", err)
	}
	for rows.Next() {
		var p int64
		var l Load
		if err := rows.Scan(&p, &l.Open, &l.Overdue); err != nil {
			return nil, fmt.Errorf("loads: %w", err)
		}
		out[p] = l
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("loads: %w", err)
	}
	rows, err = s.db.Query(ctx, `SELECT s.person_id, count(*) FROM incident i
		JOIN assignment_standing s ON s.admin_unit_id = i.subdistrict_id AND s.role = 'street_chief' AND s.valid @> $1::timestamptz
		WHERE i.status IN `+openStatusesSQL+` AND i.overdue GROUP BY 1`, at)
	if err != nil {
		return nil, fmt.Errorf("loads: %w", err)
	}
	for rows.Next() {
		var p int64
		var n int
		if err := rows.Scan(&p, &n); err != nil {
			return nil, fmt.Errorf("loads: %w", err)
		}
		l := out[p]
		l.SubdistrictOverdue = n
		out[p] = l
	}
	return out, rows.Err()
}
