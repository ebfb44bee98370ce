package merchants

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

const sightingSelect = `SELECT s.id, COALESCE(s.vendor_id, 0), COALESCE(v.name, ''), s.at, s.day::text, ST_X(s.position), ST_Y(s.position),
		s.accuracy_m, COALESCE(s.zone_area_id, 0), COALESCE(z.name, ''), s.in_zone, s.in_hours, s.registered, s.outside,
		s.repeat_offender, COALESCE(s.incident_id, 0), s.note, cardinality(s.photo_sha256), COALESCE(s.person_id, 0),
		COALESCE(s.subdistrict_id, 0), COALESCE(s.community_id, 0), COALESCE(s.void_reason, '')
	FROM vendor_sighting s LEFT JOIN vendor v ON v.id = s.vendor_id LEFT JOIN area_directory z ON z.id = s.zone_area_id`

func scanSightings(rows pgx.Rows) ([]Sighting, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Sighting, error) {
		var s Sighting
		var z ZoneRef
		err := r.Scan(&s.ID, &s.VendorID, &s.VendorName, &s.At, &s.Day, &s.Lon, &s.Lat, &s.AccuracyM, &z.ID, &z.Name,
			&s.InZone, &s.InHours, &s.Registered, &s.Outside, &s.RepeatOffender, &s.IncidentID, &s.Note, &s.Photos,
			&s.PersonID, &s.SubdistrictID, &s.CommunityID, &s.VoidReason)
		s.Void = s.VoidReason != ""
		if z.ID != 0 {
			s.Zone = &z
		}
		return s, err
	})
}

// Sighting is one sighting in the caller's scope (where it was seen).
func (v *Vendors) Sighting(ctx context.Context, who access.Principal, id int64) (Sighting, error) {
	scope, args := who.Scope.Predicate("s.subdistrict_id", "s.community_id", []any{id})
	rows, err := v.db.Query(ctx, sightingSelect+` WHERE s.id = $1 AND `+scope, args...)
	if err != nil {
		return Sighting{}, fmt.Errorf("sighting: %w", err)
	}
	list, err := scanSightings(rows)
	if err != nil {
		return Sighting{}, fmt.Errorf("sighting: %w", err)
	}
	if len(list) == 0 {
		return Sighting{}, apperr.New(apperr.NotFound, "sighting %d not found", id)
	}
	return list[0], nil
}

// SightingFilter selects sightings: of a vendorTZ day (empty: today), of a vendor, outside only.
type SightingFilter struct {
	Day         string
	VendorID    int64
	OutsideOnly bool
}

// MaxSightingsListed caps one answer; a day of a whole district stays well under it.
const MaxSightingsListed = 5000

// ListSightings lists the sightings in the caller's scope of a day (or, for one vendor, of every day),
// newest first.
func (v *Vendors) ListSightings(ctx context.Context, who access.Principal, f SightingFilter) ([]Sighting, error) {
	scope, args := who.Scope.Predicate("s.subdistrict_id", "s.community_id", nil)
	conds := []string{scope, "s.voided_at IS NULL"}
	if f.Day != "" || f.VendorID == 0 {
		day := vendorDay(v.rules.Now())
		if f.Day != "" {
			d, err := time.ParseInLocation(time.DateOnly, f.Day, vendorTZ)
			if err != nil {
				return nil, apperr.New(apperr.Invalid, "day %q is not a date (YYYY-MM-DD)", f.Day).With("field", "day")
			}
			day = d
		}
		args = append(args, day.Format(time.DateOnly))
		conds = append(conds, fmt.Sprintf("s.day = $%d::date", len(args)))
	}
	if f.VendorID != 0 {
		args = append(args, f.VendorID)
		conds = append(conds, fmt.Sprintf("s.vendor_id = $%d", len(args)))
	}
	if f.OutsideOnly {
		conds = append(conds, "s.outside")
	}
	rows, err := v.db.Query(ctx, sightingSelect+` WHERE `+strings.Join(conds, " AND ")+
		fmt.Sprintf(` ORDER BY s.at DESC, s.id DESC LIMIT %d`, MaxSightingsListed), args...)
	if err != nil {
		return nil, fmt.Errorf("sightings: %w", err)
	}
	list, err := scanSightings(rows)
	if err != nil {
		return nil, fmt.Errorf("sightings: %w", err)
	}
	return list, nil
}

// RepeatVendor is a vendor seen outside RepeatCount times or more within RepeatDays, with those
// sightings.
type RepeatVendor struct {
	Vendor
	Days      int        `json:"days"`
	Threshold int        `json:"threshold"`
	Record    []Sighting `json:"record"`
}

// RepeatOffenders lists the repeat offenders in the caller's scope now, with their outside sightings
// of the window.
func (v *Vendors) RepeatOffenders(ctx context.Context, who access.Principal) ([]RepeatVendor, error) {
	vendors, err := v.ListVendors(ctx, who, VendorFilter{RepeatOffenders: true})
	if err != nil {
		return nil, err
	}
	out := make([]RepeatVendor, 0, len(vendors))
	since := v.rules.Now().AddDate(0, 0, -v.rules.RepeatDays)
	for _, x := range vendors {
		rows, err := v.db.Query(ctx, sightingSelect+` WHERE s.vendor_id = $1 AND s.outside AND s.voided_at IS NULL AND s.at > $2
			ORDER BY s.at DESC, s.id DESC`, x.ID, since)
		if err != nil {
			return nil, fmt.Errorf("repeat offenders: %w", err)
		}
		record, err := scanSightings(rows)
		if err != nil {
			return nil, fmt.Errorf("repeat offenders: %w", err)
		}
		out = append(out, RepeatVendor{Vendor: x, Days: v.rules.RepeatDays, Threshold: v.rules.RepeatCount, Record: record})
	}
	return out, nil
}
