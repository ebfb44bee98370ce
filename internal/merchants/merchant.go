package merchants

import (
	"context"
	"encoding/json"
	"errors"
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
)

// Status is whether a shop still trades where it is registered.
type Status string

const (
	Open   Status = "open"
	Closed Status = "closed"
	Moved  Status = "moved" // left this address; a shop that reopens elsewhere is registered there
)

// Statuses are the values of merchant.status, in its CHECK's order.
var Statuses = []Status{Open, Closed, Moved}

// Merchant is a shop (商户) of the 门前三包 register. Its subdistrict and community are derived from
// its point by the database, by the strict-interior rule of every located row.
type Merchant struct {
	ID            int64
	SourceKey     string
	Name          string
	LicenceNo     string
	BusinessType  string
	Address       string
	ContactName   string // personal data: answered only to callers whose scope holds the shop
	ContactPhone  string
	Location      orb.Point
	Frontage      orb.Geometry // the pavement the pledge covers: a line or a polygon; nil when not drawn
	Status        Status
	StatusSince   time.Time // a Beijing date
	SubdistrictID int64
	CommunityID   int64
	Attributes    map[string]any
	CreatedAt     time.Time
	UpdatedAt     time.Time

	// As of now: a pledge whose period holds today, the primary inspector, the last check.
	Pledged         bool
	InspectorID     int64
	InspectorName   string
	LastInspectedAt *time.Time
	InspectedToday  bool // a standing inspection on today's Beijing date, by anyone
	// DistanceM is the distance from the point a Near list was asked about, else 0.
	DistanceM float64
}

// Input is what a caller sets on a shop.
type Input struct {
	Name         string
	LicenceNo    string // optional; checked when given
	BusinessType string
	Address      string
	ContactName  string
	ContactPhone string
	Location     orb.Point
	Frontage     orb.Geometry
	Attributes   map[string]any
	SourceKey    string // the natural key of the register it came from; empty for one entered by hand
}

// Text limits, the table's CHECKs, checked first so that a long field is a clear 422.
const (
	maxName     = 200
	maxType     = 100
	maxAddress  = 300
	maxContact  = 100
	maxPhone    = 40
	maxNote     = 2000
	maxReason   = 500
	maxKey      = 200
	maxAttrJSON = 16 << 10
)

func (in *Input) normalise() {
	in.Name = strings.TrimSpace(in.Name)
	in.LicenceNo = normaliseLicence(in.LicenceNo)
	in.BusinessType = strings.TrimSpace(in.BusinessType)
	in.Address = strings.TrimSpace(in.Address)
	in.ContactName = strings.TrimSpace(in.ContactName)
	in.ContactPhone = strings.TrimSpace(in.ContactPhone)
}

