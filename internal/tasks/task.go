package tasks

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/objectstore"
)

// Level is who issued a task.
type Level string

const (
	City     Level = "city"     // 市委市政府
	District Level = "district" // 区委区政府
)

// Levels lists every Level; task.issuer_level's CHECK allows exactly these.
var Levels = []Level{City, District}

// ItemState is where an item stands, read from its newest event (migration 0035).
type ItemState string

const (
	ItemOpen       ItemState = "open"        // broken down, nothing reported yet
	ItemInProgress ItemState = "in_progress" // progress reported
	ItemClaimed    ItemState = "claimed"     // reported done, waiting for the issuer
	ItemAccepted   ItemState = "accepted"    // accepted by the issuer: final
	ItemReturned   ItemState = "returned"    // sent back by the issuer: in progress again, counted as returned
)

// State is where a task (or one subdistrict's part of it) stands, derived from its items.
type State string

const (
	StateIssued     State = "issued"      // not yet broken down
	StateBrokenDown State = "broken_down" // items made, nothing reported
	StateInProgress State = "in_progress"
	StateClaimed    State = "claimed" // every item reported done or accepted
	StateDone       State = "done"    // every item of every part accepted
	StateCancelled  State = "cancelled"
)

// States lists every State, for the list's filter.
var States = []State{StateIssued, StateBrokenDown, StateInProgress, StateClaimed, StateDone, StateCancelled}

// Event kinds, as task_event.kind's CHECK allows.
const (
	EventProgress = "progress"
	EventClaim    = "claim"
	EventAccept   = "accept"
	EventReturn   = "return"
)

// IssuerAfter is how long an item stays overdue after its street chief was told before the issuer
// is told too.
const IssuerAfter = 48 * time.Hour

// beijing is the wall clock of deadlines in notices.
var beijing = time.FixedZone("CST", 8*3600)

// Service reads and writes the task tables.
type Service struct {
	db     *pgxpool.Pool
	photos objectstore.Store // nil: photos' bytes in their rows
	now    func() time.Time
}

// NewService returns a Service on db, keeping photos in photos (nil: in their rows).
func NewService(db *pgxpool.Pool, photos objectstore.Store) *Service {
	return &Service{db: db, photos: photos, now: time.Now}
}

// WithClock returns a copy of the Service that takes the time from now: tests and the demo write
// history at moments of their choosing.
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// readsAll says whether who reads every task and every part of it.
func readsAll(who access.Principal) bool {
	return who.Role == access.Admin || who.Role == access.DistrictLeader || who.Role == access.Assessor
}

// mayIssue says whether who issues, changes, cancels, accepts and returns tasks.
func mayIssue(who access.Principal) bool {
	return who.Role == access.Admin || who.Role == access.DistrictLeader
}

// taskPredicate is who may read task t, appending its arguments to args.
func taskPredicate(who access.Principal, args []any) (string, []any) {
	switch {
	case readsAll(who):
		return "TRUE", args
	case who.Role == access.StreetChief:
		args = append(args, nonNil(who.Scope.Subdistricts))
		return fmt.Sprintf("EXISTS (SELECT 1 FROM task_part p WHERE p.task_id = t.id AND p.subdistrict_id = ANY($%d::bigint[]))", len(args)), args
	case who.Role == access.LaneChief:
		args = append(args, nonNil(who.Scope.Communities))
		return fmt.Sprintf("EXISTS (SELECT 1 FROM task_item i WHERE i.task_id = t.id AND i.community_id = ANY($%d::bigint[]))", len(args)), args
	}
	return "FALSE", args
}

// seesPart says whether who sees subdistrict sub's part of a task.
func seesPart(who access.Principal, sub int64) bool {
	return readsAll(who) || who.Role == access.StreetChief && slices.Contains(who.Scope.Subdistricts, sub) ||
		who.Role == access.LaneChief
}

// seesItem says whether who sees an item of subdistrict sub and community com (0: kept at
// subdistrict level).
func seesItem(who access.Principal, sub, com int64) bool {
	if who.Role == access.LaneChief {
		return com != 0 && slices.Contains(who.Scope.Communities, com)
	}
	return seesPart(who, sub)
}

// reportsOn says whether who reports progress on an item of subdistrict sub and community com.
func reportsOn(who access.Principal, sub, com int64) bool {
	switch who.Role {
	case access.Admin:
		return true
	case access.StreetChief:
		return slices.Contains(who.Scope.Subdistricts, sub)
	case access.LaneChief:
		return com != 0 && slices.Contains(who.Scope.Communities, com)
	}
	return false
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

func (s *Service) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
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

// deadlineSQL is task t's current deadline: its newest revision's, else the one it was issued with.
const deadlineSQL = `COALESCE((SELECT r.deadline FROM task_revision r WHERE r.task_id = t.id AND r.kind = 'deadline'
	ORDER BY r.id DESC LIMIT 1), t.deadline)`

// cancelledSQL is whether task t is cancelled.
const cancelledSQL = `EXISTS (SELECT 1 FROM task_revision r WHERE r.task_id = t.id AND r.kind = 'cancel')`
