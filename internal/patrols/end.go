package patrols

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/fieldproof"
)

// maxFigure stands for an infinite speed (two places at one instant) in what is stored and sent:
// JSON has no infinity, and any figure above the rules' bounds reads the same.
const maxFigure = 1e9

// simplifyM is how far the track measured for coverage may stray from the fixes.
const simplifyM = 5.0

// End ends a recording patrol of the caller's own and judges it: the fixes become the track, the
// track is measured with its pauses, its areas' coverage and its likeness to earlier patrols are
// computed in the database, and the rules' verdict is stored with it, all in one transaction. The
// same end again answers the patrol as ended; another end, or ending a voided patrol, is a conflict.
func (s *Store) End(ctx context.Context, who access.Principal, id string, in EndInput) (Patrol, error) {
	id, err := ParseID(id)
	if err != nil {
		return Patrol{}, err
	}
	if !mayPatrol(who) {
		return Patrol{}, apperr.New(apperr.Forbidden, "your account (%s) records no patrols", who.Role)
	}
	if in.EndedAt.IsZero() {
		return Patrol{}, apperr.New(apperr.Invalid, "an unchecked end; decode it with DecodeEnd")
	}
	var p Patrol
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		l, err := lockOwn(ctx, tx, who, id)
		if err != nil {
			return err
		}
		switch l.state {
		case Voided:
			return apperr.New(apperr.Conflict, "patrol %s is void", id)
		case Ended:
			var digest []byte
			if err := tx.QueryRow(ctx, `SELECT end_sha256 FROM patrol WHERE id = $1`, id).Scan(&digest); err != nil {
				return err
			}
			if string(digest) != string(in.digest[:]) {
				return apperr.New(apperr.Conflict, "patrol %s was already ended with a different body", id)
			}
		default:
			if err := s.judge(ctx, tx, id, l, in); err != nil {
				return err
			}
		}
		p, err = s.read(ctx, tx, `WHERE p.id = $1`, id)
		return err
	})
	return p, err
}

// judge is End's work on a locked recording patrol.
func (s *Store) judge(ctx context.Context, tx pgx.Tx, id string, l locked, in EndInput) error {
	started, person, requested := l.started, l.person, l.requested
	switch {
	case in.EndedAt.Before(started):
		return apperr.New(apperr.Invalid, "ended_at %s is before the start %s", in.EndedAt.Format(time.RFC3339), started.Format(time.RFC3339)).With("field", "ended_at")
	case in.EndedAt.Sub(started) > MaxDuration:
		return apperr.New(apperr.Invalid, "a patrol lasts at most %s", MaxDuration).With("field", "ended_at")
	case len(in.Pauses) > 0 && in.Pauses[0].From.Before(started):
		return apperr.New(apperr.Invalid, "pauses[0] begins before the start").With("field", "pauses")
	}
	fixes, err := readFixes(ctx, tx, id)
	if err != nil {
		return err
	}
	if n := len(fixes); n > 0 && fixes[n-1].At.After(in.EndedAt) {
		return apperr.New(apperr.Invalid, "the last fix (at %s) is after ended_at", fixes[n-1].At.Format(time.RFC3339)).With("field", "ended_at")
	}
	stats := fieldproof.Measure(fixes, in.Pauses)
	stats.MaxStepKmh = math.Min(stats.MaxStepKmh, maxFigure)

	track, first, srid, err := trackOf(fixes)
	if err != nil {
		return err
	}
	areas := requested
	if len(areas) == 0 {
		if areas, err = s.defaultAreas(ctx, tx, first, person, started); err != nil {
			return err
		}
	}
	shares, coverage, err := s.coverage(ctx, tx, track, srid, areas)
	if err != nil {
		return err
	}
	replay, err := replayShare(ctx, tx, id, started, fixes)
	if err != nil {
		return err
	}
	v := s.rules.Judge(fieldproof.PatrolFacts{Stats: stats, Coverage: coverage, ReplayShare: replay})
	for i := range v.Reasons {
		v.Reasons[i].Figure = math.Min(v.Reasons[i].Figure, maxFigure)
	}
	statsDoc, err := json.Marshal(stats)
	if err != nil {
		return err
	}
	reasons, err := json.Marshal(v.Reasons)
	if err != nil {
		return err
	}
	stored := make([]Pause, len(in.Pauses))
	for i, x := range in.Pauses {
		stored[i] = Pause(x)
	}
	pauses, err := json.Marshal(stored)
	if err != nil {
		return err
	}
	var cov *float32
	if coverage >= 0 {
		c := float32(coverage)
		cov = &c
	}
	// The patrol belongs where its track starts (else where its first area lies), by the rule of
	// shops and areas, so readers see it in the community it was walked in.
	shares32 := make([]float32, len(shares))
	for i, c := range shares {
		shares32[i] = float32(c)
	}
	// One statement stores the verdict and each area's coverage: a round trip less per patrol.
	_, err = tx.Exec(ctx, `WITH first AS (SELECT ST_GeomFromWKB($16, 4326) AS g),
			at AS (SELECT COALESCE(admin_unit_by_largest_overlap(first.g, 'community'),
				(SELECT community_id FROM area_directory WHERE id = $14)) AS community, first.g FROM first),
			covered AS (INSERT INTO patrol_area (patrol_id, area_id, coverage)
				SELECT $1, a, c FROM unnest($17::bigint[], $18::real[]) AS u(a, c))
		UPDATE patrol SET state = 'ended', ended_at = $2, end_sha256 = $3, pauses = $4, fixes = $5, stats = $6,
			distance_m = $7, duration_s = $8, moving_s = $9, coverage = $10, replay_share = $11, suspect = $12, reasons = $13,
			track = ST_GeomFromWKB($15, 4326), community_id = at.community,
			subdistrict_id = COALESCE((SELECT parent_id FROM unit_directory WHERE id = at.community),
				admin_unit_by_largest_overlap(at.g, 'subdistrict'),
				(SELECT subdistrict_id FROM area_directory WHERE id = $14))
		FROM at WHERE id = $1`,
		id, in.EndedAt, in.digest[:], pauses, len(fixes), statsDoc, float32(stats.DistanceM), int(stats.Duration.Seconds()),
		int(stats.Moving.Seconds()), cov, float32(replay), v.Suspect, reasons, firstOr0(areas), track, first, nonNil(areas), shares32)
	if err != nil {
		return fmt.Errorf("store verdict: %w", err)
	}
	return nil
}

