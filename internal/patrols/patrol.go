package patrols

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/fieldproof"
)

// State is where a patrol stands: recording while the device sends fixes, ended once judged,
// voided when entered by mistake (it stays on record).
type State string

const (
	Recording State = "recording"
	Ended     State = "ended"
	Voided    State = "voided"
)

// Patrol is one patrol as stored, with its verdict once ended.
type Patrol struct {
	ID            string                 `json:"id"`
	PersonID      int64                  `json:"person_id"`
	PersonName    string                 `json:"person_name"`
	Post          string                 `json:"post"` // the person's post when the patrol began (lane_chief, inspector…), "" for none
	State         State                  `json:"state"`
	StartedAt     time.Time              `json:"started_at"`
	EndedAt       *time.Time             `json:"ended_at"`
	Day           string                 `json:"day"` // Beijing date of the start
	Note          string                 `json:"note"`
	Fixes         int                    `json:"fixes"`
	DistanceM     float64                `json:"distance_m"`
	DurationS     int                    `json:"duration_s"`
	MovingS       int                    `json:"moving_s"`
	Coverage      *float64               `json:"coverage"` // null: no area assigned (or not ended)
	ReplayShare   float64                `json:"replay_share"`
	Suspect       bool                   `json:"suspect"`
	Reasons       []fieldproof.Reason    `json:"reasons"`
	Verdict       *fieldproof.Verdict    `json:"verdict"` // null while recording
	Stats         *fieldproof.TrackStats `json:"stats,omitempty"`
	Pauses        []Pause                `json:"pauses"`
	Areas         []AreaCoverage         `json:"areas"`
	SubdistrictID int64                  `json:"subdistrict_id,omitempty"`
	CommunityID   int64                  `json:"community_id,omitempty"`
	Events        int                    `json:"events"` // the person's inspections during the patrol (Get lists every kind in EventList)
	VoidedAt      *time.Time             `json:"voided_at,omitempty"`
	VoidReason    string                 `json:"void_reason,omitempty"`
	Track         orb.LineString         `json:"-"`
	EventList     []Event                `json:"-"`
	actor         string
	startDigest   []byte
	endDigest     []byte
}

// Pause is a stretch the person paused the patrol, as stored and answered.
type Pause struct {
	From  time.Time `json:"from"`
	Until time.Time `json:"until"`
}

// AreaCoverage is an area the patrol was to walk and the share of it the track covered.
type AreaCoverage struct {
	ID       int64   `json:"id"`
	Name     string  `json:"name"`
	Kind     string  `json:"kind"`
	Coverage float64 `json:"coverage"`
}

// patrolSelect reads a Patrol; FROM patrol p.
const patrolSelect = `SELECT p.id::text, p.person_id, COALESCE(pd.name, ''),
		COALESCE((SELECT s.role FROM assignment_standing s WHERE s.person_id = p.person_id AND s.valid @> p.started_at
			ORDER BY s.is_primary DESC, s.id LIMIT 1), ''),
		p.state, p.started_at, p.ended_at, (p.started_at AT TIME ZONE 'Asia/Shanghai')::date::text, p.note, p.fixes,
		COALESCE(p.distance_m, 0), COALESCE(p.duration_s, 0), COALESCE(p.moving_s, 0), p.coverage, COALESCE(p.replay_share, 0),
		p.suspect, p.reasons, p.stats, p.pauses, COALESCE(p.subdistrict_id, 0), COALESCE(p.community_id, 0),
		(SELECT count(*) FROM merchant_check_standing c WHERE c.inspector_person_id = p.person_id
			AND c.at >= p.started_at AND c.at <= COALESCE(p.ended_at, p.started_at + interval '1 day')),
		p.voided_at, COALESCE(p.void_reason, ''), p.actor, p.start_sha256, p.end_sha256`

// patrolFrom joins what patrolSelect reads beside the patrol.
const patrolFrom = ` FROM patrol p LEFT JOIN person_directory pd ON pd.id = p.person_id`

