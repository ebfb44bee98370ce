// Package incidents owns what is reported on the street — categories, incidents, their photos, their
// history — and the rules that move them: routing to whoever the lookup engine says is responsible
// there, the persuade → escalate → joint enforcement workflow, due times, escalation of overdue cases,
// duplicate detection, and re-routing once the engine has applied a change of the territory. It must
// not depend on the HTTP layer.
package incidents

import (
	"cmp"
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"streetchief/internal/database"
	"streetchief/internal/lookup"
	"streetchief/internal/notify"
	"streetchief/internal/objectstore"
	"streetchief/internal/registry"
)

// ChangeChannel is where migration 0005 announces every committed change to an incident.
const ChangeChannel = "incident_changed"

// Matcher says who is responsible at a WGS-84 point at a moment: the in-memory lookup engine, the one
// implementation of that rule. It is an interface so that this package states the one method it needs.
type Matcher interface {
	Lookup(ctx context.Context, pt orb.Point, at time.Time) (lookup.Answer, error)
}

// Status is where an incident stands in the workflow.
type Status string

const (
	Reported         Status = "reported"
	Assigned         Status = "assigned"
	InProgress       Status = "in_progress" // the lane chief is persuading the offender on the spot
	Escalated        Status = "escalated"   // handed to the street chief
	JointEnforcement Status = "joint_enforcement"
	Resolved         Status = "resolved"
	Closed           Status = "closed"
	Reopened         Status = "reopened"
	Rejected         Status = "rejected"
	Duplicate        Status = "duplicate"
)

// Statuses lists every status in workflow order.
var Statuses = []Status{Reported, Assigned, InProgress, Escalated, JointEnforcement, Resolved, Closed,
	Reopened, Rejected, Duplicate}

// Open reports whether someone still has to act on an incident in status s.
func (s Status) Open() bool {
	switch s {
	case Resolved, Closed, Rejected, Duplicate:
		return false
	}
	return true
}

// openStatusesSQL is the same rule for queries.
const openStatusesSQL = `('reported', 'assigned', 'in_progress', 'escalated', 'joint_enforcement', 'reopened')`

// Escalation levels: who holds an incident, from the most local post up.
const (
	LevelAreaManager = 0
	LevelLaneChief   = 1
	LevelStreetChief = 2
)

var levelOfRole = map[registry.PostRole]int{registry.AreaManager: LevelAreaManager, registry.LaneChief: LevelLaneChief,
	registry.StreetChief: LevelStreetChief}

// Queues: where an incident waits when no person holds it.
const (
	QueueAssignee     = "assignee"
	QueueSubdistrict  = "subdistrict"   // inside the jurisdiction, but every post is vacant
	QueueDistrictDesk = "district_desk" // outside every subdistrict: the district duty desk
)

// Options tune a Service; zero values take the defaults.
type Options struct {
	// Now is the clock (tests move it).
	Now func() time.Time
	// Citizens sends messages to reporters who left a contact; nil sends none (the contact is kept).
	Citizens *notify.Store
	// Photos is where new photos' bytes go (serve's --photo-dir); their rows keep hash, type and size.
	// Nil keeps new photos' bytes in the row, as before migration 0045.
	Photos objectstore.Store
	// Reads serves the map's points (tiles, which tolerate the lag of a standby, docs/ha.md); nil
	// reads them from db like everything else.
	Reads *pgxpool.Pool
}

// Service reads and writes incidents.
type Service struct {
	db       *pgxpool.Pool
	reads    *pgxpool.Pool // the map's points; a standby's pool or db
	matcher  Matcher
	now      func() time.Time
	citizens *notify.Store
	photos   objectstore.Store
}

var _ Matcher = (*lookup.Engine)(nil)

// NewService returns a Service on db that routes and re-routes incidents with m.
func NewService(db *pgxpool.Pool, m Matcher, opt Options) *Service {
	s := &Service{db: db, reads: cmp.Or(opt.Reads, db), matcher: m, now: opt.Now, citizens: opt.Citizens, photos: opt.Photos}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// inTx runs fn in one transaction: the incident, its events, photos, idempotency key and audit rows
// commit together or not at all.
func (s *Service) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return translate(pgx.BeginFunc(ctx, s.db, fn), "incident")
}

// translate turns the database's refusals into errors a person can act on, and a database gone
// away into one to retry.
func translate(err error, what string) error { return database.RefusedOrGone(err, what, nil) }
