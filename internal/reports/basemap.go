package reports

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// Basemap is what a printed report's map is drawn over: the subdistricts and communities in scope
// with their names, and the areas.
type Basemap struct {
	Subdistricts []NamedShape
	Communities  []NamedShape
	Areas        []orb.Geometry
}

// NamedShape is an admin unit's boundary and name.
type NamedShape struct {
	ID   int64
	Name string
	Geom orb.Geometry
}

// printTolerance simplifies shapes in the database before they cross the wire: 0.00002° is about two
// metres, under a tenth of a millimetre on an A4 map of a district.
const printTolerance = 0.00002

func (s *Service) basemap(ctx context.Context, f filter) (Basemap, error) {
	var bm Basemap
	pred, args := f.where("CASE WHEN u.level = 'subdistrict' THEN u.id ELSE u.parent_id END",
		"CASE WHEN u.level = 'community' THEN u.id ELSE 0 END", []any{printTolerance})
	rows, err := s.db.Query(ctx, `SELECT u.level, u.id, u.name, ST_AsBinary(ST_SimplifyPreserveTopology(u.boundary, $1))
		FROM unit_directory u WHERE u.level IN ('subdistrict', 'community') AND u.boundary IS NOT NULL AND `+pred+`
		ORDER BY u.level, u.name, u.id`, args...)
	if err != nil {
		return bm, fmt.Errorf("basemap units: %w", err)
	}
	var level, name string
	var id int64
	var g []byte
	if _, err := pgx.ForEachRow(rows, []any{&level, &id, &name, &g}, func() error {
		geom, err := wkb.Unmarshal(g)
		if err != nil {
			return err
		}
		shape := NamedShape{ID: id, Name: name, Geom: geom}
		if level == "subdistrict" {
			bm.Subdistricts = append(bm.Subdistricts, shape)
		} else {
			bm.Communities = append(bm.Communities, shape)
		}
		return nil
	}); err != nil {
		return bm, fmt.Errorf("basemap units: %w", err)
	}
	pred, args = f.where("a.subdistrict_id", "a.community_id", []any{printTolerance})
	rows, err = s.db.Query(ctx, `SELECT ST_AsBinary(ST_SimplifyPreserveTopology(a.geom, $1)) FROM area_directory a WHERE `+pred+` ORDER BY a.id`, args...)
	if err != nil {
		return bm, fmt.Errorf("basemap areas: %w", err)
	}
	if _, err := pgx.ForEachRow(rows, []any{&g}, func() error {
		geom, err := wkb.Unmarshal(g)
		if err == nil {
			bm.Areas = append(bm.Areas, geom)
		}
		return err
	}); err != nil {
		return bm, fmt.Errorf("basemap areas: %w", err)
	}
	return bm, nil
}
