package incidents

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/database"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

// SQLMatcher answers responsibility lookups with PostGIS: the areas and admin units that cover the
// point (ST_Covers, so a boundary counts as inside) and the posts held there at the moment. It is
// slower than the in-memory engine but never behind a committed change, which is why re-routing after
// a registry change uses it.
type SQLMatcher struct {
	DB database.Querier
}

var _ Matcher = SQLMatcher{}
var _ Matcher = (*lookup.Engine)(nil)

// Lookup answers who is responsible at pt at the moment at; areas come most specific (smallest) first.
func (m SQLMatcher) Lookup(ctx context.Context, pt orb.Point, at time.Time) (lookup.Answer, error) {
	ans := lookup.Answer{Point: pt, Lon: pt[0], Lat: pt[1], Areas: []lookup.AreaHit{}}
	rows, err := m.DB.Query(ctx, `WITH p AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326) AS g)
		SELECT 'area', a.id, a.kind, a.name, 0, ST_Area(a.geom::geography) AS size
		  FROM area a, p WHERE a.geom && p.g AND ST_Covers(a.geom, p.g)
		UNION ALL
		SELECT u.level, u.id, '', u.name, COALESCE(u.parent_id, 0), ST_Area(u.boundary::geography)
		  FROM admin_unit u, p WHERE u.level IN ('community', 'subdistrict') AND u.boundary && p.g AND ST_Covers(u.boundary, p.g)
		ORDER BY 1, 6, 2`, pt[0], pt[1])
	if err != nil {
		return ans, fmt.Errorf("lookup: %w", err)
	}
	var (
		class, kind, name string
		id, parent        int64
		size              float64
		areaIDs, unitIDs  []int64
		communityParent   int64
	)
	_, err = pgx.ForEachRow(rows, []any{&class, &id, &kind, &name, &parent, &size}, func() error {
		switch {
		case class == "area":
			ans.Areas = append(ans.Areas, lookup.AreaHit{ID: id, Kind: kind, Name: name, Responsible: []lookup.Responsible{}})
			areaIDs = append(areaIDs, id)
		case class == "community" && ans.Community == nil:
			ans.Community = &lookup.UnitHit{ID: id, Name: name}
			unitIDs = append(unitIDs, id)
			communityParent = parent
		case class == "subdistrict" && ans.Subdistrict == nil:
			ans.Subdistrict = &lookup.UnitHit{ID: id, Name: name}
			unitIDs = append(unitIDs, id)
		}
		return nil
	})
	if err != nil {
		return ans, fmt.Errorf("lookup: %w", err)
	}
	if ans.Subdistrict == nil && communityParent != 0 {
		// A community sticking out of its subdistrict still belongs to it.
		if err := m.DB.QueryRow(ctx, `SELECT name FROM admin_unit WHERE id = $1`, communityParent).Scan(&name); err != nil {
			return ans, fmt.Errorf("lookup: %w", err)
		}
		ans.Subdistrict = &lookup.UnitHit{ID: communityParent, Name: name}
		unitIDs = append(unitIDs, communityParent)
	}
	if len(areaIDs) == 0 && len(unitIDs) == 0 {
		return ans, nil
	}
	return ans, m.posts(ctx, &ans, areaIDs, unitIDs, at)
}

// posts fills in the people holding posts over the hits at the moment.
func (m SQLMatcher) posts(ctx context.Context, ans *lookup.Answer, areaIDs, unitIDs []int64, at time.Time) error {
	rows, err := m.DB.Query(ctx, `SELECT COALESCE(s.area_id, 0), COALESCE(s.admin_unit_id, 0), s.person_id, p.name, s.role, s.is_primary
		FROM assignment_standing s JOIN person p ON p.id = s.person_id
		WHERE (s.area_id = ANY($1) OR s.admin_unit_id = ANY($2)) AND s.valid @> $3::timestamptz
		ORDER BY s.id`, areaIDs, unitIDs, at)
	if err != nil {
		return fmt.Errorf("lookup posts: %w", err)
	}
	var (
		areaID, unitID, personID int64
		name                     string
		role                     registry.PostRole
		primary                  bool
	)
	_, err = pgx.ForEachRow(rows, []any{&areaID, &unitID, &personID, &name, &role, &primary}, func() error {
		r := lookup.Responsible{PersonID: personID, Name: name, Role: role}
		for i := range ans.Areas {
			if ans.Areas[i].ID == areaID {
				ans.Areas[i].Responsible = append(ans.Areas[i].Responsible, r)
			}
		}
		if c := ans.Community; c != nil && c.ID == unitID && role == registry.LaneChief && primary && c.Chief == nil {
			c.Chief = &r
		}
		if s := ans.Subdistrict; s != nil && s.ID == unitID && role == registry.StreetChief && primary && s.Chief == nil {
			s.Chief = &r
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("lookup posts: %w", err)
	}
	return nil
}
