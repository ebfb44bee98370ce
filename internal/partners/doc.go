// Package partners keeps a residential compound's partners over time — the property-management
// company under contract (物业服务企业), residents' teams (居民自治小组, 业委会) and building
// representatives (楼栋长) — the people a lane chief mobilises besides the posts of the registry.
//
// It owns property_company, compound_partner and compound_partner_closing (migration 0042) and
// publishes compound_partner_standing, through which incidents tells a compound's manager of its
// cases and reports finds compounds with no partner. It reads the registry's published views and
// must not depend on incidents, reports or the HTTP layer.
//
// Who may do what: admins, street chiefs and lane chiefs record and close partners in their scope
// (a lane chief their communities, a street chief their subdistricts); district leaders read all.
package partners

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/database"
	"streetchief/internal/registry"
)

// Kind is what a partner of a compound is; compound_partner.kind's CHECK allows exactly Kinds.
type Kind string

const (
	PropertyManager Kind = "property_manager" // a company under contract
	ResidentsTeam   Kind = "residents_team"
	BuildingRep     Kind = "building_rep"
)

// Kinds lists every Kind.
var Kinds = []Kind{PropertyManager, ResidentsTeam, BuildingRep}

// TeamType says which kind of residents' team: self-organised residents or the owners' committee.
type TeamType string

const (
	SelfGovernance  TeamType = "self_governance"  // 居民自治小组
	OwnersCommittee TeamType = "owners_committee" // 业主委员会
)

// TeamTypes lists every TeamType; compound_partner.team_type's CHECK allows exactly these.
var TeamTypes = []TeamType{SelfGovernance, OwnersCommittee}

// CompoundKind is the registry's area kind of a residential compound: only those have partners.
const CompoundKind = "residential_compound"

// Service reads and writes the partner tables.
type Service struct {
	db       conn
	registry *registry.Store
	now      func() time.Time
}

// conn is what a pool and a transaction both offer: the demo runs the Service's every call inside
// one transaction of its own (each call a savepoint), as the registry's InTx binds its Store.
type conn interface {
	Begin(ctx context.Context) (pgx.Tx, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// NewService returns a Service on db; people are checked through reg.
func NewService(db *pgxpool.Pool, reg *registry.Store) *Service {
	return &Service{db: db, registry: reg, now: time.Now}
}

// WithClock returns a copy that takes the time from now: tests and the demo write history at moments
// of their choosing.
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// canWrite is the roles that record partners; the compound's place then decides.
func canWrite(who access.Principal) error {
	switch who.Role {
	case access.Admin, access.StreetChief, access.LaneChief:
		return nil
	}
	return apperr.New(apperr.Forbidden, "your role (%s) may not record a compound's partners", who.Role)
}

func canRead(who access.Principal) error {
	switch who.Role {
	case access.Admin, access.DistrictLeader, access.StreetChief, access.LaneChief:
		return nil
	}
	return apperr.New(apperr.Forbidden, "your role (%s) may not read compounds' partners", who.Role)
}

// inTx runs fn in one transaction.
func (s *Service) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.db, fn)
}

// translate turns the database's refusals into errors a person can act on.
func translate(err error, what string) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.ConstraintName == "property_company_licence_no_key" {
		return apperr.New(apperr.Conflict, "a company with this licence number is registered already").With("field", "licence_no")
	}
	return database.Refused(err, what, database.Messages{
		"compound_partner_closing_pkey": "%s is closed that way already",
		"23503":                         "%s names a person, company or compound that does not exist",
	})
}
