package reports

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// summary counts each section's gaps per subdistrict and per community in scope, listing every unit
// in scope, gaps or not, so a clean community shows as clean rather than missing.
func (s *Service) summary(ctx context.Context, f filter, r *Report) ([]SummaryRow, error) {
	pred, args := f.where("CASE WHEN u.level = 'subdistrict' THEN u.id ELSE u.parent_id END",
		"CASE WHEN u.level = 'community' THEN u.id ELSE 0 END", nil)
	rows, err := s.db.Query(ctx, `SELECT u.level,
			CASE WHEN u.level = 'subdistrict' THEN u.id ELSE u.parent_id END, COALESCE(sd.name, u.name),
			CASE WHEN u.level = 'community' THEN u.id ELSE 0 END, CASE WHEN u.level = 'community' THEN u.name ELSE '' END
		FROM unit_directory u LEFT JOIN unit_directory sd ON sd.id = u.parent_id AND u.level = 'community'
		WHERE u.level IN ('subdistrict', 'community') AND `+pred+`
		ORDER BY 3, u.level DESC, 5`, args...)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (SummaryRow, error) {
		var row SummaryRow
		err := r.Scan(&row.Level, &row.SubdistrictID, &row.SubdistrictName, &row.CommunityID, &row.CommunityName)
		return row, err
	})
	if err != nil {
		return nil, err
	}
	bySub := map[int64]*SummaryRow{}
	byCom := map[int64]*SummaryRow{}
	for i := range out {
		if out[i].Level == "subdistrict" {
			bySub[out[i].SubdistrictID] = &out[i]
		} else {
			byCom[out[i].CommunityID] = &out[i]
		}
	}
	add := func(p Place, fn func(*SummaryRow)) {
		if row := bySub[p.SubdistrictID]; row != nil {
			fn(row)
		}
		if row := byCom[p.CommunityID]; row != nil && p.CommunityID != 0 {
			fn(row)
		}
	}
	for _, u := range r.Unassigned {
		add(u.Place, func(row *SummaryRow) { row.UnassignedAreas++ })
	}
	for _, t := range r.Territory {
		add(t.Place, func(row *SummaryRow) { row.TerritoryGapM2 += t.AreaM2 })
	}
	for _, o := range r.Overlaps {
		add(o.Place, func(row *SummaryRow) { row.OverlapM2 += o.AreaM2 })
	}
	for _, v := range r.Vacant {
		add(v.Place, func(row *SummaryRow) { row.VacantPosts++ })
	}
	for _, g := range r.NoPledge {
		add(g.Place, func(row *SummaryRow) { row.MerchantsNoPledge++ })
	}
	for _, g := range r.NoInspector {
		add(g.Place, func(row *SummaryRow) { row.MerchantsNoInspector++ })
	}
	for _, g := range r.NotInspected {
		add(g.Place, func(row *SummaryRow) { row.MerchantsNotInspected++ })
	}
	return out, nil
}
