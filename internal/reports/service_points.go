package reports

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"streetchief/geo"
)

// KindServicePointGaps lists residential compounds farther than a kind's distance from the nearest
// point of that kind open at the report's moment (便民服务点 coverage). It reads internal/servicepoints'
// published views (migration 0039) and the registry's areas, roads included.
const KindServicePointGaps = "service_point_gaps"

// How a service point gap's distance was measured.
const (
	MethodStraightLine = "straight_line"
	MethodRoadNetwork  = "road_network"
)

// Why a row fell back to the straight line where roads might have served.
const (
	FallbackNoRoads          = "no_roads"             // no road centrelines are loaded
	FallbackCompoundOffRoads = "compound_off_network" // the compound is farther than RoadSnapM from every road
	FallbackNoPointOnRoads   = "no_point_reachable"   // no open point of the kind is joined to the compound's roads
)

// RoadSnapM is how far a compound or point may be from a road to be put on it; farther, the road
// network says nothing about it.
const RoadSnapM = 250.0

// RoadJoinM is how far short of another road a road's centreline may stop and still meet it: drawn
// centrelines often end at the kerb, half the other road's width (up to 15 m for a main road) away.
const RoadJoinM = 20.0

// roadKinds are the areas whose centrelines make the road network.
var roadKinds = []string{"main_road", "secondary_road", "back_lane"}

// ServicePointGap is a compound too far from the nearest open point of a kind, with that point and
// how the distance was measured.
type ServicePointGap struct {
	Place
	CompoundID   int64    `json:"compound_id"`
	CompoundName string   `json:"compound"`
	Type         string   `json:"type"`
	TypeName     string   `json:"type_name"`
	LimitM       float64  `json:"limit_m"`
	PointID      int64    `json:"point_id"`
	PointName    string   `json:"point"`
	DistanceM    *float64 `json:"distance_m"`
	StraightM    *float64 `json:"straight_line_m"`
	Method       string   `json:"method"`
	Fallback     string   `json:"fallback,omitempty"`
	// The compound's outline and its point (on its surface, where distances start), and the point's.
	Outline orb.MultiPolygon `json:"-"`
	From    orb.Point        `json:"-"`
	To      *orb.Point       `json:"-"`
}

type spCompound struct {
	Place
	id      int64
	name    string
	outline orb.MultiPolygon
	lonlat  orb.Point
	xy      orb.Point // EPSG:4547 metres
}

type spPoint struct {
	id      int64
	kind    string
	name    string
	lonlat  orb.Point
	xy      orb.Point
	snap    geo.RoadSnap
	onRoads bool
}

type spType struct {
	code, name string
	limitM     float64
}

// servicePointGaps measures every compound in scope against every kind in use at the moment, over
// the roads where they are loaded. distanceM, when positive, replaces every kind's own distance.
func (s *Service) servicePointGaps(ctx context.Context, f filter, distanceM float64) ([]ServicePointGap, error) {
	types, err := s.spTypes(ctx, f, distanceM)
	if err != nil || len(types) == 0 {
		return nil, err
	}
	compounds, err := s.spCompounds(ctx, f)
	if err != nil || len(compounds) == 0 {
		return nil, err
	}
	points, err := s.spPoints(ctx, f)
	if err != nil {
		return nil, err
	}
	roads, err := s.spRoads(ctx)
	if err != nil {
		return nil, err
	}
	var net *geo.RoadNetwork
	snaps := make([]geo.RoadSnap, len(compounds))
	onRoads := make([]bool, len(compounds))
	if len(roads) > 0 {
		net = geo.NewRoadNetwork(roads, 0.5, RoadJoinM)
		for i := range points {
			points[i].snap, points[i].onRoads = net.Snap(points[i].xy, RoadSnapM)
		}
		for i, c := range compounds {
			snaps[i], onRoads[i] = net.Snap(c.xy, RoadSnapM)
		}
	}
	rows := make([][]ServicePointGap, len(compounds))
	for _, t := range types {
		var kind []spPoint
		var sources []geo.RoadSnap
		var sourcePoint []int
		for _, p := range points {
			if p.kind != t.code {
				continue
			}
			kind = append(kind, p)
			if p.onRoads {
				sources, sourcePoint = append(sources, p.snap), append(sourcePoint, len(kind)-1)
			}
		}
		// A kind with no point open anywhere in the district is not yet provided: every compound
		// would be a row, drowning the report (and a district without any kind's points in it).
		if len(kind) == 0 {
			continue
		}
		// One Dijkstra from every point of the kind at once.
		var along *geo.RoadDistances
		if net != nil && len(sources) > 0 {
			along = net.FromNearest(sources)
		}
		for i, c := range compounds {
			g := ServicePointGap{Place: c.Place, CompoundID: c.id, CompoundName: c.name, Type: t.code, TypeName: t.name, LimitM: t.limitM,
				Method: MethodStraightLine, Outline: c.outline, From: c.lonlat}
			best, bestM := -1, 0.0
			for j, p := range kind {
				if d := math.Hypot(p.xy[0]-c.xy[0], p.xy[1]-c.xy[1]); best < 0 || d < bestM {
					best, bestM = j, d
				}
			}
			if best >= 0 {
				sm := math.Round(bestM*10) / 10
				g.StraightM = &sm
				switch {
				case net == nil:
					g.Fallback = FallbackNoRoads
				case !onRoads[i]:
					g.Fallback = FallbackCompoundOffRoads
				case along == nil:
					g.Fallback = FallbackNoPointOnRoads
				default:
					if m, src, ok := along.Nearest(snaps[i]); ok {
						best, bestM, g.Method = sourcePoint[src], m, MethodRoadNetwork
					} else {
						g.Fallback = FallbackNoPointOnRoads
					}
				}
				m := math.Round(bestM*10) / 10
				p := kind[best]
				g.PointID, g.PointName, g.DistanceM, g.To = p.id, p.name, &m, &p.lonlat
			}
			if g.DistanceM == nil || *g.DistanceM > t.limitM {
				rows[i] = append(rows[i], g)
			}
		}
	}
	var out []ServicePointGap
	for _, r := range rows {
		out = append(out, r...)
	}
	return out, nil
}

