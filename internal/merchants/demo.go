package merchants

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// DemoSummary is what SeedDemo wrote.
type DemoSummary struct {
	Shops, Pledged, WithInspector, InspectorShops int
	Elapsed                                       time.Duration
}

func (d DemoSummary) String() string {
	return fmt.Sprintf("%d shops, %d with a pledge in force, %d with an inspector (%d checked by the demo inspector account) in %s",
		d.Shops, d.Pledged, d.WithInspector, d.InspectorShops, d.Elapsed.Round(time.Millisecond))
}

// demoTarget is about how many shops the demo city gets: its commercial streets and main roads are
// lined with them.
const demoTarget = 2400

// demoInspectorShops is how many shops the person behind the demo inspector account checks.
const demoInspectorShops = 40

// demoKinds of business, each with the business type it is registered under.
var demoKinds = []struct{ what, kind string }{
	{"面馆", "餐饮"}, {"小吃店", "餐饮"}, {"早餐店", "餐饮"}, {"烧烤店", "餐饮"}, {"快餐店", "餐饮"}, {"奶茶店", "餐饮"},
	{"火锅店", "餐饮"}, {"牛肉丸店", "餐饮"}, {"便利店", "零售"}, {"超市", "零售"}, {"水果店", "零售"}, {"烟酒行", "零售"},
	{"茶叶店", "零售"}, {"五金店", "零售"}, {"服装店", "零售"}, {"鞋店", "零售"}, {"文具店", "零售"}, {"药店", "医药"},
	{"理发店", "生活服务"}, {"手机维修", "生活服务"}, {"洗衣店", "生活服务"}, {"照相馆", "生活服务"}, {"打印店", "生活服务"},
	{"汽车修理", "汽车服务"}, {"电动车行", "汽车服务"}, {"粮油店", "零售"}, {"花店", "零售"}, {"眼镜店", "零售"},
}

var (
	demoSurnames = []rune("林陈张黄吴王李郑谢赖罗邱曾刘杨蓝")
	demoWords    = []string{"客家", "闽西", "中城", "老街", "福兴", "永盛", "新罗", "莲花", "东宝", "红坊", "龙津", "紫金", "嘉盛", "华丰", "利民", "顺意"}
	demoGiven    = []rune("建国明华丽芳伟强秀英志勇军平")
)

type demoShop struct {
	name, kind, address, licence, contact, phone string
	at                                           orb.Point
	front                                        orb.LineString
}