// check is every rule that needs no database.
func (in Input) check() error {
	if in.Name == "" {
		return apperr.New(apperr.Invalid, "name is required").With("field", "name")
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"name", in.Name, maxName}, {"business_type", in.BusinessType, maxType}, {"address", in.Address, maxAddress},
		{"contact_name", in.ContactName, maxContact}, {"contact_phone", in.ContactPhone, maxPhone}, {"source_key", in.SourceKey, maxKey}} {
		if err := checkText(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	if strings.Trim(in.ContactPhone, "0123456789+-() ") != "" {
		return apperr.New(apperr.Invalid, "contact_phone %q may hold only digits, spaces and + - ( )", clip(in.ContactPhone, 40)).With("field", "contact_phone")
	}
	if in.LicenceNo != "" {
		if err := CheckLicence(in.LicenceNo); err != nil {
			return err
		}
	}
	if err := checkPoint("location", in.Location); err != nil {
		return err
	}
	if in.Frontage != nil {
		if err := checkFrontageShape(in.Frontage); err != nil {
			return err
		}
	}
	if b, err := json.Marshal(in.Attributes); err != nil || len(b) > maxAttrJSON {
		return apperr.New(apperr.Invalid, "attributes must be a JSON object of at most %d bytes", maxAttrJSON).With("field", "attributes")
	}
	return nil
}

// merchantSelect reads a shop with its state as of now: the current pledge is one whose period holds
// today's Beijing date, the inspector the current primary one, inspected today a standing inspection
// on that date.
const merchantSelect = `SELECT m.id, COALESCE(m.source_key, ''), m.name, COALESCE(m.licence_no, ''), m.business_type, m.address,
	m.contact_name, m.contact_phone, ST_X(m.location), ST_Y(m.location), ST_AsBinary(m.frontage), m.status, m.status_since,
	COALESCE(m.subdistrict_id, 0), COALESCE(m.community_id, 0), m.attributes, m.created_at, m.updated_at,
	EXISTS (SELECT 1 FROM merchant_pledge p WHERE p.merchant_id = m.id AND p.voided_at IS NULL
		AND p.valid @> (now() AT TIME ZONE 'Asia/Shanghai')::date),
	COALESCE(ins.person_id, 0), COALESCE(ins.name, ''),
	(SELECT max(i.at) FROM merchant_inspection i WHERE i.merchant_id = m.id AND i.voided_at IS NULL),
	EXISTS (SELECT 1 FROM merchant_inspection i WHERE i.merchant_id = m.id AND i.voided_at IS NULL
		AND i.visit_day = (now() AT TIME ZONE 'Asia/Shanghai')::date)
	FROM merchant m
	LEFT JOIN LATERAL (SELECT mi.person_id, pd.name FROM merchant_inspector mi JOIN person_directory pd ON pd.id = mi.person_id
		WHERE mi.merchant_id = m.id AND mi.is_primary AND mi.voided_at IS NULL AND mi.valid @> now() LIMIT 1) ins ON true`

func scanMerchant(row pgx.Row, extra ...any) (Merchant, error) {
	var (
		m            Merchant
		front, attrs []byte
		status       string
	)
	dest := append([]any{&m.ID, &m.SourceKey, &m.Name, &m.LicenceNo, &m.BusinessType, &m.Address, &m.ContactName, &m.ContactPhone,
		&m.Location[0], &m.Location[1], &front, &status, &m.StatusSince, &m.SubdistrictID, &m.CommunityID, &attrs,
		&m.CreatedAt, &m.UpdatedAt, &m.Pledged, &m.InspectorID, &m.InspectorName, &m.LastInspectedAt, &m.InspectedToday}, extra...)
	if err := row.Scan(dest...); err != nil {
		return m, err
	}
	m.Status = Status(status)
	if front != nil {
		g, err := wkb.Unmarshal(front)
		if err != nil {
			return m, fmt.Errorf("merchant %d frontage: %w", m.ID, err)
		}
		m.Frontage = g
	}
	if err := json.Unmarshal(attrs, &m.Attributes); err != nil {
		return m, fmt.Errorf("merchant %d attributes: %w", m.ID, err)
	}
	return m, nil
}

// readScope is the SQL condition that the caller may read the shop aliased m: an inspector reads the
// shops they check now (包户到人), everyone else the shops located in their scope.
func readScope(who access.Principal, args []any) (string, []any) {
	if who.Role == access.Inspector {
		args = append(args, who.PersonID)
		return fmt.Sprintf(`EXISTS (SELECT 1 FROM merchant_inspector mi WHERE mi.merchant_id = m.id AND mi.person_id = $%d
			AND mi.voided_at IS NULL AND mi.valid @> now())`, len(args)), args
	}
	return who.Scope.Predicate("m.subdistrict_id", "m.community_id", args)
}

// Merchant returns one shop the caller may read; any other reads as not found.
func (s *Store) Merchant(ctx context.Context, who access.Principal, id int64) (Merchant, error) {
	scope, args := readScope(who, []any{id})
	m, err := scanMerchant(s.db.QueryRow(ctx, merchantSelect+` WHERE m.id = $1 AND `+scope, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return m, apperr.New(apperr.NotFound, "merchant %d not found", id)
	}
	if err != nil {
		return m, fmt.Errorf("merchant %d: %w", id, err)
	}
	return m, nil
}

// CreateMerchant registers a shop. It must lie inside a subdistrict of the caller's scope.
func (s *Store) CreateMerchant(ctx context.Context, who access.Principal, in Input) (Merchant, error) {
	if !who.CanChangeFieldData() {
		return Merchant{}, apperr.New(apperr.Forbidden, "your role may not register shops")
	}
	in.normalise()
	if err := in.check(); err != nil {
		return Merchant{}, err
	}
	var out Merchant
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if err := checkFrontage(ctx, tx, in.Location, in.Frontage); err != nil {
			return err
		}
		attrs, _ := json.Marshal(orEmpty(in.Attributes))
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO merchant (source_key, name, licence_no, business_type, address, contact_name, contact_phone,
				location, frontage, attributes)
			VALUES (NULLIF($1, ''), $2, NULLIF($3, ''), $4, $5, $6, $7, ST_SetSRID(ST_MakePoint($8, $9), 4326), ST_GeomFromWKB($10, 4326), $11)
			RETURNING id`, in.SourceKey, in.Name, in.LicenceNo, in.BusinessType, in.Address, in.ContactName, in.ContactPhone,
			in.Location[0], in.Location[1], wkbOf(in.Frontage), attrs).Scan(&id)
		if err != nil {
			return translate(err, "merchant")
		}
		if out, err = lockMerchant(ctx, tx, id); err != nil {
			return err
		}
		if err := placeAllowed(who, out); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Create, "merchant", id, nil, merchantAudit(out))
	})
	return out, err
}

// placeAllowed refuses a shop outside every subdistrict (outside the district) or outside the
// caller's scope.
func placeAllowed(who access.Principal, m Merchant) error {
	if m.SubdistrictID == 0 {
		return apperr.New(apperr.Invalid, "the shop at [%g, %g] lies outside every subdistrict of the district", m.Location[0], m.Location[1]).With("field", "location")
	}
	if !who.Scope.InScope(m.SubdistrictID, m.CommunityID) {
		return apperr.New(apperr.Forbidden, "the shop lies outside your scope")
	}
	return nil
}

// Patch changes some of a shop's fields; nil fields stay as they are. Frontage set with ClearFrontage
// false replaces it; ClearFrontage removes it.
type Patch struct {
	Name, LicenceNo, BusinessType, Address, ContactName, ContactPhone *string
	Location                                                          *orb.Point
	Frontage                                                          orb.Geometry
	ClearFrontage                                                     bool
	Attributes                                                        map[string]any
}

// UpdateMerchant applies a patch. Moving the point re-derives the shop's community; the caller needs
// scope over the shop where it was and where it goes.
func (s *Store) UpdateMerchant(ctx context.Context, who access.Principal, id int64, p Patch) (Merchant, error) {
	if !who.CanChangeFieldData() {
		return Merchant{}, apperr.New(apperr.Forbidden, "your role may not change shops")
	}
	var out Merchant
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		before, err := lockInScope(ctx, tx, who, id)
		if err != nil {
			return err
		}
		in := Input{Name: before.Name, LicenceNo: before.LicenceNo, BusinessType: before.BusinessType, Address: before.Address,
			ContactName: before.ContactName, ContactPhone: before.ContactPhone, Location: before.Location, Frontage: before.Frontage,
			Attributes: before.Attributes, SourceKey: before.SourceKey}
		for _, f := range []struct {
			dst *string
			src *string
		}{{&in.Name, p.Name}, {&in.LicenceNo, p.LicenceNo}, {&in.BusinessType, p.BusinessType}, {&in.Address, p.Address},
			{&in.ContactName, p.ContactName}, {&in.ContactPhone, p.ContactPhone}} {
			if f.src != nil {
				*f.dst = *f.src
			}
		}
		if p.Location != nil {
			in.Location = *p.Location
		}
		if p.Frontage != nil {
			in.Frontage = p.Frontage
		}
		if p.ClearFrontage {
			in.Frontage = nil
		}
		if p.Attributes != nil {
			in.Attributes = p.Attributes
		}
		in.normalise()
		if err := in.check(); err != nil {
			return err
		}
		if err := checkFrontage(ctx, tx, in.Location, in.Frontage); err != nil {
			return err
		}
		attrs, _ := json.Marshal(orEmpty(in.Attributes))
		_, err = tx.Exec(ctx, `UPDATE merchant SET name = $2, licence_no = NULLIF($3, ''), business_type = $4, address = $5,
				contact_name = $6, contact_phone = $7, location = ST_SetSRID(ST_MakePoint($8, $9), 4326),
				frontage = ST_GeomFromWKB($10, 4326), attributes = $11, updated_at = now()
			WHERE id = $1`, id, in.Name, in.LicenceNo, in.BusinessType, in.Address, in.ContactName, in.ContactPhone,
			in.Location[0], in.Location[1], wkbOf(in.Frontage), attrs)
		if err != nil {
			return translate(err, "merchant")
		}
		if out, err = lockMerchant(ctx, tx, id); err != nil {
			return err
		}
		if err := placeAllowed(who, out); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Update, "merchant", id, merchantAudit(before), merchantAudit(out))
	})
	return out, err
}

// StatusChange closes a shop, records that it moved away, or reopens it, from a date on.
type StatusChange struct {
	Status Status
	Since  time.Time // a Beijing date; zero: today
	Note   string
}

// SetStatus records a shop's new status. Shops are never deleted: a closed or moved shop stays on the
// register with the date, and its history with it; the change and its note go to the audit log.
func (s *Store) SetStatus(ctx context.Context, who access.Principal, id int64, c StatusChange) (Merchant, error) {
	if !who.CanChangeFieldData() {
		return Merchant{}, apperr.New(apperr.Forbidden, "your role may not change shops")
	}
	if !slices.Contains(Statuses, c.Status) {
		return Merchant{}, apperr.New(apperr.Invalid, "status %q is not one of open, closed, moved", clip(string(c.Status), 40)).With("field", "status")
	}
	if err := checkText("note", c.Note, maxNote); err != nil {
		return Merchant{}, err
	}
	today := beijingDay(time.Now())
	if c.Since.IsZero() {
		c.Since = today
	}
	if c.Since.After(today) {
		return Merchant{}, apperr.New(apperr.Invalid, "since %s is in the future", c.Since.Format(time.DateOnly)).With("field", "since")
	}
	var out Merchant
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		before, err := lockInScope(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if before.Status == c.Status {
			return apperr.New(apperr.Conflict, "merchant %d is already %s", id, c.Status)
		}
		if c.Since.Before(before.StatusSince) {
			return apperr.New(apperr.Invalid, "since %s is before the shop became %s on %s", c.Since.Format(time.DateOnly),
				before.Status, before.StatusSince.Format(time.DateOnly)).With("field", "since")
		}
		if _, err := tx.Exec(ctx, `UPDATE merchant SET status = $2, status_since = $3, updated_at = now() WHERE id = $1`,
			id, string(c.Status), c.Since); err != nil {
			return translate(err, "merchant")
		}
		if out, err = lockMerchant(ctx, tx, id); err != nil {
			return err
		}
		after := merchantAudit(out)
		after["note"] = c.Note
		return audit.Record(ctx, tx, who, audit.Update, "merchant", id, merchantAudit(before), after)
	})
	return out, err
}

func lockMerchant(ctx context.Context, tx pgx.Tx, id int64) (Merchant, error) {
	m, err := scanMerchant(tx.QueryRow(ctx, merchantSelect+` WHERE m.id = $1 FOR UPDATE OF m`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return m, apperr.New(apperr.NotFound, "merchant %d not found", id)
	}
	return m, err
}

// lockInScope locks a shop the caller may change; one outside their scope reads as not found.
func lockInScope(ctx context.Context, tx pgx.Tx, who access.Principal, id int64) (Merchant, error) {
	m, err := lockMerchant(ctx, tx, id)
	if err != nil {
		return m, err
	}
	if !who.Scope.InScope(m.SubdistrictID, m.CommunityID) {
		return Merchant{}, apperr.New(apperr.NotFound, "merchant %d not found", id)
	}
	return m, nil
}

// merchantAudit is the audit form of a shop, contact included: the audit log is read by
// administrators and district leaders, whose scope is the whole district.
func merchantAudit(m Merchant) map[string]any {
	return map[string]any{"id": m.ID, "name": m.Name, "licence_no": m.LicenceNo, "business_type": m.BusinessType,
		"address": m.Address, "contact_name": m.ContactName, "contact_phone": m.ContactPhone,
		"location": []float64{m.Location[0], m.Location[1]}, "status": m.Status, "status_since": m.StatusSince.Format(time.DateOnly),
		"subdistrict_id": m.SubdistrictID, "community_id": m.CommunityID, "source_key": m.SourceKey}
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// beijing is the district's clock: a pledge's dates and a shop's status dates are its days.
var beijing = time.FixedZone("CST", 8*3600)

// beijingDay is t's date in Beijing, as midnight UTC of that date (how pgx reads a date).
func beijingDay(t time.Time) time.Time {
	y, m, d := t.In(beijing).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
