package operations

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/internal/objectstore"
	"streetchief/internal/registry"
)

// Kind is how an operation came about.
type Kind string

const (
	Planned     Kind = "planned"      // 计划: the monthly or otherwise regular operation
	ShortNotice Kind = "short_notice" // 临时: called at short notice
)

// Kinds lists every Kind; operation.kind's CHECK allows exactly these.
var Kinds = []Kind{Planned, ShortNotice}

// Role is a person's part in an operation.
type Role string

const (
	Commander Role = "commander" // 指挥
	Member    Role = "member"    // 队员
)

// Roles lists every Role; operation_person.role's CHECK allows exactly these.
var Roles = []Role{Commander, Member}

// State is where an operation stands. It is derived, never stored (see migration 0028).
type State string

const (
	StatePlanned        State = "planned"
	StateUnderWay       State = "under_way"
	StateOutcomeOverdue State = "outcome_overdue" // its end has passed and no outcome is recorded
	StateDone           State = "done"
	StateCancelled      State = "cancelled"
)

// States lists every State.
var States = []State{StatePlanned, StateUnderWay, StateOutcomeOverdue, StateDone, StateCancelled}

// Dealt is how a target shop was dealt with.
type Dealt string

const (
	RectifiedOnSpot Dealt = "rectified_on_spot" // 当场整改
	Fined           Dealt = "fined"             // 罚款
	OrderIssued     Dealt = "order_issued"      // 下达整改通知
	NoOnePresent    Dealt = "no_one_present"    // 无人在场
)

// Dealings lists every Dealt; operation_outcome_shop.dealt's CHECK allows exactly these.
var Dealings = []Dealt{RectifiedOnSpot, Fined, OrderIssued, NoOnePresent}

// How is how a case belongs to an operation.
const (
	Targeted     = "targeted"
	OpenedOnSpot = "opened_on_spot"
)

// Store reads and writes the operation tables.
type Store struct {
	db        *pgxpool.Pool
	registry  *registry.Store
	incidents *incidents.Service
	photos    objectstore.Store // nil: photos' bytes in their rows
	now       func() time.Time
}

// NewStore returns a Store on db; people's phones come from reg, cases' states from inc. Outcomes'
// photos go to photos (nil: into their rows).
func NewStore(db *pgxpool.Pool, reg *registry.Store, inc *incidents.Service, photos objectstore.Store) *Store {
	return &Store{db: db, registry: reg, incidents: inc, photos: photos, now: time.Now}
}

// WithClock returns a copy of the Store that takes the time from now: tests and the demo set the
// clock so an operation's state can be checked at a moment of their choosing.
func (s *Store) WithClock(now func() time.Time) *Store {
	c := *s
	c.now = now
	return &c
}

// stateSQL derives an operation's State at $1 (see migration 0028).
const stateSQL = `CASE WHEN o.cancelled_at IS NOT NULL THEN 'cancelled'
	WHEN EXISTS (SELECT 1 FROM operation_outcome x WHERE x.operation_id = o.id) THEN 'done'
	WHEN $1::timestamptz >= o.ends_at THEN 'outcome_overdue'
	WHEN $1::timestamptz >= o.starts_at THEN 'under_way'
	ELSE 'planned' END`

// readPredicate is who may read an operation o, appending its arguments to args (see doc.go).
func readPredicate(who access.Principal, args []any) (string, []any) {
	switch who.Role {
	case access.Admin, access.DistrictLeader:
		return "TRUE", args
	case access.StreetChief:
		args = append(args, nonNil(who.Scope.Subdistricts))
		return fmt.Sprintf("o.subdistrict_id = ANY($%d::bigint[])", len(args)), args
	case access.DepartmentLiaison:
		args = append(args, nonNil(who.Scope.Subdistricts), nonNil(who.Scope.Departments))
		return fmt.Sprintf(`(o.subdistrict_id = ANY($%d::bigint[]) AND EXISTS (SELECT 1 FROM operation_department d
			WHERE d.operation_id = o.id AND d.department_id = ANY($%d::bigint[])))`, len(args)-1, len(args)), args
	case access.LaneChief:
		args = append(args, nonNil(who.Scope.Communities), nonNil(who.Scope.Subdistricts))
		return fmt.Sprintf(`(o.subdistrict_id IN (SELECT parent_id FROM unit_directory WHERE id = ANY($%d::bigint[]))
			OR o.subdistrict_id = ANY($%d::bigint[]))`, len(args)-1, len(args)), args
	}
	return "FALSE", args
}

// mayChange says whether who plans and changes operations in subdistrict sub.
func mayChange(who access.Principal, sub int64) bool {
	switch who.Role {
	case access.Admin:
		return true
	case access.StreetChief:
		return slices.Contains(who.Scope.Subdistricts, sub)
	}
	return false
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// lockForChange locks operation id for a change by who and answers its subdistrict, cancelled flag,
// times and whether it has an outcome. One the caller may not read is not found; one they may read
// but not change is forbidden.
func (s *Store) lockForChange(ctx context.Context, tx pgx.Tx, who access.Principal, id int64) (head, error) {
	where, args := readPredicate(who, []any{id})
	var h head
	err := tx.QueryRow(ctx, `SELECT o.id, o.subdistrict_id, o.cancelled_at IS NOT NULL, o.starts_at, o.ends_at,
		EXISTS (SELECT 1 FROM operation_outcome x WHERE x.operation_id = o.id)
		FROM operation o WHERE o.id = $1 AND `+where+` FOR UPDATE OF o`, args...).
		Scan(&h.id, &h.subdistrict, &h.cancelled, &h.starts, &h.ends, &h.hasOutcome)
	if err == pgx.ErrNoRows {
		return h, apperr.New(apperr.NotFound, "operation %d not found", id)
	}
	if err != nil {
		return h, fmt.Errorf("lock operation %d: %w", id, err)
	}
	if !mayChange(who, h.subdistrict) {
		return h, apperr.New(apperr.Forbidden, "only the street chief of the subdistrict or an administrator changes operation %d", id)
	}
	return h, nil
}

type head struct {
	id, subdistrict int64
	cancelled       bool
	starts, ends    time.Time
	hasOutcome      bool
}

func (h head) state(now time.Time) State {
	switch {
	case h.cancelled:
		return StateCancelled
	case h.hasOutcome:
		return StateDone
	case !now.Before(h.ends):
		return StateOutcomeOverdue
	case !now.Before(h.starts):
		return StateUnderWay
	}
	return StatePlanned
}

func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit it is a no-op
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
