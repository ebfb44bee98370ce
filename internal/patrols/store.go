package patrols

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/fieldproof"
	"streetchief/internal/incidents"
)

// Store reads and writes the patrol tables.
type Store struct {
	db    *pgxpool.Pool
	rules fieldproof.PatrolRules
	now   func() time.Time
	// Where a patrol's events come from: nil leaves those events out.
	inspections, sightings RecordsOf
	incidents              *incidents.Service
}

// RecordsOf lists a person's own records of one kind made in [from, until]. The merchants' register
// lies on this package's layer, so its Go API reaches the Store as a function wired from above.
type RecordsOf func(ctx context.Context, personID int64, from, until time.Time) ([]Event, error)

// Options are the Store's collaborators; the zero value is usable (no events, the real clock).
type Options struct {
	Now         func() time.Time // nil: time.Now
	Inspections RecordsOf        // the shops a person inspected (门前三包)
	Sightings   RecordsOf        // the vendors a person sighted
	Incidents   *incidents.Service
}

// NewStore returns a Store on db that judges patrols by rules.
func NewStore(db *pgxpool.Pool, rules fieldproof.PatrolRules, opt Options) *Store {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Store{db: db, rules: rules, now: opt.Now, inspections: opt.Inspections, sightings: opt.Sightings, incidents: opt.Incidents}
}

// Rules are the thresholds the Store judges by.
func (s *Store) Rules() fieldproof.PatrolRules { return s.rules }

// patrolRoles are the people who walk patrols.
var patrolRoles = []access.Role{access.Admin, access.StreetChief, access.LaneChief, access.Inspector}

// mayPatrol reports whether who may record a patrol of their own: one of the field roles, with a
// person (the patrol is that person's work).
func mayPatrol(who access.Principal) bool {
	return slices.Contains(patrolRoles, who.Role) && who.PersonID != 0
}