// spTypes are the kinds not retired at the moment, with the distance each allows.
func (s *Service) spTypes(ctx context.Context, f filter, distanceM float64) ([]spType, error) {
	rows, err := s.db.Query(ctx, `SELECT code, name_zh, gap_distance_m FROM service_point_type_directory
		WHERE retired_at IS NULL OR retired_at > $1 ORDER BY sort_order, code`, f.at)
	if err != nil {
		return nil, fmt.Errorf("service point types: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (spType, error) {
		var t spType
		var limit int
		err := r.Scan(&t.code, &t.name, &limit)
		t.limitM = float64(limit)
		if distanceM > 0 {
			t.limitM = distanceM
		}
		return t, err
	})
}

func (s *Service) spCompounds(ctx context.Context, f filter) ([]spCompound, error) {
	pred, args := f.where("a.subdistrict_id", "a.community_id", nil)
	rows, err := s.db.Query(ctx, fmt.Sprintf(`SELECT `+placeColumns+`, a.id, a.name, ST_AsBinary(a.geom), ST_X(pos.p), ST_Y(pos.p),
			ST_X(ST_Transform(pos.p, %[1]d)), ST_Y(ST_Transform(pos.p, %[1]d))
		FROM area_directory a
		CROSS JOIN LATERAL (SELECT ST_PointOnSurface(a.geom) AS p) pos
		LEFT JOIN unit_directory sd ON sd.id = a.subdistrict_id
		LEFT JOIN unit_directory cm ON cm.id = a.community_id
		WHERE a.kind = 'residential_compound' AND %[2]s ORDER BY sd.name, cm.name, a.name, a.id`, metricSRID, pred), args...)
	if err != nil {
		return nil, fmt.Errorf("compounds: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (spCompound, error) {
		var c spCompound
		var g []byte
		err := r.Scan(&c.SubdistrictID, &c.SubdistrictName, &c.CommunityID, &c.CommunityName, &c.id, &c.name, &g,
			&c.lonlat[0], &c.lonlat[1], &c.xy[0], &c.xy[1])
		if err == nil {
			var geom orb.Geometry
			if geom, err = wkb.Unmarshal(g); err == nil {
				c.outline, _ = geom.(orb.MultiPolygon)
			}
		}
		return c, err
	})
}

// spPoints are the points open at the moment, district-wide (the nearest may be over a boundary),
// each where its revision then in force put it.
func (s *Service) spPoints(ctx context.Context, f filter) ([]spPoint, error) {
	rows, err := s.db.Query(ctx, fmt.Sprintf(`SELECT h.point_id, h.type_code, h.name, ST_X(h.location), ST_Y(h.location),
			ST_X(ST_Transform(h.location, %d)), ST_Y(ST_Transform(h.location, %[1]d))
		FROM (SELECT DISTINCT ON (point_id) * FROM service_point_history WHERE applies_from <= $1 ORDER BY point_id, revision_id DESC) h
		JOIN LATERAL (SELECT st.status FROM service_point_status_history st WHERE st.point_id = h.point_id
			AND st.since <= `+beijingDay+` ORDER BY st.since DESC, st.id DESC LIMIT 1) st ON st.status = 'open'
		ORDER BY h.point_id`, metricSRID), f.at)
	if err != nil {
		return nil, fmt.Errorf("service points: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (spPoint, error) {
		var p spPoint
		err := r.Scan(&p.id, &p.kind, &p.name, &p.lonlat[0], &p.lonlat[1], &p.xy[0], &p.xy[1])
		return p, err
	})
}

