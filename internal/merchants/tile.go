package merchants

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
)

// MapState is how a shop stands on the map, the loudest first: a repeat offender (屡教不改) whose case
// is open with the street chief, else nobody checks it, else it has no pledge in force, else it was
// inspected today, else it is pledged and waiting for today's check.
type MapState string

const (
	StateRepeatOffender MapState = "repeat_offender"
	StateNoInspector    MapState = "no_inspector"
	StateNoPledge       MapState = "no_pledge"
	StateInspectedToday MapState = "inspected_today"
	StatePledged        MapState = "pledged"
)

// MapStates are the states in the order the legend lists them.
var MapStates = []MapState{StatePledged, StateInspectedToday, StateNoPledge, StateNoInspector, StateRepeatOffender}

// MapShop is what a map shows of a shop: where and how it stands — never its name or contact.
type MapShop struct {
	ID    int64
	At    orb.Point
	State MapState
}

// MapShops returns the open shops inside bound that the caller may read, at most limit of them.
// "Today" is the Beijing day.
func (s *Store) MapShops(ctx context.Context, who access.Principal, bound orb.Bound, limit int) ([]MapShop, error) {
	now := time.Now()
	today := beijingDay(now)
	dayStart := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, beijing)
	scope, args := readScope(who, []any{bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1], limit, now, today, dayStart})
	// The tile's shops are read first, then each state once for all of them, each answer hashed:
	// as LATERAL … LIMIT 1 lookups every shop paid four rescans (1,200 shops a tile), and as EXISTS
	// over whole tables the planner hashed every pledge, post and check. Pledges, posts and checks
	// grow with the shops, so each is one index scan over merchant_id = ANY (the tile's ids). The ids
	// come from a subquery, not a parameter: told the real count, the planner preferred reading all
	// of today's checks to 1,200 probes, four times slower. The ranges are tested by their bounds, not
	// @>, so the scans take the partial b-trees of migration 0022 rather than the exclusion
	// constraints' GiST (a generic plan then read every pledge through it). Repeat cases do not grow
	// with the shops, and a small table is read whole with = ANY tested item by item, so they are
	// joined to the tile's shops instead; only the few found look up their incident (LATERAL, so the
	// planner cannot start from the incidents).
	rows, err := s.db.Query(ctx, `WITH shops AS MATERIALIZED (
			SELECT m.id, m.location FROM merchant m
			WHERE m.status = 'open' AND m.location && ST_MakeEnvelope($1, $2, $3, $4, 4326) AND `+scope+`
			LIMIT $5),
		ids AS (SELECT array_agg(id) AS a FROM shops)
		SELECT s.id, ST_X(s.location), ST_Y(s.location),
			s.id NOT IN (SELECT mi.merchant_id FROM merchant_inspector mi WHERE mi.merchant_id = ANY ((SELECT a FROM ids)::bigint[])
				AND mi.is_primary AND mi.voided_at IS NULL AND lower(mi.valid) <= $6 AND (upper_inf(mi.valid) OR upper(mi.valid) > $6)),
			s.id NOT IN (SELECT p.merchant_id FROM merchant_pledge p WHERE p.merchant_id = ANY ((SELECT a FROM ids)::bigint[])
				AND p.voided_at IS NULL AND lower(p.valid) <= $7::date AND (upper_inf(p.valid) OR upper(p.valid) > $7::date)),
			s.id IN (SELECT i.merchant_id FROM merchant_inspection i WHERE i.merchant_id = ANY ((SELECT a FROM ids)::bigint[])
				AND i.voided_at IS NULL AND i.at >= $8),
			s.id IN (SELECT c.merchant_id FROM merchant_repeat_case c JOIN shops t ON t.id = c.merchant_id
				JOIN LATERAL (SELECT 1 FROM open_incident o WHERE o.id = c.incident_id LIMIT 1) o ON true)
		FROM shops s`, args...)
	if err != nil {
		return nil, fmt.Errorf("shops for the map: %w", err)
	}
	// No ORDER BY: with one, the planner may walk the primary key and filter by the box. The tile is
	// drawn in id order all the same, so it is a function of the data.
	shops, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (MapShop, error) {
		var (
			m                                 MapShop
			noInspector, noPledge, in, repeat bool
		)
		err := r.Scan(&m.ID, &m.At[0], &m.At[1], &noInspector, &noPledge, &in, &repeat)
		switch {
		case repeat:
			m.State = StateRepeatOffender
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
	if err != nil {
		return nil, fmt.Errorf("shops for the map: %w", err)
	}
	slices.SortFunc(shops, func(a, b MapShop) int { return cmp.Compare(a.ID, b.ID) })
	return shops, nil
}