func scanPatrol(row pgx.Row) (Patrol, error) {
	var p Patrol
	var cov *float32
	var d32, r32 float32
	var suspect *bool
	var reasons, stats, pauses []byte
	err := row.Scan(&p.ID, &p.PersonID, &p.PersonName, &p.Post, &p.State, &p.StartedAt, &p.EndedAt, &p.Day, &p.Note, &p.Fixes,
		&d32, &p.DurationS, &p.MovingS, &cov, &r32, &suspect, &reasons, &stats, &pauses, &p.SubdistrictID, &p.CommunityID,
		&p.Events, &p.VoidedAt, &p.VoidReason, &p.actor, &p.startDigest, &p.endDigest)
	if err != nil {
		return p, err
	}
	p.DistanceM, p.ReplayShare = float64(d32), float64(r32)
	if cov != nil {
		c := float64(*cov)
		p.Coverage = &c
	}
	if err := json.Unmarshal(reasons, &p.Reasons); err != nil {
		return p, fmt.Errorf("patrol %s reasons: %w", p.ID, err)
	}
	if err := json.Unmarshal(pauses, &p.Pauses); err != nil {
		return p, fmt.Errorf("patrol %s pauses: %w", p.ID, err)
	}
	if stats != nil {
		p.Stats = &fieldproof.TrackStats{}
		if err := json.Unmarshal(stats, p.Stats); err != nil {
			return p, fmt.Errorf("patrol %s stats: %w", p.ID, err)
		}
		p.Stats.Duration = time.Duration(p.DurationS) * time.Second
		p.Stats.Moving = time.Duration(p.MovingS) * time.Second
	}
	if suspect != nil {
		p.Suspect = *suspect
		p.Verdict = &fieldproof.Verdict{Suspect: p.Suspect, Reasons: p.Reasons}
	}
	p.Areas = []AreaCoverage{}
	return p, nil
}

// readScope is who may read a patrol: their own always; an inspector no other; everyone else the
// patrols located in their scope. Parameters are numbered after args.
func readScope(who access.Principal, args []any) (string, []any) {
	args = append(args, who.PersonID)
	own := fmt.Sprintf("(p.person_id = $%d AND $%d <> 0)", len(args), len(args))
	if who.Role == access.Inspector {
		return own, args
	}
	scope, args := who.Scope.Predicate("p.subdistrict_id", "p.community_id", args)
	return "(" + own + " OR " + scope + ")", args
}

// Get returns a patrol the caller may read, with its track, areas and events.
func (s *Store) Get(ctx context.Context, who access.Principal, id string) (Patrol, error) {
	id, err := ParseID(id)
	if err != nil {
		return Patrol{}, err
	}
	if !who.SignedIn() {
		return Patrol{}, apperr.New(apperr.Unauthorized, "sign in first")
	}
	where, args := readScope(who, []any{id})
	p, err := s.read(ctx, s.db, `WHERE p.id = $1 AND `+where, args...)
	if err != nil {
		return p, err
	}
	if p.EventList, err = s.events(ctx, p); err != nil {
		return p, err
	}
	return p, nil
}

// querier is the pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// read reads one patrol by a WHERE clause with its track and areas, in one round trip: the track
// and areas are asked for by the same WHERE beside the row (a recording patrol has neither yet).
func (s *Store) read(ctx context.Context, q querier, where string, args ...any) (Patrol, error) {
	b := &pgx.Batch{}
	b.Queue(patrolSelect+patrolFrom+` `+where, args...)
	b.Queue(`SELECT ST_AsBinary(p.track) FROM patrol p `+where, args...)
	b.Queue(`SELECT a.area_id, COALESCE(d.name, ''), COALESCE(d.kind, ''), a.coverage
		FROM patrol_area a LEFT JOIN area_directory d ON d.id = a.area_id
		WHERE a.patrol_id = (SELECT p.id FROM patrol p `+where+`) ORDER BY a.area_id`, args...)
	res := q.SendBatch(ctx, b)
	defer res.Close()
	p, err := scanPatrol(res.QueryRow())
	if errors.Is(err, pgx.ErrNoRows) {
		return p, apperr.New(apperr.NotFound, "patrol %v not found", args[0])
	}
	if err != nil {
		return p, fmt.Errorf("read patrol: %w", err)
	}
	var track []byte
	if err := res.QueryRow().Scan(&track); err != nil {
		return p, fmt.Errorf("patrol %s track: %w", p.ID, err)
	}
	if track != nil {
		g, err := wkb.Unmarshal(track)
		if err != nil {
			return p, fmt.Errorf("patrol %s track: %w", p.ID, err)
		}
		if ls, ok := g.(orb.LineString); ok {
			p.Track = ls
		}
	}
	rows, err := res.Query()
	if err != nil {
		return p, fmt.Errorf("patrol %s areas: %w", p.ID, err)
	}
	p.Areas, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (AreaCoverage, error) {
		var a AreaCoverage
		var c float32
		err := r.Scan(&a.ID, &a.Name, &a.Kind, &c)
		a.Coverage = float64(c)
		return a, err
	})
	if err != nil {
		return p, fmt.Errorf("patrol %s areas: %w", p.ID, err)
	}
	return p, res.Close()
}
