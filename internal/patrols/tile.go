package patrols

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"streetchief/internal/access"
	"streetchief/internal/incidents"
)

// MapTrack is what the map shows of a patrol: its track, whose it is and whether it is suspect.
type MapTrack struct {
	ID         string
	Track      orb.LineString
	PersonName string
	Day        string
	Suspect    bool
}

// MapDays is how many Beijing days of patrols the map shows, today included.
const MapDays = 7

// MapTracks returns the ended, not voided patrols of the last MapDays days the caller may read whose
// track crosses bound, at most limit of them, oldest first so the newest draw on top.
func (s *Store) MapTracks(ctx context.Context, who access.Principal, bound orb.Bound, limit int) ([]MapTrack, error) {
	today := s.now().In(incidents.Beijing)
	since := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, incidents.Beijing).AddDate(0, 0, 1-MapDays)
	where, args := readScope(who, []any{bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1], since, limit})
	rows, err := s.db.Query(ctx, `SELECT p.id::text, ST_AsBinary(p.track), COALESCE(pd.name, ''),
			(p.started_at AT TIME ZONE 'Asia/Shanghai')::date::text, p.suspect
		FROM patrol p LEFT JOIN person_directory pd ON pd.id = p.person_id
		WHERE p.state = 'ended' AND p.track && ST_MakeEnvelope($1, $2, $3, $4, 4326) AND p.started_at >= $5 AND `+where+`
		ORDER BY p.started_at, p.id LIMIT $6`, args...)
	if err != nil {
		return nil, fmt.Errorf("tracks for the map: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (MapTrack, error) {
		var m MapTrack
		var raw []byte
		if err := r.Scan(&m.ID, &raw, &m.PersonName, &m.Day, &m.Suspect); err != nil {
			return m, err
		}
		g, err := wkb.Unmarshal(raw)
		if err != nil {
			return m, fmt.Errorf("patrol %s track: %w", m.ID, err)
		}
		m.Track, _ = g.(orb.LineString)
		return m, nil
	})
}
