package operations

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/database"
)

// Create plans an operation — or records one that took place, when it comes with its outcome — in one
// transaction with all its departments, people and targets. Anything unknown, outside the
// subdistrict or in the past without an outcome is refused and nothing is written.
func (s *Store) Create(ctx context.Context, who access.Principal, in Input) (Operation, error) {
	if !mayChange(who, in.SubdistrictID) {
		return Operation{}, apperr.New(apperr.Forbidden, "only the street chief of subdistrict %d or an administrator plans its operations", in.SubdistrictID)
	}
	now := s.now()
	if !in.EndsAt.After(now) && in.Outcome == nil {
		return Operation{}, invalid("ends_at", "the operation ends at %s, in the past: an operation that took place is entered with its outcome (outcome), or give times to come",
			in.EndsAt.Format(time.RFC3339))
	}
	if in.Outcome != nil {
		if in.StartsAt.After(now) {
			return Operation{}, invalid("outcome", "an outcome is recorded once the operation has begun; this one starts at %s", in.StartsAt.Format(time.RFC3339))
		}
		if in.Outcome.Reason != "" {
			return Operation{}, invalid("reason", "reason is for an outcome that corrects an earlier one")
		}
		if err := shopsAreTargets(in.Outcome.Shops, in.MerchantIDs); err != nil {
			return Operation{}, err
		}
	}
	// A case already closed may be a target only of an operation entered afterwards.
	if err := s.checkIncidents(ctx, who, in.SubdistrictID, in.IncidentIDs, in.Outcome == nil); err != nil {
		return Operation{}, err
	}
	var id int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := s.checkPlace(ctx, tx, in); err != nil {
			return err
		}
		var area any
		if in.TargetArea != nil {
			area = wkbOf(in.TargetArea)
		}
		if err := tx.QueryRow(ctx, `INSERT INTO operation (title, kind, subdistrict_id, starts_at, ends_at, briefing, target_area, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, ST_Multi(ST_GeomFromWKB($7, 4326)), $8) RETURNING id`,
			in.Title, string(in.Kind), in.SubdistrictID, in.StartsAt, in.EndsAt, in.Briefing, area, who.Label()).Scan(&id); err != nil {
			return fmt.Errorf("insert operation: %w", err)
		}
		if err := insertMembers(ctx, tx, id, in); err != nil {
			return err
		}
		if err := insertTargets(ctx, tx, who, id, in); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, who, audit.Create, "operation", id, nil, summary(in)); err != nil {
			return err
		}
		if in.Outcome != nil {
			if _, err := s.insertOutcome(ctx, tx, who, id, *in.Outcome, 0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Operation{}, err
	}
	return s.Get(ctx, who, id)
}

// summary is what the audit log keeps of an operation's plan.
func summary(in Input) map[string]any {
	return map[string]any{"title": in.Title, "kind": in.Kind, "subdistrict_id": in.SubdistrictID,
		"starts_at": in.StartsAt, "ends_at": in.EndsAt, "department_ids": in.DepartmentIDs, "people": in.People,
		"target_area": in.TargetArea != nil, "area_ids": in.AreaIDs, "merchant_ids": in.MerchantIDs, "incident_ids": in.IncidentIDs}
}

// checkIncidents holds the target cases to the operation's subdistrict, read through incidents'
// own read rule; openOnly refuses cases no longer open.
func (s *Store) checkIncidents(ctx context.Context, who access.Principal, sub int64, ids []int64, openOnly bool) error {
	for _, id := range ids {
		inc, err := s.incidents.Incident(ctx, who, id)
		if apperr.Is(err, apperr.NotFound) {
			return invalid("incident_ids", "incident %d not found", id)
		}
		if err != nil {
			return err
		}
		if inc.SubdistrictID != sub {
			return invalid("incident_ids", "incident %d lies outside subdistrict %d", id, sub)
		}
		if openOnly && !inc.Status.Open() {
			return invalid("incident_ids", "incident %d is %s, not open", id, inc.Status)
		}
	}
	return nil
}

