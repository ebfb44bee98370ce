package merchants

import (
	"context"
	"fmt"
	"time"
)

// RepeatOffendersHanded counts, per subdistrict, the shops handed to joint enforcement as repeat
// offenders (the N-in-D rule or a refusal) in [from, to) — the assessment's "repeat offenders" item.
// A shop handed twice in the period counts once.
func (s *Store) RepeatOffendersHanded(ctx context.Context, from, to time.Time) (map[int64]int64, error) {
	rows, err := s.db.Query(ctx, `SELECT COALESCE(m.subdistrict_id, 0), count(DISTINCT c.merchant_id)
		FROM merchant_repeat_case c JOIN merchant m ON m.id = c.merchant_id
		WHERE c.cause IN ('violations', 'refusal') AND c.created_at >= $1 AND c.created_at < $2
		GROUP BY 1`, from, to)
	if err != nil {
		return nil, fmt.Errorf("repeat offenders handed: %w", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var sub, n int64
		if err := rows.Scan(&sub, &n); err != nil {
			return nil, fmt.Errorf("repeat offenders handed: %w", err)
		}
		out[sub] = n
	}
	return out, rows.Err()
}
