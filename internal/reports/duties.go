package reports

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// KindSilentDeputies is a deputy, committee member or party member linked to a community with no
// confirmed duty record for SilentDays before the report's moment. It reads internal/duties'
// published views (migration 0040); a member linked for less than SilentDays is not silent yet.
const KindSilentDeputies = "silent_deputies"

// DefaultSilentDays is how long a linked member may go without a confirmed record.
const DefaultSilentDays = 90

// SilentDeputy is a linked member of the duty records with no confirmed record lately.
type SilentDeputy struct {
	Place
	MemberID      int64      `json:"member_id"`
	PersonID      int64      `json:"person_id"`
	Name          string     `json:"name"`
	MemberType    string     `json:"member_type"`
	LastConfirmed *time.Time `json:"last_confirmed_day,omitempty"` // absent: never
}

// silentDeputies lists the members linked to a community in scope at the report's moment, linked
// for at least days, whose newest confirmed record is older than days (or who have none).
func (s *Service) silentDeputies(ctx context.Context, f filter, days int) ([]SilentDeputy, error) {
	pred, args := f.where("m.subdistrict_id", "m.community_id", []any{f.at, days})
	rows, err := s.db.Query(ctx, `WITH day AS (SELECT ($1::timestamptz AT TIME ZONE 'Asia/Shanghai')::date AS d)
		SELECT `+placeColumns+`, m.id, m.person_id, COALESCE(p.name, ''), m.member_type,
			(SELECT max(r.day) FROM duty_record_standing r WHERE r.member_id = m.id AND r.confirmed AND r.day <= day.d)
		FROM duty_member_standing m CROSS JOIN day
		LEFT JOIN person_directory p ON p.id = m.person_id
		LEFT JOIN unit_directory sd ON sd.id = m.subdistrict_id
		LEFT JOIN unit_directory cm ON cm.id = m.community_id
		WHERE m.community_id IS NOT NULL AND m.valid @> day.d AND lower(m.valid) <= day.d - $2::int
		  AND NOT EXISTS (SELECT 1 FROM duty_record_standing r WHERE r.member_id = m.id AND r.confirmed
			AND r.day <= day.d AND r.day > day.d - $2::int)
		  AND `+pred+` ORDER BY sd.name, cm.name, p.name, m.id`, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (SilentDeputy, error) {
		var g SilentDeputy
		err := r.Scan(&g.SubdistrictID, &g.SubdistrictName, &g.CommunityID, &g.CommunityName, &g.MemberID, &g.PersonID, &g.Name,
			&g.MemberType, &g.LastConfirmed)
		return g, err
	})
}
