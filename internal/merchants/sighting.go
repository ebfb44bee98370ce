package merchants

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/incidents"
)

// Sighting is a recorded sighting of a mobile vendor and the verdict it was judged by.
type Sighting struct {
	ID             int64     `json:"id"`
	Void           bool      `json:"void,omitempty"`
	VoidReason     string    `json:"void_reason,omitempty"`
	VendorID       int64     `json:"vendor_id,omitempty"`
	VendorName     string    `json:"vendor_name,omitempty"`
	At             time.Time `json:"at"`
	Day            string    `json:"day"`
	Lon            float64   `json:"lon"`
	Lat            float64   `json:"lat"`
	AccuracyM      float64   `json:"accuracy_m"`
	Zone           *ZoneRef  `json:"zone"`
	InZone         bool      `json:"in_zone"`
	InHours        bool      `json:"in_hours"`
	Registered     bool      `json:"registered"`
	Outside        bool      `json:"outside"`
	RepeatOffender bool      `json:"repeat_offender"`
	IncidentID     int64     `json:"incident_id,omitempty"`
	Note           string    `json:"note"`
	Photos         int       `json:"photos"`
	PersonID       int64     `json:"person_id,omitempty"`
	SubdistrictID  int64     `json:"subdistrict_id,omitempty"`
	CommunityID    int64     `json:"community_id,omitempty"`
}

// sightingRoles are the people who record sightings in the field.
var sightingRoles = []access.Role{access.Admin, access.StreetChief, access.LaneChief, access.Inspector}

// verdict is how a sighting is judged before anything is written.
type verdict struct {
	vendorName, goods string
	status            string // the registration's then, "" for none
	zone              ZoneRef
	hours             []HoursWindow
	inZone, inHours   bool
	registered        bool
	sub, com          int64
}

func (d verdict) outside(vendorID int64) bool {
	return !(d.inZone && d.inHours && (d.registered || vendorID == 0))
}

// RecordSighting judges and stores a sighting. One outside its zone or hours (or of a vendor not
// registered then, or of an unregistered vendor outside every zone's hours) becomes a 占道经营
// incident routed as any report at that point; a registered vendor seen outside RepeatCount times in
// RepeatDays is a repeat offender, whose case goes to the street chief, and whose later sightings join
// that case while it is open. A resend with the same Idempotency-Key answers the first sighting
// (replayed true); everything is checked before anything is written.
func (v *Vendors) RecordSighting(ctx context.Context, who access.Principal, in SightingInput) (Sighting, bool, error) {
	if !slices.Contains(sightingRoles, who.Role) {
		return Sighting{}, false, apperr.New(apperr.Forbidden, "your role (%s) may not record vendor sightings", who.Role)
	}
	if in.Key != "" {
		if s, ok, err := v.replay(ctx, who, in); err != nil || ok {
			return s, ok, err
		}
	}
	now := v.rules.Now()
	if in.At.IsZero() {
		in.At = now
	}
	if in.At.After(now.Add(2 * time.Minute)) {
		return Sighting{}, false, apperr.New(apperr.Invalid, "at %s is in the future", in.At.Format(time.RFC3339)).With("field", "at")
	}
	if in.At.Before(now.Add(-v.rules.MaxAge)) {
		return Sighting{}, false, apperr.New(apperr.Invalid, "at %s is more than %s ago; record sightings within %d days",
			in.At.Format(time.RFC3339), v.rules.MaxAge, int(v.rules.MaxAge.Hours()/24)).With("field", "at")
	}
	if in.AccuracyM > v.rules.MaxAccuracyMetres {
		return Sighting{}, false, apperr.New(apperr.Invalid, "accuracy_m %g is worse than %g m: wait for a better GPS fix",
			in.AccuracyM, v.rules.MaxAccuracyMetres).With("field", "accuracy_m")
	}
	d, err := v.judge(ctx, who, in)
	if err != nil {
		return Sighting{}, false, err
	}
	var incidentID int64
	repeat := false
	if d.outside(in.VendorID) {
		if incidentID, repeat, err = v.toIncident(ctx, who, in, d); err != nil {
			return Sighting{}, false, err
		}
	}
	id, err := v.insertSighting(ctx, who, in, d, incidentID, repeat)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.ConstraintName == "vendor_sighting_idempotent" {
		return v.replay(ctx, who, in) // the same resend, committed first by a concurrent request
	}
	if err != nil {
		return Sighting{}, false, vendorError(err)
	}
	s, err := v.Sighting(ctx, access.System("vendors"), id)
	return s, false, err
}

