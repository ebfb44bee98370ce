package reports_test

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/registry"
	"streetchief/internal/reports"
	"streetchief/internal/servicepoints"
)

// TestServicePointGapsAgainstAHandMeasuredFixture lays a community out in the reports' own metres
// (EPSG:4547), so every distance is known by hand: a main road east along y=0 to x=2000 turning north
// to y=2000; compound K1 centred 50 m off the road at x=100, compound K2 far off every road at
// (3000, 2900). The points, each at (x, y) metres:
//
//	after school   P1 (1950, 1500) on the road's north leg, 50 m off it; P2 (700, 900), off every road
//	mothers' room  M1 (600, -30), 30 m off the road
//	rest stop      S1 (1500, 40) open; S2 (300, 20) open until 5 days ago
//
// Along the roads K1 is 50+1900+1500+50 = 3500 m from P1 (P2 is nearer as the crow flies, 1040.4 m,
// but joins no road), 50+500+30 = 580 m from M1, 50+1400+40 = 1490 m from S1 and, while S2 was open,
// 50+200+20 = 270 m from it. K2 is on no road: straight lines, 1750 m to P1 and 3787.5 m to M1.
func TestServicePointGapsAgainstAHandMeasuredFixture(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	reg := registry.NewStore(pool)
	lon, lat := 117.6, 26.6
	var ox, oy float64
	if err := pool.QueryRow(ctx, `SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 4326), 4547) p) q`, lon, lat).Scan(&ox, &oy); err != nil {
		t.Fatal(err)
	}
	at := func(x, y float64) orb.Point {
		t.Helper()
		var p orb.Point
		if err := pool.QueryRow(ctx, `SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 4547), 4326) p) q`,
			ox+x, oy+y).Scan(&p[0], &p[1]); err != nil {
			t.Fatal(err)
		}
		return p
	}
	box := func(x0, y0, x1, y1 float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{at(x0, y0), at(x1, y0), at(x1, y1), at(x0, y1), at(x0, y0)}}}
	}
	// The community: a square around the fixture, 0.05° a side (about 5 km).
	_, com := squareCommunityAt(t, reg, lon-0.01, lat-0.01, 0.05, "spg")
	area := func(kind, name string, geom orb.MultiPolygon, line orb.MultiLineString) registry.Area {
		t.Helper()
		a, err := reg.CreateArea(ctx, admin, registry.AreaInput{Kind: kind, Name: name, Geom: geom, Centreline: line})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	area("main_road", "龙腾路", box(-5, -5, 2005, 5), orb.MultiLineString{{at(0, 0), at(2000, 0)}})
	area("main_road", "龙腾北路", box(1995, 0, 2005, 2000), orb.MultiLineString{{at(2000, 0), at(2000, 2000)}})
	k1 := area("residential_compound", "近路小区", box(50, 0+10, 150, 90), nil)
	k2 := area("residential_compound", "远郊小区", box(2950, 2850, 3050, 2950), nil)

	svc := servicepoints.NewService(pool)
	now := time.Now()
	point := func(kind, name string, x, y float64, opened time.Time) int64 {
		t.Helper()
		p, err := svc.Create(ctx, admin, servicepoints.Input{Type: kind, Name: name, Location: at(x, y)}, opened, "fixture")
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	p1 := point(servicepoints.AfterSchool, "P1", 1950, 1500, now.AddDate(0, -2, 0))
	point(servicepoints.AfterSchool, "P2", 700, 900, now.AddDate(0, -2, 0))
	point(servicepoints.MothersRoom, "M1", 600, -30, now.AddDate(0, -2, 0))
	s1 := point(servicepoints.SanitationRest, "S1", 1500, 40, now.AddDate(0, -2, 0))
	s2 := point(servicepoints.SanitationRest, "S2", 300, 20, now.AddDate(0, -2, 0))
	if _, err := svc.SetStatus(ctx, admin, s2, servicepoints.Closed, now.AddDate(0, 0, -5), "the hut was taken away"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddType(ctx, access.System("admin"), servicepoints.Type{Code: "fixture_kiosk", NameZh: "测试亭", NameEn: "Fixture kiosk", GapDistanceM: 500}); err != nil {
		t.Fatal(err)
	}

	type key struct {
		compound int64
		kind     string
	}
	gaps := func(at time.Time, distanceM float64) map[key]reports.ServicePointGap {
		t.Helper()
		rep, err := reports.NewService(pool).Gaps(ctx, admin, reports.Query{Scope: reports.Scope{Level: "community", ID: com.ID}, At: at,
			Kinds: []string{reports.KindServicePointGaps}, ServicePointDistanceM: distanceM})
		if err != nil {
			t.Fatal(err)
		}
		out := map[key]reports.ServicePointGap{}
		for _, g := range rep.ServiceGaps {
			out[key{g.CompoundID, g.Type}] = g
		}
		return out
	}
	type want struct {
		point              int64
		distance, straight float64
		method, fallback   string
	}
	check := func(name string, got map[key]reports.ServicePointGap, k key, w *want) {
		t.Helper()
		g, ok := got[k]
		switch {
		case w == nil && ok:
			t.Errorf("%s: a gap %+v, want none", name, g)
		case w == nil:
		case !ok:
			t.Errorf("%s: no gap, want %+v", name, *w)
		case (g.PointID != w.point || g.DistanceM == nil || math.Abs(*g.DistanceM-w.distance) > 0.5 ||
			g.StraightM == nil || math.Abs(*g.StraightM-w.straight) > 0.5 || g.Method != w.method || g.Fallback != w.fallback):
			t.Errorf("%s: point %d %v m (straight %v) by %s (%s), want %+v", name, g.PointID, deref(g.DistanceM), deref(g.StraightM), g.Method, g.Fallback, *w)
		}
	}
	road, straight := reports.MethodRoadNetwork, reports.MethodStraightLine
	nowGaps := gaps(time.Time{}, 0)
	check("K1 after school", nowGaps, key{k1.ID, servicepoints.AfterSchool}, &want{p1, 3500, 1040.4, road, ""})
	check("K1 mothers' room within 1000 m along the road", nowGaps, key{k1.ID, servicepoints.MothersRoom}, nil)
	check("K1 rest stop with S2 closed", nowGaps, key{k1.ID, servicepoints.SanitationRest}, &want{s1, 1490, 1400.1, road, ""})
	check("K1 a kind with no point open in the district: not measured", nowGaps, key{k1.ID, "fixture_kiosk"}, nil)
	check("K2 after school off the roads", nowGaps, key{k2.ID, servicepoints.AfterSchool}, &want{p1, 1750, 1750, straight, reports.FallbackCompoundOffRoads})

	past := gaps(now.AddDate(0, 0, -10), 0)
	check("K1 rest stop while S2 was open", past, key{k1.ID, servicepoints.SanitationRest}, nil)
	before := gaps(now.AddDate(0, -3, 0), 0)
	check("K1 after school before any opened", before, key{k1.ID, servicepoints.AfterSchool}, nil)

	// Every format carries the rows: the map a compound's outline and a line to its nearest point.
	rep, err := reports.NewService(pool).Gaps(ctx, admin, reports.Query{Scope: reports.Scope{Level: "community", ID: com.ID},
		Kinds: []string{reports.KindServicePointGaps}})
	if err != nil {
		t.Fatal(err)
	}
	links, outlines := 0, 0
	for _, f := range rep.GeoJSON().Features {
		switch f.Properties["part"] {
		case "link":
			links++
		case "compound":
			outlines++
		}
	}
	if outlines != len(rep.ServiceGaps) || links != len(rep.ServiceGaps) {
		t.Errorf("GeoJSON: %d outlines and %d lines for %d rows", outlines, links, len(rep.ServiceGaps))
	}
	for format := range reports.ContentTypes {
		var buf bytes.Buffer
		if err := rep.Write(&buf, format); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if (format == "csv" || format == "html") && !strings.Contains(buf.String(), "近路小区") {
			t.Errorf("%s lacks the compound", format)
		}
	}
	var html bytes.Buffer
	if err := rep.WriteHTMLIn(&html, reports.English); err != nil || !strings.Contains(html.String(), "along the roads") {
		t.Errorf("the English printed report: %v", err)
	}

	// One distance for every kind: 1700 m.
	wide := gaps(time.Time{}, 1700)
	check("K1 rest stop within 1700 m", wide, key{k1.ID, servicepoints.SanitationRest}, nil)
	check("K2 after school beyond 1700 m", wide, key{k2.ID, servicepoints.AfterSchool}, &want{p1, 1750, 1750, straight, reports.FallbackCompoundOffRoads})
	if g := wide[key{k2.ID, servicepoints.AfterSchool}]; g.LimitM != 1700 {
		t.Errorf("limit %v, want the 1700 m asked for", g.LimitM)
	}
}

func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// squareCommunityAt is a district of one subdistrict of one community, a square of side d degrees.
func squareCommunityAt(t *testing.T, store *registry.Store, x, y, d float64, prefix string) (sub, com registry.AdminUnit) {
	t.Helper()
	ctx := context.Background()
	unit := func(level string, parent int64, code, name string) registry.AdminUnit {
		t.Helper()
		u, err := store.CreateAdminUnit(ctx, admin, registry.AdminUnitInput{Level: level, ParentID: parent, Code: prefix + "-" + code,
			Name: name, Boundary: rect(x, y, x+d, y+d)})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	city := unit("city", 0, "c", "城")
	dist := unit("district", city.ID, "d", "区")
	sub = unit("subdistrict", dist.ID, "s", "服务街道")
	return sub, unit("community", sub.ID, "m", "服务社区")
}