// trackOf is the fixes as the track (nil below two fixes) and the first fix (nil for none), both WKB,
// and the UTM zone of the first fix (its EPSG code), where coverage is measured.
func trackOf(fixes []fieldproof.Fix) (track, first []byte, srid int, err error) {
	if len(fixes) == 0 {
		return nil, nil, 0, nil
	}
	f := fixes[0]
	srid = 32600 + min(60, int(math.Floor((f.Lon+180)/6))+1)
	if f.Lat < 0 {
		srid += 100
	}
	if first, err = wkb.Marshal(orb.Point{f.Lon, f.Lat}); err != nil || len(fixes) < 2 {
		return nil, first, srid, err
	}
	line := make(orb.LineString, len(fixes))
	for i, x := range fixes {
		line[i] = orb.Point{x.Lon, x.Lat}
	}
	track, err = wkb.Marshal(line)
	return track, first, srid, err
}

func firstOr0(ids []int64) int64 {
	if len(ids) == 0 {
		return 0
	}
	return ids[0]
}

// readFixes reads a patrol's fixes in seq order, which DecodeFixes and AddFixes keep time order.
func readFixes(ctx context.Context, tx pgx.Tx, id string) ([]fieldproof.Fix, error) {
	rows, err := tx.Query(ctx, `SELECT ST_X(position), ST_Y(position), accuracy_m, at FROM patrol_fix WHERE patrol_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (fieldproof.Fix, error) {
		var f fieldproof.Fix
		var acc float32
		err := r.Scan(&f.Lon, &f.Lat, &acc, &f.At)
		f.AccuracyM = float64(acc)
		return f, err
	})
}

// defaultAreas are the areas the person was responsible for when the patrol began — their own
// areas and those of the units they answer for — that the track's first fix lies in or within the
// coverage buffer of. A geometry box test first lets the GiST index answer; the exact distance is
// then on the spheroid.
func (s *Store) defaultAreas(ctx context.Context, tx pgx.Tx, first []byte, person int64, started time.Time) ([]int64, error) {
	if first == nil {
		return nil, nil
	}
	buf := s.rules.BufferM()
	rows, err := tx.Query(ctx, `WITH first AS (SELECT ST_GeomFromWKB($1, 4326) AS g),
			posts AS (SELECT area_id, admin_unit_id FROM assignment_standing WHERE person_id = $2 AND valid @> $3::timestamptz)
		SELECT a.id FROM area_directory a, first
		WHERE ST_DWithin(a.geom, first.g, $4 / 111320.0 * 2) AND ST_DWithin(a.geom::geography, first.g::geography, $4)
			AND (a.id IN (SELECT area_id FROM posts)
				OR a.community_id IN (SELECT admin_unit_id FROM posts) OR a.subdistrict_id IN (SELECT admin_unit_id FROM posts))
		ORDER BY a.id LIMIT $5`, first, person, started, buf, MaxAreas)
	if err != nil {
		return nil, fmt.Errorf("default areas: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// coverage answers each area's share of surface within the buffer of the track (for a street, its
// length share: the buffer spans its width) and their mean; -1 for no area. It is measured in the
// UTM zone of the track's start, where a metre is a metre to 0.04 %, on the track simplified by
// simplifyM first: a back-and-forth walk buffered whole cost 10 ms a patrol, and the simplified
// track lies within simplifyM of every fix, which the buffer's 30 m absorbs.
func (s *Store) coverage(ctx context.Context, tx pgx.Tx, track []byte, srid int, areas []int64) ([]float64, float64, error) {
	if len(areas) == 0 {
		return nil, -1, nil
	}
	buf := s.rules.BufferM()
	rows, err := tx.Query(ctx, `WITH b AS (SELECT ST_Buffer(ST_Simplify(ST_Transform(ST_GeomFromWKB($1, 4326), $5::int), $4, true), $2) AS g
			WHERE $1::bytea IS NOT NULL)
		SELECT a.id, LEAST(1, COALESCE(ST_Area(ST_Intersection(ST_Transform(a.geom, $5::int), b.g)) / NULLIF(ST_Area(ST_Transform(a.geom, $5::int)), 0), 0))
		FROM area_directory a, b WHERE a.id = ANY ($3::bigint[])`, track, buf, areas, min(simplifyM, buf/6), srid)
	if err != nil {
		return nil, 0, fmt.Errorf("coverage: %w", err)
	}
	got := map[int64]float64{}
	for rows.Next() {
		var a int64
		var c float64
		if err := rows.Scan(&a, &c); err != nil {
			rows.Close()
			return nil, 0, err
		}
		got[a] = c
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("coverage: %w", err)
	}
	shares := make([]float64, len(areas))
	sum := 0.0
	for i, a := range areas {
		shares[i] = got[a]
		sum += shares[i]
	}
	return shares, sum / float64(len(areas)), nil
}

// replayShare is the largest share of this track's fixes found, position for position, in one
// earlier patrol (by anyone). Each distinct position is probed once in the fixes' key index; on a
// busy street most patrols share a few positions by chance, so only what each shares comes back.
func replayShare(ctx context.Context, tx pgx.Tx, id string, started time.Time, fixes []fieldproof.Fix) (float64, error) {
	if len(fixes) == 0 {
		return 0, nil
	}
	count := map[int64]int{}
	for _, f := range fixes {
		count[fieldproof.FixKey(f.Lon, f.Lat)]++
	}
	distinct := make([]int64, 0, len(count))
	for k := range count {
		distinct = append(distinct, k)
	}
	rows, err := tx.Query(ctx, `SELECT array_agg(DISTINCT f.key) FROM patrol_fix f JOIN patrol p ON p.id = f.patrol_id
		WHERE f.key = ANY ($1::bigint[]) AND f.patrol_id <> $2 AND p.started_at < $3 GROUP BY f.patrol_id`, distinct, id, started)
	if err != nil {
		return 0, fmt.Errorf("replay: %w", err)
	}
	best := 0
	for rows.Next() {
		var shared []int64
		if err := rows.Scan(&shared); err != nil {
			rows.Close()
			return 0, fmt.Errorf("replay: %w", err)
		}
		n := 0
		for _, k := range shared {
			n += count[k]
		}
		best = max(best, n)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("replay: %w", err)
	}
	return float64(best) / float64(len(fixes)), nil
}