// checkPlace holds the subdistrict, departments, people and targets to what the registry and the
// merchant register hold, and the targets to the subdistrict.
func (s *Store) checkPlace(ctx context.Context, tx database.Querier, in Input) error {
	var (
		level  string
		inside *bool
	)
	var area any
	if in.TargetArea != nil {
		area = wkbOf(in.TargetArea)
	}
	err := tx.QueryRow(ctx, `SELECT level, CASE WHEN $2::bytea IS NULL THEN NULL ELSE ST_Intersects(boundary, ST_GeomFromWKB($2, 4326)) END
		FROM unit_directory WHERE id = $1`, in.SubdistrictID, area).Scan(&level, &inside)
	if err == pgx.ErrNoRows || (err == nil && level != "subdistrict") {
		return invalid("subdistrict_id", "subdistrict %d not found", in.SubdistrictID)
	}
	if err != nil {
		return fmt.Errorf("subdistrict: %w", err)
	}
	if in.TargetArea != nil {
		if err := checkValid(ctx, tx, in.TargetArea); err != nil {
			return err
		}
		if inside != nil && !*inside {
			return invalid("target_area", "the drawn target lies wholly outside subdistrict %d", in.SubdistrictID)
		}
	}
	if err := known(ctx, tx, "department_ids", "unknown department", `SELECT id FROM department_directory WHERE id = ANY($1)`, in.DepartmentIDs); err != nil {
		return err
	}
	people := make([]int64, len(in.People))
	for i, p := range in.People {
		people[i] = p.PersonID
	}
	if err := known(ctx, tx, "people", "unknown or inactive person", `SELECT id FROM person_directory WHERE id = ANY($1) AND active`, people); err != nil {
		return err
	}
	if err := known(ctx, tx, "area_ids", "area not in subdistrict", `SELECT id FROM area_directory WHERE id = ANY($1) AND subdistrict_id = $2`, in.AreaIDs, in.SubdistrictID); err != nil {
		return err
	}
	return known(ctx, tx, "merchant_ids", "shop not in subdistrict", `SELECT id FROM merchant_directory WHERE id = ANY($1) AND subdistrict_id = $2`, in.MerchantIDs, in.SubdistrictID)
}

// known answers an Invalid error naming the first ids of want that query (ids = ANY($1)) does not
// answer.
func known(ctx context.Context, db database.Querier, field, what, query string, want []int64, args ...any) error {
	if len(want) == 0 {
		return nil
	}
	rows, err := db.Query(ctx, query, append([]any{want}, args...)...)
	if err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	var miss []string
	for _, id := range want {
		if !slices.Contains(got, id) {
			miss = append(miss, fmt.Sprint(id))
		}
	}
	if len(miss) == 0 {
		return nil
	}
	more := ""
	if len(miss) > 10 {
		more, miss = fmt.Sprintf(" and %d more", len(miss)-10), miss[:10]
	}
	return apperr.New(apperr.Invalid, "%s: %s%s", what, strings.Join(miss, ", "), more).With("field", field)
}

func checkValid(ctx context.Context, db database.Querier, g orb.Geometry) error {
	var reason string
	if err := db.QueryRow(ctx, `SELECT ST_IsValidReason(ST_GeomFromWKB($1, 4326))`, wkbOf(g)).Scan(&reason); err != nil {
		return fmt.Errorf("validate target_area: %w", err)
	}
	if reason != "Valid Geometry" {
		return invalid("target_area", "target_area is not valid: %s", reason)
	}
	return nil
}

func insertMembers(ctx context.Context, tx pgx.Tx, id int64, in Input) error {
	if _, err := tx.Exec(ctx, `INSERT INTO operation_department (operation_id, department_id) SELECT $1, unnest($2::bigint[])`, id, in.DepartmentIDs); err != nil {
		return fmt.Errorf("insert departments: %w", err)
	}
	people := make([]int64, len(in.People))
	roles := make([]string, len(in.People))
	for i, p := range in.People {
		people[i], roles[i] = p.PersonID, string(p.Role)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO operation_person (operation_id, person_id, role) SELECT $1, p, r FROM unnest($2::bigint[], $3::text[]) AS u(p, r)`,
		id, people, roles); err != nil {
		return fmt.Errorf("insert people: %w", err)
	}
	return nil
}

func insertTargets(ctx context.Context, tx pgx.Tx, who access.Principal, id int64, in Input) error {
	if _, err := tx.Exec(ctx, `INSERT INTO operation_area (operation_id, area_id) SELECT $1, unnest($2::bigint[])`, id, in.AreaIDs); err != nil {
		return fmt.Errorf("insert areas: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO operation_merchant (operation_id, merchant_id, repeat_offender)
		SELECT $1, m, EXISTS (SELECT 1 FROM merchant_repeat_offender r WHERE r.merchant_id = m) FROM unnest($2::bigint[]) AS u(m)`, id, in.MerchantIDs); err != nil {
		return fmt.Errorf("insert shops: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO operation_incident (operation_id, incident_id, how, linked_by)
		SELECT $1, unnest($2::bigint[]), 'targeted', $3`, id, in.IncidentIDs, who.Label()); err != nil {
		return fmt.Errorf("insert cases: %w", err)
	}
	return nil
}

func shopsAreTargets(shops []ShopDealt, targets []int64) error {
	for _, sh := range shops {
		if !slices.Contains(targets, sh.MerchantID) {
			return invalid("shops", "shop %d is not a target of the operation", sh.MerchantID)
		}
	}
	return nil
}

func wkbOf(g orb.Geometry) []byte {
	b, err := wkb.Marshal(g)
	if err != nil {
		// Only unsupported geometry types fail; the target is a MultiPolygon.
		panic(fmt.Sprintf("wkb marshal: %v", err))
	}
	return b
}
