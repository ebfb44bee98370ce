package merchants

import (
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/fieldproof"
	"streetchief/internal/incidents"
	"streetchief/internal/objectstore"
	"streetchief/internal/registry"
)

// Rules are the deployment's 门前三包 thresholds; zero values take the defaults.
type Rules struct {
	// OffSiteMetres is how far from the shop's point or frontage a check-in may be (default 50 m);
	// the reported GPS accuracy is added, up to AccuracyAllowanceCapMetres (default 50 m).
	OffSiteMetres              float64
	AccuracyAllowanceCapMetres float64
	// Proof judges every check-in against fake work (a zero threshold: fieldproof's default); serve
	// takes it from --field-proof-rules' check_in member.
	Proof fieldproof.CheckInRules
}

func (r Rules) withDefaults() Rules {
	if r.OffSiteMetres <= 0 {
		r.OffSiteMetres = 50
	}
	if r.AccuracyAllowanceCapMetres <= 0 {
		r.AccuracyAllowanceCapMetres = 50
	}
	// Threshold by threshold, so rules given in part never judge with a zero limit (which would
	// flag every fix).
	def := fieldproof.DefaultRules().CheckIn
	if r.Proof.MaxAccuracyM <= 0 {
		r.Proof.MaxAccuracyM = def.MaxAccuracyM
	}
	if r.Proof.TeleportKmh <= 0 {
		r.Proof.TeleportKmh = def.TeleportKmh
	}
	return r
}

// Store reads and writes the merchant tables. It places shops through the registry's published views
// and hands repeat offenders to the incident workflow.
type Store struct {
	db        *pgxpool.Pool
	registry  *registry.Store
	incidents *incidents.Service
	photos    objectstore.Store // nil: photos' bytes in their rows
	rules     Rules
}

// NewStore returns a Store on db, keeping photos in photos (nil: in their rows).
func NewStore(db *pgxpool.Pool, reg *registry.Store, inc *incidents.Service, photos objectstore.Store, rules Rules) *Store {
	return &Store{db: db, registry: reg, incidents: inc, photos: photos, rules: rules.withDefaults()}
}
