package reports

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"streetchief/internal/access"
	"streetchief/internal/registry"
)

// filter carries what every section's query needs: the report's scope, the caller's scope, the time.
type filter struct {
	scope Scope
	who   access.Principal
	at    time.Time
	minM2 float64
}

// where returns a predicate restricting rows located by (subdistrict, community) columns to both the
// requested scope and the caller's own, with its arguments appended to args.
func (f filter) where(subCol, comCol string, args []any) (string, []any) {
	pred, args := f.who.Scope.Predicate(subCol, comCol, args)
	switch f.scope.Level {
	case "subdistrict":
		args = append(args, f.scope.ID)
		pred += fmt.Sprintf(" AND %s = $%d", subCol, len(args))
	case "community":
		args = append(args, f.scope.ID)
		pred += fmt.Sprintf(" AND %s = $%d", comCol, len(args))
	}
	return pred, args
}

// placeJoins names the subdistrict and community of rows aliased x with subdistrict_id/community_id.
const placeColumns = `COALESCE(sd.id, 0), COALESCE(sd.name, ''), COALESCE(cm.id, 0), COALESCE(cm.name, '')`

func (s *Service) unassigned(ctx context.Context, f filter) ([]Unassigned, error) {
	pred, args := f.where("a.subdistrict_id", "a.community_id", []any{f.at})
	rows, err := s.db.Query(ctx, `SELECT `+placeColumns+`, a.id, a.kind, a.name,
			COALESCE(ST_Length(a.centreline::geography), 0), ST_Area(a.geom::geography), ST_AsBinary(a.geom)
		FROM area_directory a
		LEFT JOIN unit_directory sd ON sd.id = a.subdistrict_id
		LEFT JOIN unit_directory cm ON cm.id = a.community_id
		WHERE NOT EXISTS (SELECT 1 FROM assignment_standing s WHERE s.area_id = a.id AND s.role = '`+string(registry.AreaManager)+`' AND s.valid @> $1::timestamptz)
		  AND `+pred+` ORDER BY sd.name, cm.name, a.name, a.id`, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Unassigned, error) {
		var u Unassigned
		var g []byte
		err := r.Scan(&u.SubdistrictID, &u.SubdistrictName, &u.CommunityID, &u.CommunityName,
			&u.AreaID, &u.Kind, &u.Name, &u.LengthM, &u.AreaM2, &g)
		if err == nil {
			var geom orb.Geometry
			if geom, err = wkb.Unmarshal(g); err == nil {
				u.Geom, _ = geom.(orb.MultiPolygon)
			}
		}
		return u, err
	})
}

// territory cuts each community's boundary by the union of the areas someone is responsible for; what
// is left, piece by piece, is territory nobody looks after. The cutting happens in longitude/latitude,
// where the edges are straight and neighbours' vertices meet exactly; only the measuring is done in
// the metric projection (cutting there would leave millimetre slivers along every T-junction).
func (s *Service) territory(ctx context.Context, f filter) ([]TerritoryGap, error) {
	pred, args := f.where("cm.parent_id", "cm.id", []any{f.at, f.minM2})
	rows, err := s.db.Query(ctx, fmt.Sprintf(`
		WITH pieces AS (
			SELECT cm.id AS community_id, cm.parent_id AS subdistrict_id,
				(ST_Dump(ST_Difference(cm.boundary, COALESCE(
					(SELECT ST_Union(a.geom) FROM area_directory a
					  WHERE a.geom && cm.boundary AND EXISTS (SELECT 1 FROM assignment_standing s
						WHERE s.area_id = a.id AND s.role = '`+string(registry.AreaManager)+`' AND s.valid @> $1::timestamptz)),
					ST_GeomFromText('POLYGON EMPTY', 4326))))).geom AS g
			FROM unit_directory cm
			WHERE cm.level = 'community' AND %[2]s
		), measured AS (
			SELECT p.*, ST_Area(ST_Transform(p.g, %[1]d)) AS m2 FROM pieces p
		)
		SELECT `+placeColumns+`, p.m2, ST_AsBinary(p.g)
		FROM measured p
		JOIN unit_directory cm ON cm.id = p.community_id
		LEFT JOIN unit_directory sd ON sd.id = p.subdistrict_id
		WHERE p.m2 >= $2
		ORDER BY sd.name, cm.name, p.m2 DESC`, metricSRID, pred), args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (TerritoryGap, error) {
		var t TerritoryGap
		var g []byte
		err := r.Scan(&t.SubdistrictID, &t.SubdistrictName, &t.CommunityID, &t.CommunityName, &t.AreaM2, &g)
		if err == nil {
			t.Geom, err = wkb.Unmarshal(g)
		}
		return t, err
	})
}