// spRoads are every road's centreline in metres, district-wide: a way may leave the scope.
func (s *Service) spRoads(ctx context.Context) ([]orb.LineString, error) {
	rows, err := s.db.Query(ctx, fmt.Sprintf(`SELECT ST_AsBinary(ST_Transform(centreline, %d)) FROM area_directory
		WHERE kind = ANY($1) AND centreline IS NOT NULL`, metricSRID), roadKinds)
	if err != nil {
		return nil, fmt.Errorf("roads: %w", err)
	}
	var out []orb.LineString
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		g, err := wkb.Unmarshal(b)
		if err != nil {
			return nil, fmt.Errorf("road centreline: %w", err)
		}
		switch l := g.(type) {
		case orb.LineString:
			out = append(out, l)
		case orb.MultiLineString:
			out = append(out, l...)
		}
	}
	return out, rows.Err()
}

// servicePointFeatures are the gaps on the map: each compound's outline, and a line from it to its
// nearest point.
func (r Report) servicePointFeatures(add func(g orb.Geometry, kind string, props map[string]any)) {
	for _, g := range r.ServiceGaps {
		props := func(part string) map[string]any {
			p := map[string]any{"part": part, "compound_id": g.CompoundID, "name": g.CompoundName, "type": g.Type, "type_name": g.TypeName,
				"limit_m": g.LimitM, "method": g.Method, "subdistrict": g.SubdistrictName, "community": g.CommunityName}
			if g.DistanceM != nil {
				p["distance_m"], p["point_id"], p["point"] = *g.DistanceM, g.PointID, g.PointName
			}
			if g.Fallback != "" {
				p["fallback"] = g.Fallback
			}
			return p
		}
		if g.Outline != nil {
			add(g.Outline, KindServicePointGaps, props("compound"))
		}
		if g.To != nil {
			add(orb.LineString{g.From, *g.To}, KindServicePointGaps, props("link"))
		}
	}
}

// servicePointTable is the gaps as rows of text.
func (r Report) servicePointTable() Table {
	t := Table{Kind: KindServicePointGaps, Header: []string{"subdistrict", "community", "compound_id", "compound", "type", "limit_m",
		"point_id", "point", "distance_m", "straight_line_m", "method", "fallback"}}
	num := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', 1, 64)
	}
	for _, g := range r.ServiceGaps {
		id := ""
		if g.PointID != 0 {
			id = strconv.FormatInt(g.PointID, 10)
		}
		t.Rows = append(t.Rows, []string{g.SubdistrictName, g.CommunityName, strconv.FormatInt(g.CompoundID, 10), g.CompoundName, g.Type,
			strconv.FormatFloat(g.LimitM, 'f', 0, 64), id, g.PointName, num(g.DistanceM), num(g.StraightM), g.Method, g.Fallback})
	}
	return t
}

// servicePointPrint lays the gaps out for paper in l: a row per community and kind with how many of
// its compounds are out of reach and the farthest of them (the rows themselves run to thousands in a
// city; they are in the XLSX and the map).
func (r Report) servicePointPrint(l Lang, next func() string) (header []string, numeric []bool, rows []PrintRow) {
	w := l.Word
	header = []string{w("no"), w("subdistrict"), w("community"), w("spType"), w("spCompounds"), w("spFarthest"), w("spMethod")}
	numeric = []bool{true, false, false, false, true, true, false}
	type key struct {
		sub, com, kind string
	}
	var order []key
	agg := map[key]*struct {
		n       int
		far     ServicePointGap
		methods map[string]bool
	}{}
	for _, g := range r.ServiceGaps {
		k := key{g.SubdistrictName, g.CommunityName, g.TypeName}
		a := agg[k]
		if a == nil {
			a = &struct {
				n       int
				far     ServicePointGap
				methods map[string]bool
			}{methods: map[string]bool{}}
			agg[k], order = a, append(order, k)
		}
		a.n++
		a.methods[g.Method] = true
		if a.far.DistanceM == nil || (g.DistanceM != nil && *g.DistanceM > *a.far.DistanceM) {
			a.far = g
		}
	}
	for _, k := range order {
		a := agg[k]
		far, methods := "", []string{}
		if a.far.DistanceM != nil {
			far = l.Length(*a.far.DistanceM) + w("lp") + a.far.CompoundName + w("rp")
		}
		for _, m := range []string{MethodRoadNetwork, MethodStraightLine} {
			if a.methods[m] {
				methods = append(methods, w("method."+m))
			}
		}
		rows = append(rows, PrintRow{Cells: []string{next(), k.sub, k.com, k.kind, strconv.Itoa(a.n), far, join(methods)}})
	}
	return header, numeric, rows
}

// The printed words of the service point gaps, kept here beside the rows that use them.
func init() {
	for l, ws := range map[Lang]map[string]string{
		Chinese: {"spType": "服务点类型", "spCompounds": "覆盖不到的小区（个）", "spFarthest": "最远距离（小区）", "spMethod": "测算方式",
			"method.road_network": "沿道路", "method.straight_line": "直线"},
		English: {"spType": "Kind of point", "spCompounds": "Compounds out of reach", "spFarthest": "Farthest (compound)", "spMethod": "Measured",
			"method.road_network": "along the roads", "method.straight_line": "straight line"},
	} {
		for k, v := range ws {
			words[l][k] = v
		}
	}
}