// replay answers the sighting already stored under the caller's key, if any.
func (v *Vendors) replay(ctx context.Context, who access.Principal, in SightingInput) (Sighting, bool, error) {
	var id int64
	var digest []byte
	err := v.db.QueryRow(ctx, `SELECT id, request_sha256 FROM vendor_sighting WHERE user_id = $1 AND idempotency_key = $2`,
		who.UserID, in.Key).Scan(&id, &digest)
	if errors.Is(err, pgx.ErrNoRows) {
		return Sighting{}, false, nil
	}
	if err != nil {
		return Sighting{}, false, fmt.Errorf("sighting replay: %w", err)
	}
	if string(digest) != string(in.digest[:]) {
		return Sighting{}, false, apperr.New(apperr.Invalid, "Idempotency-Key %q was already used for a different sighting", in.Key).With("field", "Idempotency-Key")
	}
	s, err := v.Sighting(ctx, access.System("vendors"), id)
	return s, err == nil, err
}

// judge locates the sighting, checks the caller may record there, and finds the vendor's zone then.
func (v *Vendors) judge(ctx context.Context, who access.Principal, in SightingInput) (verdict, error) {
	var d verdict
	err := pgx.BeginTxFunc(ctx, v.db, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `WITH p AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326) AS g),
				c AS (SELECT admin_unit_by_largest_overlap(p.g, 'community') AS id FROM p)
			SELECT COALESCE(c.id, 0), COALESCE((SELECT parent_id FROM unit_directory WHERE id = c.id),
				admin_unit_by_largest_overlap(p.g, 'subdistrict'), 0) FROM p, c`, in.Point[0], in.Point[1]).Scan(&d.com, &d.sub); err != nil {
			return err
		}
		if d.sub == 0 && d.com == 0 {
			return apperr.New(apperr.Invalid, "the position [%g, %g] is outside the district", in.Point[0], in.Point[1]).With("field", "lon")
		}
		if !who.Scope.InScope(d.sub, d.com) {
			return apperr.New(apperr.Forbidden, "the position [%g, %g] is outside your scope", in.Point[0], in.Point[1])
		}
		if in.VendorID != 0 {
			return v.judgeRegistered(ctx, tx, in, &d)
		}
		return v.judgeUnregistered(ctx, tx, in, &d)
	})
	return d, vendorError(err)
}

func (v *Vendors) judgeRegistered(ctx context.Context, tx pgx.Tx, in SightingInput, d *verdict) error {
	err := tx.QueryRow(ctx, `SELECT name, goods FROM vendor WHERE id = $1`, in.VendorID).Scan(&d.vendorName, &d.goods)
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.New(apperr.Invalid, "vendor %d is not registered; leave vendor_id out for an unregistered vendor", in.VendorID).With("field", "vendor_id")
	}
	if err != nil {
		return err
	}
	err = tx.QueryRow(ctx, `SELECT r.zone_area_id, r.status, z.name, ST_Covers(z.geom, ST_SetSRID(ST_MakePoint($3, $4), 4326))
		FROM vendor_registration r JOIN area_directory z ON z.id = r.zone_area_id
		WHERE r.vendor_id = $1 AND r.valid @> $2::timestamptz`, in.VendorID, in.At, in.Point[0], in.Point[1]).
		Scan(&d.zone.ID, &d.status, &d.zone.Name, &d.inZone)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // not registered yet at that time: judged as trading without a registration
	}
	if err != nil {
		return err
	}
	hours, err := zoneWindows(ctx, tx, []int64{d.zone.ID})
	if err != nil {
		return err
	}
	d.hours = hours[d.zone.ID]
	d.inHours = OpenAt(d.hours, in.At)
	d.registered = d.status == VendorActive
	return nil
}