// overlaps finds pairs of areas whose interiors overlap while different people answer for them.
func (s *Service) overlaps(ctx context.Context, f filter) ([]Overlap, error) {
	pred, args := f.where("a.subdistrict_id", "a.community_id", []any{f.at, f.minM2})
	rows, err := s.db.Query(ctx, fmt.Sprintf(`
		WITH managers AS MATERIALIZED (
			SELECT s.area_id, array_agg(p.name ORDER BY p.id) AS names, array_agg(p.id ORDER BY p.id) AS ids
			FROM assignment_standing s JOIN person_directory p ON p.id = s.person_id
			WHERE s.role = '`+string(registry.AreaManager)+`' AND s.valid @> $1::timestamptz GROUP BY s.area_id
		), candidates AS MATERIALIZED (
			-- Neighbours usually share a manager; ruling those out by bounding box and manager first
			-- leaves the costly exact relate for the few pairs that could be a dispute.
			SELECT a.id AS a_id, b.id AS b_id, ma.names AS a_people, mb.names AS b_people
			FROM area_directory a
			JOIN area_directory b ON a.id < b.id AND a.geom && b.geom
			LEFT JOIN managers ma ON ma.area_id = a.id
			LEFT JOIN managers mb ON mb.area_id = b.id
			WHERE ma.ids IS DISTINCT FROM mb.ids AND %[2]s
		), pairs AS (
			SELECT a.id AS a_id, a.name AS a_name, b.id AS b_id, b.name AS b_name, a.subdistrict_id, a.community_id,
				c.a_people, c.b_people, ST_Intersection(a.geom, b.geom) AS g
			FROM candidates c
			JOIN area_directory a ON a.id = c.a_id
			JOIN area_directory b ON b.id = c.b_id
			WHERE ST_Relate(a.geom, b.geom, '2********')
		)
		SELECT `+placeColumns+`, p.a_id, p.a_name, COALESCE(p.a_people, '{}'), p.b_id, p.b_name, COALESCE(p.b_people, '{}'),
			ST_Area(ST_Transform(p.g, %[1]d)), ST_AsBinary(p.g)
		FROM pairs p
		LEFT JOIN unit_directory sd ON sd.id = p.subdistrict_id
		LEFT JOIN unit_directory cm ON cm.id = p.community_id
		WHERE ST_Area(ST_Transform(p.g, %[1]d)) >= $2
		ORDER BY 11 DESC`, metricSRID, pred), args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Overlap, error) {
		var o Overlap
		var g []byte
		err := r.Scan(&o.SubdistrictID, &o.SubdistrictName, &o.CommunityID, &o.CommunityName,
			&o.AreaA, &o.NameA, &o.PeopleA, &o.AreaB, &o.NameB, &o.PeopleB, &o.AreaM2, &g)
		if err == nil {
			o.Geom, err = wkb.Unmarshal(g)
		}
		return o, err
	})
}

