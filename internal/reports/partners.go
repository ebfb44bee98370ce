package reports

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// KindNoPartner is a residential compound with neither a property manager under contract nor a
// residents' team at the report's moment (internal/partners' compound_partner_standing, migration
// 0042): nobody inside it for the lane chief to bring in. A contract that has run out (until before
// the moment) is none, and the compound's last company and when it lapsed are named.
const KindNoPartner = "compounds_without_partner"

// CompoundGap is a compound without a partner.
type CompoundGap struct {
	Place
	AreaID      int64            `json:"area_id"`
	Name        string           `json:"name"`
	AreaM2      float64          `json:"area_m2"`
	LastCompany string           `json:"last_company,omitempty"`
	LapsedAt    *time.Time       `json:"lapsed_at,omitempty"`
	Geom        orb.MultiPolygon `json:"-"`
}

func (s *Service) compoundsWithoutPartner(ctx context.Context, f filter) ([]CompoundGap, error) {
	pred, args := f.where("a.subdistrict_id", "a.community_id", []any{f.at})
	rows, err := s.db.Query(ctx, `SELECT `+placeColumns+`, a.id, a.name, ST_Area(a.geom::geography),
			COALESCE(last.company_name, ''), upper(last.valid), ST_AsBinary(a.geom)
		FROM area_directory a
		LEFT JOIN unit_directory sd ON sd.id = a.subdistrict_id
		LEFT JOIN unit_directory cm ON cm.id = a.community_id
		LEFT JOIN LATERAL (SELECT s.company_name, s.valid FROM compound_partner_standing s
			WHERE s.area_id = a.id AND s.kind = 'property_manager' AND upper(s.valid) <= $1::timestamptz
			ORDER BY upper(s.valid) DESC LIMIT 1) last ON true
		WHERE a.kind = 'residential_compound'
		  AND NOT EXISTS (SELECT 1 FROM compound_partner_standing s WHERE s.area_id = a.id
			AND s.kind IN ('property_manager', 'residents_team') AND s.valid @> $1::timestamptz)
		  AND `+pred+` ORDER BY sd.name, cm.name, a.name, a.id`, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (CompoundGap, error) {
		var g CompoundGap
		var geom []byte
		err := r.Scan(&g.SubdistrictID, &g.SubdistrictName, &g.CommunityID, &g.CommunityName, &g.AreaID, &g.Name, &g.AreaM2,
			&g.LastCompany, &g.LapsedAt, &geom)
		if err == nil {
			var gm orb.Geometry
			if gm, err = wkb.Unmarshal(geom); err == nil {
				g.Geom, _ = gm.(orb.MultiPolygon)
			}
		}
		return g, err
	})
}
