package merchants

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// VoidSighting marks a sighting recorded by mistake (the wrong vendor, a test) with a reason: it stays
// on record but no longer counts towards a repeat offender. The incident it became is the incident
// workflow's to reject.
func (v *Vendors) VoidSighting(ctx context.Context, who access.Principal, id int64, reason string) (Sighting, error) {
	if who.Role != access.Admin && who.Role != access.StreetChief {
		return Sighting{}, apperr.New(apperr.Forbidden, "your role (%s) may not void sightings", who.Role)
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Sighting{}, apperr.New(apperr.Invalid, "say why the sighting is void (reason)").With("field", "reason")
	}
	if err := checkVendorText("reason", reason, 500); err != nil {
		return Sighting{}, err
	}
	err := pgx.BeginFunc(ctx, v.db, func(tx pgx.Tx) error {
		var sub, com int64
		var voided bool
		err := tx.QueryRow(ctx, `SELECT COALESCE(subdistrict_id, 0), COALESCE(community_id, 0), voided_at IS NOT NULL
			FROM vendor_sighting WHERE id = $1 FOR UPDATE`, id).Scan(&sub, &com, &voided)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !who.Scope.InScope(sub, com)) {
			return apperr.New(apperr.NotFound, "sighting %d not found", id)
		}
		if err != nil {
			return err
		}
		if voided {
			return apperr.New(apperr.Conflict, "sighting %d is already void", id)
		}
		if _, err := tx.Exec(ctx, `UPDATE vendor_sighting SET voided_at = $2, voided_by_user_id = NULLIF($3, 0), void_reason = $4
			WHERE id = $1`, id, v.rules.Now(), who.UserID, reason); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Void, "vendor_sighting", id, nil, map[string]any{"reason": reason})
	})
	if err != nil {
		return Sighting{}, vendorError(err)
	}
	return v.Sighting(ctx, who, id)
}

// VendorPhoto is a vendor's registered photo, for those who may see the vendor.
func (v *Vendors) VendorPhoto(ctx context.Context, who access.Principal, id int64) (contentType string, b []byte, err error) {
	x, err := v.Vendor(ctx, who, id)
	if err != nil {
		return "", nil, err
	}
	if !x.HasPhoto {
		return "", nil, apperr.New(apperr.NotFound, "vendor %d has no photo", id)
	}
	var sha []byte
	err = v.db.QueryRow(ctx, `SELECT p.content_type, p.sha256, p.bytes FROM vendor s JOIN merchant_photo p ON p.sha256 = s.photo_sha256
		WHERE s.id = $1`, id).Scan(&contentType, &sha, &b)
	if err != nil {
		return "", nil, vendorError(err)
	}
	if b, err = v.photoBytes(ctx, sha, b); err != nil {
		return "", nil, err
	}
	return contentType, b, nil
}