// judgeUnregistered finds the zones the point lies in; a vendor nobody registered may trade in any of
// them in its hours.
func (v *Vendors) judgeUnregistered(ctx context.Context, tx pgx.Tx, in SightingInput, d *verdict) error {
	rows, err := tx.Query(ctx, `SELECT id, name FROM area_directory
		WHERE kind = 'night_market' AND ST_Covers(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) ORDER BY id`, in.Point[0], in.Point[1])
	if err != nil {
		return err
	}
	zones, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ZoneRef])
	if err != nil || len(zones) == 0 {
		return err
	}
	ids := make([]int64, len(zones))
	for i, z := range zones {
		ids[i] = z.ID
	}
	hours, err := zoneWindows(ctx, tx, ids)
	if err != nil {
		return err
	}
	d.inZone, d.zone, d.hours = true, zones[0], hours[zones[0].ID]
	for _, z := range zones {
		if OpenAt(hours[z.ID], in.At) {
			d.zone, d.hours, d.inHours = z, hours[z.ID], true
			break
		}
	}
	return nil
}

func (v *Vendors) insertSighting(ctx context.Context, who access.Principal, in SightingInput, d verdict, incidentID int64, repeat bool) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, v.db, func(tx pgx.Tx) error {
		shas, err := v.storeVendorPhotos(ctx, tx, in.Photos)
		if err != nil {
			return err
		}
		var key any
		if in.Key != "" {
			key = in.Key
		}
		if err := tx.QueryRow(ctx, `INSERT INTO vendor_sighting (vendor_id, user_id, person_id, at, day, position, accuracy_m,
				zone_area_id, in_zone, in_hours, registered, outside, repeat_offender, incident_id, note, photo_sha256,
				idempotency_key, request_sha256)
			VALUES (NULLIF($1, 0), NULLIF($2, 0), NULLIF($3, 0), $4, $5::date, ST_SetSRID(ST_MakePoint($6, $7), 4326), $8,
				NULLIF($9, 0), $10, $11, $12, $13, $14, NULLIF($15, 0), $16, $17, $18, $19) RETURNING id`,
			in.VendorID, who.UserID, who.PersonID, in.At, vendorDay(in.At).Format(time.DateOnly), in.Point[0], in.Point[1], in.AccuracyM,
			d.zone.ID, d.inZone, d.inHours, d.registered, d.outside(in.VendorID), repeat, incidentID, in.Note, shas,
			key, in.digest[:]).Scan(&id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Create, "vendor_sighting", id, nil,
			map[string]any{"vendor_id": in.VendorID, "outside": d.outside(in.VendorID), "incident_id": incidentID, "repeat_offender": repeat})
	})
	return id, err
}

