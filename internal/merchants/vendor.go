package merchants

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/incidents"
	"streetchief/internal/registry"
)

// VendorRules are the deployment's rules for mobile vendors; zero values take the defaults.
type VendorRules struct {
	// A registered vendor seen outside its zone or hours RepeatCount times within RepeatDays days
	// (defaults 3 in 30, as for shops) is a repeat offender, handed to the street chief.
	RepeatCount int
	RepeatDays  int
	// Category is the incident category of street-occupying trade (占道经营); empty: the national
	// catalogue's 05-02 where it is loaded, else street_occupying.
	Category string
	// MaxAccuracyMetres refuses a position whose reported accuracy is worse (default 200 m); MaxAge
	// refuses sightings older than that (default 7 days, as long as a report's idempotency key lives).
	MaxAccuracyMetres float64
	MaxAge            time.Duration
	// Now is the clock (tests and the demo move it).
	Now func() time.Time
}

func (r VendorRules) withDefaults() VendorRules {
	if r.RepeatCount <= 0 {
		r.RepeatCount = 3
	}
	if r.RepeatDays <= 0 {
		r.RepeatDays = 30
	}
	if r.MaxAccuracyMetres <= 0 {
		r.MaxAccuracyMetres = 200
	}
	if r.MaxAge <= 0 {
		r.MaxAge = incidents.IdempotencyWindow
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	return r
}

// Vendors keeps the register of mobile vendors (流动摊贩), their zones' hours and their sightings.
type Vendors struct {
	*Store
	rules VendorRules
}

// NewVendors returns the vendor register on the store's database.
func NewVendors(s *Store, r VendorRules) *Vendors { return &Vendors{Store: s, rules: r.withDefaults()} }

// Registration statuses: a vendor trades in its zone (active), is barred for a while (suspended), or
// is no longer registered (ended).
const (
	VendorActive    = "active"
	VendorSuspended = "suspended"
	VendorEnded     = "ended"
)

// VendorStatuses lists them; the migration's CHECK is tested against it.
var VendorStatuses = []string{VendorActive, VendorSuspended, VendorEnded}

// Vendor is a registered vendor with its current registration and its recent record.
type Vendor struct {
	ID             int64          `json:"id"`
	Name           string         `json:"name"`
	Goods          string         `json:"goods"`
	ContactName    string         `json:"contact_name"`
	ContactPhone   string         `json:"contact_phone"`
	HasPhoto       bool           `json:"has_photo"`
	Note           string         `json:"note"`
	Status         string         `json:"status"`
	Since          time.Time      `json:"since"`
	Zone           ZoneRef        `json:"zone"`
	Sightings      int            `json:"sightings"`
	Outside        int            `json:"outside"`
	RepeatOffender bool           `json:"repeat_offender"`
	LastSeen       *time.Time     `json:"last_seen"`
	History        []Registration `json:"history,omitempty"`
}

// ZoneRef names a vendor zone.
type ZoneRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Registration is one range of a vendor's registration.
type Registration struct {
	Status string     `json:"status"`
	Zone   ZoneRef    `json:"zone"`
	From   time.Time  `json:"from"`
	Until  *time.Time `json:"until"`
	Reason string     `json:"reason"`
}

// VendorInput registers a vendor in a zone from From (zero: now).
type VendorInput struct {
	Name         string    `json:"name"`
	Goods        string    `json:"goods"`
	ContactName  string    `json:"contact_name"`
	ContactPhone string    `json:"contact_phone"`
	Photo        []byte    `json:"-"`
	Note         string    `json:"note"`
	ZoneID       int64     `json:"zone_id"`
	From         time.Time `json:"from"`
}

// idNumber finds what looks like a resident identity-card number (18 characters, or the old 15 digits):
// the register is kept without them, so none is stored by mistake in a free-text field either.
var idNumber = regexp.MustCompile(`(^|[^0-9])([0-9]{17}[0-9Xx]|[0-9]{15})($|[^0-9])`)

func checkVendorText(field, s string, max int) error {
	if err := registry.CheckText(field, s, max); err != nil {
		return err
	}
	if idNumber.MatchString(s) {
		return apperr.New(apperr.Invalid, "%s looks like an identity-card number: the vendor register keeps none", field).With("field", field)
	}
	return nil
}

func (in *VendorInput) check() error {
	in.Name, in.Goods, in.Note = strings.TrimSpace(in.Name), strings.TrimSpace(in.Goods), strings.TrimSpace(in.Note)
	in.ContactName, in.ContactPhone = strings.TrimSpace(in.ContactName), strings.TrimSpace(in.ContactPhone)
	if in.Name == "" {
		return apperr.New(apperr.Invalid, "name is required").With("field", "name")
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"name", in.Name, 100}, {"goods", in.Goods, 200}, {"contact_name", in.ContactName, 100},
		{"contact_phone", in.ContactPhone, 40}, {"note", in.Note, 2000}} {
		if err := checkVendorText(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	if in.ZoneID <= 0 {
		return apperr.New(apperr.Invalid, "zone_id is required: the night market or vendor zone the vendor trades in").With("field", "zone_id")
	}
	return nil
}

// zoneInScope reads a vendor zone (an area of kind night_market) and checks the caller may act in it.
func zoneInScope(ctx context.Context, db pgx.Tx, who access.Principal, id int64) (ZoneRef, error) {
	var z ZoneRef
	var kind string
	var sub, com int64
	err := db.QueryRow(ctx, `SELECT id, name, kind, COALESCE(subdistrict_id, 0), COALESCE(community_id, 0)
		FROM area_directory WHERE id = $1`, id).Scan(&z.ID, &z.Name, &kind, &sub, &com)
	if errors.Is(err, pgx.ErrNoRows) {
		return z, apperr.New(apperr.Invalid, "zone %d does not exist", id).With("field", "zone_id")
	}
	if err != nil {
		return z, err
	}
	if kind != "night_market" {
		return z, apperr.New(apperr.Invalid, "area %d is a %s, not a night market or vendor zone", id, kind).With("field", "zone_id")
	}
	if !who.Scope.InScope(sub, com) {
		return z, apperr.New(apperr.Forbidden, "zone %d is outside your scope", id)
	}
	return z, nil
}

// RegisterVendor adds a vendor, active in its zone from in.From.
func (v *Vendors) RegisterVendor(ctx context.Context, who access.Principal, in VendorInput) (Vendor, error) {
	if !who.CanChangeFieldData() {
		return Vendor{}, apperr.New(apperr.Forbidden, "your role (%s) may not register vendors", who.Role)
	}
	if err := in.check(); err != nil {
		return Vendor{}, err
	}
	var photo []incidents.Photo
	if in.Photo != nil {
		p, err := incidents.CheckPhoto(1, in.Photo)
		if err != nil {
			return Vendor{}, err
		}
		photo = append(photo, p)
	}
	now := v.rules.Now()
	from := in.From
	if from.IsZero() {
		from = now
	}
	if from.After(now.Add(time.Minute)) {
		return Vendor{}, apperr.New(apperr.Invalid, "from %s is in the future", from.Format(time.RFC3339)).With("field", "from")
	}
	var id int64
	err := pgx.BeginFunc(ctx, v.db, func(tx pgx.Tx) error {
		if _, err := zoneInScope(ctx, tx, who, in.ZoneID); err != nil {
			return err
		}
		shas, err := v.storeVendorPhotos(ctx, tx, photo)
		if err != nil {
			return err
		}
		var sha any
		if len(shas) == 1 {
			sha = shas[0]
		}
		if err := tx.QueryRow(ctx, `INSERT INTO vendor (name, goods, contact_name, contact_phone, photo_sha256, note, created_by_user_id)
			VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, 0)) RETURNING id`,
			in.Name, in.Goods, in.ContactName, in.ContactPhone, sha, in.Note, who.UserID).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO vendor_registration (vendor_id, zone_area_id, status, valid, created_by_user_id)
			VALUES ($1, $2, 'active', tstzrange($3, NULL), NULLIF($4, 0))`, id, in.ZoneID, from, who.UserID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Create, "vendor", id, nil, map[string]any{"name": in.Name, "zone_id": in.ZoneID})
	})
	if err != nil {
		return Vendor{}, vendorError(err)
	}
	return v.Vendor(ctx, who, id)
}

// StatusInput changes a vendor's registration from At (zero: now): to another status, or to another
// zone (ZoneID, 0 keeps the zone).
type StatusInput struct {
	Status string    `json:"status"`
	ZoneID int64     `json:"zone_id"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// SetVendorStatus ends the vendor's current registration at in.At and starts the new one there; the
// old one stays on record.
func (v *Vendors) SetVendorStatus(ctx context.Context, who access.Principal, id int64, in StatusInput) (Vendor, error) {
	if !who.CanChangeFieldData() {
		return Vendor{}, apperr.New(apperr.Forbidden, "your role (%s) may not change vendors", who.Role)
	}
	if !slices.Contains(VendorStatuses, in.Status) {
		return Vendor{}, apperr.New(apperr.Invalid, "status %q is not one of %s", in.Status, strings.Join(VendorStatuses, ", ")).With("field", "status")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if err := checkVendorText("reason", in.Reason, 500); err != nil {
		return Vendor{}, err
	}
	now := v.rules.Now()
	at := in.At
	if at.IsZero() {
		at = now
	}
	if at.After(now.Add(time.Minute)) {
		return Vendor{}, apperr.New(apperr.Invalid, "at %s is in the future", at.Format(time.RFC3339)).With("field", "at")
	}
	err := pgx.BeginFunc(ctx, v.db, func(tx pgx.Tx) error {
		var regID, zone int64
		var status string
		var from time.Time
		err := tx.QueryRow(ctx, `SELECT id, zone_area_id, status, lower(valid) FROM vendor_registration
			WHERE vendor_id = $1 AND upper_inf(valid) FOR UPDATE`, id).Scan(&regID, &zone, &status, &from)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.New(apperr.NotFound, "vendor %d not found", id)
		}
		if err != nil {
			return err
		}
		if _, err := zoneInScope(ctx, tx, who, zone); err != nil {
			return err
		}
		next := zone
		if in.ZoneID != 0 && in.ZoneID != zone {
			if _, err := zoneInScope(ctx, tx, who, in.ZoneID); err != nil {
				return err
			}
			next = in.ZoneID
		}
		if next == zone && in.Status == status {
			return apperr.New(apperr.Conflict, "vendor %d is already %s in zone %d", id, status, zone).With("field", "status")
		}
		if !at.After(from) {
			return apperr.New(apperr.Invalid, "at must be after the current registration began (%s)", from.Format(time.RFC3339)).With("field", "at")
		}
		if _, err := tx.Exec(ctx, `UPDATE vendor_registration SET valid = tstzrange(lower(valid), $2) WHERE id = $1`, regID, at); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO vendor_registration (vendor_id, zone_area_id, status, valid, reason, created_by_user_id)
			VALUES ($1, $2, $3, tstzrange($4, NULL), $5, NULLIF($6, 0))`, id, next, in.Status, at, in.Reason, who.UserID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Update, "vendor", id, map[string]any{"status": status, "zone_id": zone},
			map[string]any{"status": in.Status, "zone_id": next, "reason": in.Reason})
	})
	if err != nil {
		return Vendor{}, vendorError(err)
	}
	return v.Vendor(ctx, who, id)
}

// storeVendorPhotos keeps photos once by content and answers their digests.
func (s *Store) storeVendorPhotos(ctx context.Context, tx pgx.Tx, photos []incidents.Photo) ([][]byte, error) {
	out := make([][]byte, 0, len(photos))
	for _, p := range photos {
		if err := s.putPhoto(ctx, tx, p); err != nil {
			return nil, err
		}
		out = append(out, p.SHA256[:])
	}
	return out, nil
}

// vendorError keeps application errors and names the constraint a database refusal broke.
func vendorError(err error) error {
	var ae *apperr.Error
	if err == nil || errors.As(err, &ae) {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23P01":
			return apperr.New(apperr.Conflict, "that range overlaps another registration of the vendor")
		case "23505":
			return apperr.New(apperr.Conflict, "already recorded (%s)", pgErr.ConstraintName)
		case "23514", "22001", "22P02", "22007", "22008":
			return apperr.New(apperr.Invalid, "refused by the database: %s", pgErr.ConstraintName)
		}
	}
	return fmt.Errorf("vendors: %w", err)
}
