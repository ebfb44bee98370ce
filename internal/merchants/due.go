package merchants

import (
	"context"
	"fmt"
	"time"
)

// DueToday answers, per inspector, how many open shops they are the primary inspector of on the
// Beijing day of `at` and have not yet checked that day (每日巡查).
func (s *Store) DueToday(ctx context.Context, at time.Time) (map[int64]int, error) {
	rows, err := s.db.Query(ctx, `SELECT ip.person_id, count(*) FROM merchant m
		JOIN merchant_inspector ip ON ip.merchant_id = m.id AND ip.is_primary AND ip.voided_at IS NULL AND ip.valid @> $1::timestamptz
		WHERE m.status = 'open' AND NOT EXISTS (SELECT 1 FROM merchant_inspection c WHERE c.merchant_id = m.id
			AND c.voided_at IS NULL AND c.visit_day = ($1::timestamptz AT TIME ZONE 'Asia/Shanghai')::date)
		GROUP BY 1`, at)
	if err != nil {
		return nil, fmt.Errorf("shops due: %w", err)
	}
	out := map[int64]int{}
	for rows.Next() {
		var p int64
		var n int
		if err := rows.Scan(&p, &n); err != nil {
			return nil, fmt.Errorf("shops due: %w", err)
		}
		out[p] = n
	}
	return out, rows.Err()
}