// SeedDemo lines the demo city's commercial streets and main roads with shops, most of them pledged
// and each community's checked by one to three of its own people (lane chiefs, area managers,
// volunteers), and leaves a few deliberate gaps: shops that never signed, pledges that lapsed,
// shops nobody checks. The person behind the demo inspector account checks a set of shops of their
// subdistrict. The same seed gives the same register.
func SeedDemo(ctx context.Context, pool *pgxpool.Pool, seed int64) (DemoSummary, error) {
	start := time.Now()
	r := rand.New(rand.NewPCG(uint64(seed), 0x3ba0))
	shops, err := demoPlace(ctx, pool, r)
	if err != nil {
		return DemoSummary{}, err
	}
	var sum DemoSummary
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		rows := make([][]any, len(shops))
		for i, s := range shops {
			front, _ := wkb.Marshal(s.front)
			rows[i] = []any{fmt.Sprintf("demo:%d", i+1), s.name, s.licence, s.kind, s.address, s.contact, s.phone,
				fmt.Sprintf("SRID=4326;POINT(%.8f %.8f)", s.at[0], s.at[1]), front}
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE demo_shop (source_key text, name text, licence_no text, business_type text,
			address text, contact_name text, contact_phone text, location text, frontage bytea) ON COMMIT DROP`); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"demo_shop"}, []string{"source_key", "name", "licence_no", "business_type",
			"address", "contact_name", "contact_phone", "location", "frontage"}, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("demo shops: %w", err)
		}
		// Only the shops that fall inside a subdistrict: the register keeps the district's.
		if _, err := tx.Exec(ctx, `INSERT INTO merchant (source_key, name, licence_no, business_type, address, contact_name, contact_phone,
				location, frontage, attributes, status_since)
			SELECT d.source_key, d.name, d.licence_no, d.business_type, d.address, d.contact_name, d.contact_phone,
				ST_GeomFromEWKT(d.location), ST_GeomFromWKB(d.frontage, 4326), '{"demo": true}', current_date - 400
			FROM demo_shop d WHERE EXISTS (SELECT 1 FROM unit_directory u WHERE u.level = 'subdistrict'
				AND ST_Contains(u.boundary, ST_GeomFromEWKT(d.location)))`); err != nil {
			return fmt.Errorf("demo shops: %w", err)
		}
		var err error
		sum, err = demoPosts(ctx, tx, r)
		return err
	})
	sum.Elapsed = time.Since(start)
	return sum, err
}

// demoPlace walks the commercial streets' edges and both sides of the main roads, a shop every few
// metres, each with a stretch of pavement in front of it as its frontage.
func demoPlace(ctx context.Context, pool *pgxpool.Pool, r *rand.Rand) ([]demoShop, error) {
	rows, err := pool.Query(ctx, `SELECT a.kind, a.name, ST_AsBinary(COALESCE(a.centreline, ST_Boundary(ST_ForcePolygonCCW(a.geom)))),
			CASE WHEN a.centreline IS NULL THEN 0 ELSE ST_Area(a.geom::geography) / NULLIF(ST_Length(a.centreline::geography), 0) END
		FROM area_directory a WHERE a.kind IN ('commercial_street', 'main_road') ORDER BY a.id`)
	if err != nil {
		return nil, fmt.Errorf("demo shops: %w", err)
	}
	type street struct {
		kind, name string
		lines      orb.MultiLineString
		width      float64
	}
	var streets []street
	var total float64
	for rows.Next() {
		var st street
		var b []byte
		if err := rows.Scan(&st.kind, &st.name, &b, &st.width); err != nil {
			return nil, err
		}
		g, err := wkb.Unmarshal(b)
		if err != nil {
			return nil, err
		}
		switch l := g.(type) {
		case orb.LineString:
			st.lines = orb.MultiLineString{l}
		case orb.MultiLineString:
			st.lines = l
		}
		for _, l := range st.lines {
			total += lengthM(l)
		}
		streets = append(streets, st)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(streets) == 0 {
		return nil, fmt.Errorf("demo shops: no commercial streets or main roads; load the demo city first")
	}
	// Main roads get shops on both sides, so their length counts twice.
	spacing := math.Max(8, total*1.6/demoTarget)
	var shops []demoShop
	serial := 0
	for _, st := range streets {
		number := 1
		for _, l := range st.lines {
			walk(l, spacing, func(p orb.Point, dir [2]float64) {
				sides := []float64{1}
				inset := 4.0 // a commercial street's block, its ring anticlockwise: shops stand inside its edge
				if st.kind == "main_road" {
					sides = []float64{1, -1}
					inset = st.width/2 + 6
				}
				for _, side := range sides {
					serial++
					k := demoKinds[r.IntN(len(demoKinds))]
					name := demoWords[r.IntN(len(demoWords))] + k.what
					if r.IntN(3) == 0 {
						name = string(demoSurnames[r.IntN(len(demoSurnames))]) + "记" + k.what
					}
					first := fmt.Sprintf("92350802MA%07d", serial)
					normal := [2]float64{-dir[1] * side, dir[0] * side}
					at := offset(p, normal, inset)
					kerb := offset(p, normal, inset-5) // the pavement a metre outside the edge or kerb
					shops = append(shops, demoShop{
						name: name, kind: k.kind, address: fmt.Sprintf("%s%d号", st.name, number),
						licence: first + string(LicenceCheckChar(first)),
						contact: string(demoSurnames[r.IntN(len(demoSurnames))]) + string(demoGiven[r.IntN(len(demoGiven))]),
						phone:   fmt.Sprintf("1390597%04d", serial%10000), at: at,
						front: orb.LineString{offset(kerb, dir, -4), offset(kerb, dir, 4)},
					})
					number += 2
				}
			})
		}
	}
	return shops, nil
}

// metresPerDegree at the demo city's latitude (25° N).
const metresPerDegreeLat = 111_320.0

func metresPerDegreeLon(lat float64) float64 { return metresPerDegreeLat * math.Cos(lat*math.Pi/180) }

// offset moves p by m metres along the unit vector dir (east, north).
func offset(p orb.Point, dir [2]float64, m float64) orb.Point {
	return orb.Point{p[0] + dir[0]*m/metresPerDegreeLon(p[1]), p[1] + dir[1]*m/metresPerDegreeLat}
}

func lengthM(l orb.LineString) float64 {
	var n float64
	for i := 1; i < len(l); i++ {
		dx := (l[i][0] - l[i-1][0]) * metresPerDegreeLon(l[i][1])
		dy := (l[i][1] - l[i-1][1]) * metresPerDegreeLat
		n += math.Hypot(dx, dy)
	}
	return n
}

// walk calls fn every spacing metres along l (starting half a spacing in), with the direction of
// travel as a unit vector in metres.
func walk(l orb.LineString, spacing float64, fn func(orb.Point, [2]float64)) {
	next := spacing / 2
	var done float64
	for i := 1; i < len(l); i++ {
		dx := (l[i][0] - l[i-1][0]) * metresPerDegreeLon(l[i][1])
		dy := (l[i][1] - l[i-1][1]) * metresPerDegreeLat
		seg := math.Hypot(dx, dy)
		if seg == 0 {
			continue
		}
		dir := [2]float64{dx / seg, dy / seg}
		for next <= done+seg {
			f := (next - done) / seg
			fn(orb.Point{l[i-1][0] + f*(l[i][0]-l[i-1][0]), l[i-1][1] + f*(l[i][1]-l[i-1][1])}, dir)
			next += spacing
		}
		done += seg
	}
}
