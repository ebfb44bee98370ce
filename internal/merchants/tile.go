package merchants

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
)

// MapState is how a shop stands on the map, the gaps first: nobody checks it, else it has no pledge
// in force, else it was inspected today, else it is pledged and waiting for today's check.
type MapState string

const (
	StateNoInspector    MapState = "no_inspector"
	StateNoPledge       MapState = "no_pledge"
	StateInspectedToday MapState = "inspected_today"
	StatePledged        MapState = "pledged"
)

// MapStates are the states in the order the legend lists them.
var MapStates = []MapState{StatePledged, StateInspectedToday, StateNoPledge, StateNoInspector}

// MapShop is what a map shows of a shop: where and how it stands — never its name or contact.
type MapShop struct {
	ID    int64
	At    orb.Point
	State MapState
}

// MapShops returns the open shops inside bound that the caller may read, at most limit of them.
// "Today" is the Beijing day.
func (s *Store) MapShops(ctx context.Context, who access.Principal, bound orb.Bound, limit int) ([]MapShop, error) {
	scope, args := readScope(who, []any{bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1], limit})
	rows, err := s.db.Query(ctx, `SELECT m.id, ST_X(m.location), ST_Y(m.location),
			NOT EXISTS (SELECT 1 FROM merchant_inspector mi WHERE mi.merchant_id = m.id AND mi.is_primary AND mi.voided_at IS NULL
				AND mi.valid @> now()),
			NOT EXISTS (SELECT 1 FROM merchant_pledge p WHERE p.merchant_id = m.id AND p.voided_at IS NULL
				AND p.valid @> (now() AT TIME ZONE 'Asia/Shanghai')::date),
			EXISTS (SELECT 1 FROM merchant_inspection i WHERE i.merchant_id = m.id AND i.voided_at IS NULL
				AND i.at >= date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai')
		FROM merchant m
		WHERE m.status = 'open' AND m.location && ST_MakeEnvelope($1, $2, $3, $4, 4326) AND `+scope+`
		ORDER BY m.id LIMIT $5`, args...)
	if err != nil {
		return nil, fmt.Errorf("shops for the map: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (MapShop, error) {
		var (
			m                         MapShop
			noInspector, noPledge, in bool
		)
		err := r.Scan(&m.ID, &m.At[0], &m.At[1], &noInspector, &noPledge, &in)
		switch {
		case noInspector:
			m.State = StateNoInspector
		case noPledge:
			m.State = StateNoPledge
		case in:
			m.State = StateInspectedToday
		default:
			m.State = StatePledged
		}
		return m, err
	})
}