// toIncident files the 占道经营 report of an outside sighting, or adds it to the vendor's open
// repeat-offender case, and hands a new repeat offender's case to the street chief.
func (v *Vendors) toIncident(ctx context.Context, who access.Principal, in SightingInput, d verdict) (int64, bool, error) {
	repeat, count := false, 0
	if in.VendorID != 0 {
		if err := v.db.QueryRow(ctx, `SELECT count(*) FROM vendor_sighting WHERE vendor_id = $1 AND outside AND voided_at IS NULL
			AND at > $2::timestamptz - make_interval(days => $3) AND at <= $2`, in.VendorID, in.At, v.rules.RepeatDays).Scan(&count); err != nil {
			return 0, false, fmt.Errorf("repeat count: %w", err)
		}
		count++ // this sighting
		repeat = count >= v.rules.RepeatCount
	}
	text := sightingText(in, d)
	if repeat {
		var open int64
		err := v.db.QueryRow(ctx, `SELECT s.incident_id FROM vendor_sighting s JOIN open_incident o ON o.id = s.incident_id
			WHERE s.vendor_id = $1 AND s.repeat_offender AND s.voided_at IS NULL ORDER BY s.at DESC, s.id DESC LIMIT 1`, in.VendorID).Scan(&open)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return 0, false, fmt.Errorf("open case: %w", err)
		}
		if open != 0 {
			added, err := v.incidents.AddEvidence(ctx, who, open, text, in.Photos)
			if err != nil {
				return 0, false, err
			}
			if added {
				return open, true, nil
			}
		}
	}
	cat, err := v.sightingCategory(ctx)
	if err != nil {
		return 0, false, err
	}
	lon, lat := in.Point[0], in.Point[1]
	raw := make([][]byte, len(in.Photos))
	for i, p := range in.Photos {
		raw[i] = p.Bytes
	}
	intake, err := incidents.IntakeFields{Category: cat, Lon: &lon, Lat: &lat, Description: text}.Intake(raw)
	if err != nil {
		return 0, false, err
	}
	var key incidents.IdempotencyKey
	if in.Key != "" {
		key = incidents.IdempotencyKey{Endpoint: "POST /api/v1/vendor-sightings", Key: fmt.Sprintf("%d:%s", who.UserID, in.Key)}
	}
	rc, _, err := v.incidents.Report(ctx, who, intake, key)
	if err != nil {
		return 0, false, err
	}
	if repeat {
		if _, err := v.incidents.EscalateOnRule(ctx, who, rc.ID, incidents.Handover{Cause: "repeat_offender", Count: count,
			Days: v.rules.RepeatDays, Note: fmt.Sprintf("流动摊贩「%s」%d 天内第 %d 次在指定区域或时间以外经营，屡教不改，移交联合执法", d.vendorName, v.rules.RepeatDays, count)}); err != nil {
			return 0, false, err
		}
	}
	return rc.ID, repeat, nil
}

// sightingCategory is the configured category, or the national catalogue's 占道经营 where it is
// loaded, else the built-in street_occupying.
func (v *Vendors) sightingCategory(ctx context.Context) (string, error) {
	if v.rules.Category != "" {
		return v.rules.Category, nil
	}
	c, err := v.incidents.Category(ctx, "05-02")
	if err == nil && c.Selectable && c.RetiredReason == "" {
		return c.Code, nil
	}
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return "", err
	}
	return "street_occupying", nil
}

// sightingText is the incident's description: what was seen, in the words of the street.
func sightingText(in SightingInput, d verdict) string {
	var s string
	switch {
	case in.VendorID == 0 && d.inZone:
		s = fmt.Sprintf("未登记流动摊贩在「%s」营业时间以外经营（营业时间 %s）", d.zone.Name, hoursOrNone(d.hours, in.At))
	case in.VendorID == 0:
		s = "未登记流动摊贩占道经营"
	case d.status == "":
		s = fmt.Sprintf("流动摊贩「%s」（%s）尚未登记即占道经营", d.vendorName, d.goods)
	case d.status != VendorActive:
		s = fmt.Sprintf("流动摊贩「%s」（%s）登记已%s，仍在经营", d.vendorName, d.goods, map[string]string{VendorSuspended: "暂停", VendorEnded: "终止"}[d.status])
	case !d.inZone:
		s = fmt.Sprintf("流动摊贩「%s」（%s）在指定经营区域「%s」以外占道经营", d.vendorName, d.goods, d.zone.Name)
	default:
		s = fmt.Sprintf("流动摊贩「%s」（%s）在「%s」营业时间以外经营（营业时间 %s）", d.vendorName, d.goods, d.zone.Name, hoursOrNone(d.hours, in.At))
	}
	if in.Note != "" {
		s += "。" + in.Note
	}
	return s
}

func hoursOrNone(ws []HoursWindow, t time.Time) string {
	if h := HoursText(standing(ws, t)); h != "" {
		return h
	}
	return "未定"
}