// vacant lists posts nobody holds at the time: street chiefs, lane chiefs, and each department's
// leader and responsible person (定岗定人) in each subdistrict — a department's post is held when it
// has a primary holder at city or district level; deputies hold none.
func (s *Service) vacant(ctx context.Context, f filter) ([]VacantPost, error) {
	const held = `EXISTS (SELECT 1 FROM assignment_standing s WHERE s.admin_unit_id = u.id AND s.role = $2
		AND s.is_primary AND s.valid @> $1::timestamptz %s)`
	departmentVacancy := `SELECT u.id, u.name, 0, '', d.name FROM unit_directory u CROSS JOIN department_directory d
			WHERE u.level = 'subdistrict' AND NOT ` + fmt.Sprintf(held, "AND s.department_id = d.id")
	var out []VacantPost
	for _, q := range []struct {
		role           registry.PostRole
		sql            string
		subCol, comCol string
	}{
		{registry.StreetChief, `SELECT u.id, u.name, 0, '', '' FROM unit_directory u
			WHERE u.level = 'subdistrict' AND NOT ` + fmt.Sprintf(held, ""), "u.id", "0"},
		{registry.LaneChief, `SELECT COALESCE(sd.id, 0), COALESCE(sd.name, ''), u.id, u.name, '' FROM unit_directory u
			LEFT JOIN unit_directory sd ON sd.id = u.parent_id
			WHERE u.level = 'community' AND NOT ` + fmt.Sprintf(held, ""), "u.parent_id", "u.id"},
		{registry.DepartmentLeader, departmentVacancy, "u.id", "0"},
		{registry.DepartmentLiaison, departmentVacancy, "u.id", "0"},
	} {
		pred, args := f.where(q.subCol, q.comCol, []any{f.at, q.role})
		rows, err := s.db.Query(ctx, q.sql+" AND "+pred+" ORDER BY 2, 4, 5", args...)
		if err != nil {
			return nil, err
		}
		posts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (VacantPost, error) {
			v := VacantPost{Role: string(q.role)}
			err := r.Scan(&v.SubdistrictID, &v.SubdistrictName, &v.CommunityID, &v.CommunityName, &v.Department)
			return v, err
		})
		if err != nil {
			return nil, err
		}
		out = append(out, posts...)
	}
	return out, nil
}

// workload sums what each area manager answers for, and marks loads far from the median.
func (s *Service) workload(ctx context.Context, f filter) ([]Workload, error) {
	pred, args := f.where("a.subdistrict_id", "a.community_id", []any{f.at})
	var hasIncidents bool
	if err := s.db.QueryRow(ctx, `SELECT to_regclass('open_incident') IS NOT NULL`).Scan(&hasIncidents); err != nil {
		return nil, err
	}
	open := "0"
	if hasIncidents {
		open = `(SELECT count(*) FROM open_incident i WHERE i.area_id = a.id)`
	}
	rows, err := s.db.Query(ctx, `SELECT p.id, p.name, count(*)::int,
			COALESCE(sum(ST_Length(a.centreline::geography)) FILTER (WHERE a.kind = 'back_lane'), 0),
			sum(ST_Area(a.geom::geography)), sum(`+open+`)::int
		FROM assignment_standing s JOIN area_directory a ON a.id = s.area_id JOIN person_directory p ON p.id = s.person_id
		WHERE s.role = '`+string(registry.AreaManager)+`' AND s.valid @> $1::timestamptz AND `+pred+`
		GROUP BY p.id, p.name ORDER BY count(*) DESC, p.id`, args...)
	if err != nil {
		return nil, err
	}
	loads, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Workload, error) {
		var w Workload
		err := r.Scan(&w.PersonID, &w.Name, &w.Areas, &w.LaneLengthM, &w.AreaM2, &w.OpenIncidents)
		return w, err
	})
	if err != nil {
		return nil, err
	}
	markOutliers(loads)
	return loads, nil
}

// markOutliers flags loads whose area count lies more than three robust deviations (median absolute
// deviation, scaled to a normal's σ) from the median: robust against the outliers themselves.
func markOutliers(loads []Workload) {
	if len(loads) < 5 {
		return
	}
	counts := make([]float64, len(loads))
	for i, w := range loads {
		counts[i] = float64(w.Areas)
	}
	med := median(counts)
	dev := make([]float64, len(counts))
	for i, c := range counts {
		dev[i] = math.Abs(c - med)
	}
	mad := median(dev) * 1.4826
	if mad == 0 {
		mad = 1
	}
	for i := range loads {
		switch z := (counts[i] - med) / mad; {
		case z > 3:
			loads[i].Outlier = "high"
		case z < -3:
			loads[i].Outlier = "low"
		}
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
