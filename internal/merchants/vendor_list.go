package merchants

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// VendorFilter selects vendors: of a zone, of a status (of the current registration), the repeat
// offenders only.
type VendorFilter struct {
	ZoneID          int64
	Status          string
	RepeatOffenders bool
}

// vendorSelect reads vendors with their current registration, zone and record over the repeat window
// ending at $1 ($2 days). The vendor is in the scope of the zone it is registered in now.
const vendorSelect = `WITH cur AS (
		SELECT DISTINCT ON (vendor_id) vendor_id, zone_area_id, status, lower(valid) AS since
		  FROM vendor_registration ORDER BY vendor_id, lower(valid) DESC)
	SELECT v.id, v.name, v.goods, v.contact_name, v.contact_phone, v.photo_sha256 IS NOT NULL, v.note,
		c.status, c.since, z.id, z.name, rec.seen, rec.outside, rec.last
	FROM vendor v JOIN cur c ON c.vendor_id = v.id JOIN area_directory z ON z.id = c.zone_area_id
	CROSS JOIN LATERAL (SELECT count(*) AS seen, count(*) FILTER (WHERE s.outside) AS outside,
			(SELECT max(at) FROM vendor_sighting l WHERE l.vendor_id = v.id AND l.voided_at IS NULL) AS last
		FROM vendor_sighting s WHERE s.vendor_id = v.id AND s.voided_at IS NULL
		  AND s.at > $1::timestamptz - make_interval(days => $2) AND s.at <= $1) rec`

func (v *Vendors) scanVendors(rows pgx.Rows) ([]Vendor, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Vendor, error) {
		var x Vendor
		err := r.Scan(&x.ID, &x.Name, &x.Goods, &x.ContactName, &x.ContactPhone, &x.HasPhoto, &x.Note,
			&x.Status, &x.Since, &x.Zone.ID, &x.Zone.Name, &x.Sightings, &x.Outside, &x.LastSeen)
		x.RepeatOffender = x.Outside >= v.rules.RepeatCount
		return x, err
	})
}

// ListVendors lists the vendors registered in the caller's scope, by zone and name.
func (v *Vendors) ListVendors(ctx context.Context, who access.Principal, f VendorFilter) ([]Vendor, error) {
	if f.Status != "" && !slices.Contains(VendorStatuses, f.Status) {
		return nil, apperr.New(apperr.Invalid, "status %q is not one of %s", f.Status, strings.Join(VendorStatuses, ", ")).With("field", "status")
	}
	args := []any{v.rules.Now(), v.rules.RepeatDays}
	scope, args := who.Scope.Predicate("z.subdistrict_id", "z.community_id", args)
	conds := []string{scope}
	if f.ZoneID != 0 {
		args = append(args, f.ZoneID)
		conds = append(conds, fmt.Sprintf("z.id = $%d", len(args)))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		conds = append(conds, fmt.Sprintf("c.status = $%d", len(args)))
	}
	if f.RepeatOffenders {
		args = append(args, v.rules.RepeatCount)
		conds = append(conds, fmt.Sprintf("rec.outside >= $%d", len(args)))
	}
	rows, err := v.db.Query(ctx, vendorSelect+` WHERE `+strings.Join(conds, " AND ")+` ORDER BY z.name, z.id, v.name, v.id LIMIT 5000`, args...)
	if err != nil {
		return nil, fmt.Errorf("vendors: %w", err)
	}
	list, err := v.scanVendors(rows)
	if err != nil {
		return nil, fmt.Errorf("vendors: %w", err)
	}
	return list, nil
}

// Vendor is one vendor in the caller's scope with its registration history.
func (v *Vendors) Vendor(ctx context.Context, who access.Principal, id int64) (Vendor, error) {
	args := []any{v.rules.Now(), v.rules.RepeatDays, id}
	scope, args := who.Scope.Predicate("z.subdistrict_id", "z.community_id", args)
	rows, err := v.db.Query(ctx, vendorSelect+` WHERE v.id = $3 AND `+scope, args...)
	if err != nil {
		return Vendor{}, fmt.Errorf("vendor: %w", err)
	}
	list, err := v.scanVendors(rows)
	if err != nil {
		return Vendor{}, fmt.Errorf("vendor: %w", err)
	}
	if len(list) == 0 {
		return Vendor{}, apperr.New(apperr.NotFound, "vendor %d not found", id)
	}
	x := list[0]
	rows, err = v.db.Query(ctx, `SELECT r.status, z.id, z.name, lower(r.valid), upper(r.valid), r.reason
		FROM vendor_registration r JOIN area_directory z ON z.id = r.zone_area_id
		WHERE r.vendor_id = $1 ORDER BY lower(r.valid)`, id)
	if err != nil {
		return Vendor{}, fmt.Errorf("vendor history: %w", err)
	}
	x.History, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Registration, error) {
		var g Registration
		return g, r.Scan(&g.Status, &g.Zone.ID, &g.Zone.Name, &g.From, &g.Until, &g.Reason)
	})
	if err != nil {
		return Vendor{}, fmt.Errorf("vendor history: %w", err)
	}
	return x, nil
}
