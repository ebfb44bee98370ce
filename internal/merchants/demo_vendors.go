package merchants

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/incidents"
	"streetchief/internal/objectstore"
	"streetchief/internal/registry"
)

// DemoVendorSummary counts what SeedDemoVendors wrote.
type DemoVendorSummary struct {
	Zones, Vendors, Sightings, Outside, Incidents, RepeatOffenders int
}

var (
	vendorSurnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "林", "何", "罗", "郑"}
	demoGoods      = []struct{ stall, goods string }{
		{"烧烤", "烤串、烤玉米"}, {"臭豆腐", "长沙臭豆腐"}, {"煎饼", "煎饼果子"}, {"炒粉", "炒河粉、炒米粉"}, {"手抓饼", "手抓饼、鸡蛋灌饼"},
		{"烤红薯", "烤红薯、烤板栗"}, {"糖葫芦", "冰糖葫芦"}, {"奶茶", "奶茶、柠檬茶"}, {"凉皮", "凉皮、肉夹馍"}, {"小龙虾", "麻辣小龙虾"},
		{"铁板鱿鱼", "铁板鱿鱼"}, {"水果捞", "水果捞、鲜切水果"}, {"贴膜", "手机贴膜、数据线"}, {"饰品", "发夹、袜子、小饰品"},
		{"气球玩具", "气球、发光玩具"}, {"鲜花", "鲜花、绿植"},
	}
	demoCallings        = []string{"师傅", "阿姨", "女士", "先生", "大姐"}
	vendorSightingNotes = []string{"已当场劝导，摊主收摊离开", "占用人行道约三米，已要求退回夜市", "摊位摆在公交站旁，影响候车", "劝导后摊主表示明天改正",
		"未到营业时间提前出摊，已劝导", "摊主不在场，已拍照留存", "油烟较大，周边居民有意见", "推车停在盲道上"}
	// demoHours are the zones' hours in turn: every evening; late at the weekend (past midnight);
	// late every night.
	demoHours = [][]WindowJSON{
		{{Weekdays: []int{1, 2, 3, 4, 5, 6, 7}, Opens: "17:30", Closes: "23:30"}},
		{{Weekdays: []int{1, 2, 3, 4}, Opens: "18:00", Closes: "23:00"}, {Weekdays: []int{5, 6, 7}, Opens: "17:30", Closes: "01:00"}},
		{{Weekdays: []int{1, 2, 3, 4, 5, 6, 7}, Opens: "18:30", Closes: "00:30"}},
	}
)

type demoZone struct {
	id, community, lane int64
	name                string
}

// demoSighting is one planned sighting; vendor 0 is unregistered.
type demoSighting struct {
	zone    int
	vendor  int64
	at      time.Time
	outside bool // in the street near the zone, not inside it
	note    string
}

// SeedDemoVendors registers a handful of vendors in every night market of the demo city, gives each
// market its hours, and records three weeks of sightings through the same path as the field app:
// most inside their zone in hours, some in the street or before opening (incidents), and one vendor
// seen outside often enough to be a repeat offender. The same seed gives the same register relative
// to now.
func SeedDemoVendors(ctx context.Context, pool *pgxpool.Pool, reg *registry.Store, m incidents.Matcher, photos objectstore.Store, seed int64) (DemoVendorSummary, error) {
	var sum DemoVendorSummary
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed7e4d))
	var mu sync.Mutex
	now := time.Now()
	clock := now
	tick := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	inc := incidents.NewService(pool, m, incidents.Options{Now: tick, Photos: photos})
	v := NewVendors(NewStore(pool, reg, inc, photos, Rules{}), VendorRules{Now: tick})
	rows, err := pool.Query(ctx, `SELECT a.id, a.name, COALESCE(a.community_id, 0),
			COALESCE((SELECT s.person_id FROM assignment_standing s WHERE s.admin_unit_id = a.community_id AND s.role = 'lane_chief'
				AND s.valid @> now() ORDER BY s.is_primary DESC, s.id LIMIT 1), 0)
		FROM area_directory a WHERE a.kind = 'night_market' AND a.community_id IS NOT NULL ORDER BY a.id`)
	if err != nil {
		return sum, fmt.Errorf("demo vendors: %w", err)
	}
	zones, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (demoZone, error) {
		var z demoZone
		return z, r.Scan(&z.id, &z.name, &z.community, &z.lane)
	})
	if err != nil {
		return sum, fmt.Errorf("demo vendors: %w", err)
	}
	admin := access.System("demo")
	today := vendorDay(now)
	var plan []demoSighting
	var suspended int64
	var suspendedZone int
	suspendedAt := today.AddDate(0, 0, -6).Add(10 * time.Hour)
	cases := map[int64]bool{}
	for i, z := range zones {
		if _, err := v.SetZoneHours(ctx, admin, z.id, HoursInput{From: today.AddDate(0, 0, -90).Format(time.DateOnly), Windows: demoHours[i%len(demoHours)]}); err != nil {
			return sum, fmt.Errorf("demo zone %d hours: %w", z.id, err)
		}
		sum.Zones++
		n := 4 + rng.IntN(3)
		for k := range n {
			surname := vendorSurnames[rng.IntN(len(vendorSurnames))]
			g := demoGoods[rng.IntN(len(demoGoods))]
			vendor, err := v.RegisterVendor(ctx, admin, VendorInput{Name: surname + "记" + g.stall, Goods: g.goods,
				ContactName: surname + demoCallings[rng.IntN(len(demoCallings))], ContactPhone: fmt.Sprintf("13%d%08d", 5+rng.IntN(5), rng.IntN(100_000_000)),
				Photo: demoPortrait(rng), ZoneID: z.id, From: now.AddDate(0, 0, -60-rng.IntN(120))})
			if err != nil {
				return sum, fmt.Errorf("demo vendor: %w", err)
			}
			sum.Vendors++
			if k == 3 && i == min(1, len(zones)-1) { // suspended for a week after trading in the street
				if _, err := v.SetVendorStatus(ctx, admin, vendor.ID, StatusInput{Status: VendorSuspended, At: suspendedAt,
					Reason: "多次越界占道经营，暂停出摊一周"}); err != nil {
					return sum, fmt.Errorf("demo vendor suspended: %w", err)
				}
				suspended, suspendedZone = vendor.ID, i
			}
			for d := 21; d >= 1; d-- {
				if rng.Float64() < 0.45 {
					plan = append(plan, demoSighting{zone: i, vendor: vendor.ID, at: demoInHours(rng, today.AddDate(0, 0, -d))})
				}
			}
			switch {
			case i == 0 && k == 1: // the repeat offender: in the street four evenings of three weeks
				for _, d := range []int{18, 12, 7, 3} {
					plan = append(plan, demoSighting{zone: i, vendor: vendor.ID, at: demoInHours(rng, today.AddDate(0, 0, -d)), outside: true,
						note: vendorSightingNotes[rng.IntN(len(vendorSightingNotes))]})
				}
			case k == 0: // once in the street
				plan = append(plan, demoSighting{zone: i, vendor: vendor.ID, at: demoInHours(rng, today.AddDate(0, 0, -2-rng.IntN(18))), outside: true,
					note: vendorSightingNotes[rng.IntN(len(vendorSightingNotes))]})
			case k == 2: // once before opening
				at := demoInHours(rng, today.AddDate(0, 0, -2-rng.IntN(18)))
				at = vendorDay(at).Add(time.Duration(16*60+rng.IntN(60)) * time.Minute)
				plan = append(plan, demoSighting{zone: i, vendor: vendor.ID, at: at, note: "未到营业时间提前出摊，已劝导"})
			}
		}
		// Vendors nobody registered: one trading inside in hours, one in the street.
		plan = append(plan, demoSighting{zone: i, at: demoInHours(rng, today.AddDate(0, 0, -1-rng.IntN(10))), note: "未登记摊贩，已告知到社区登记"},
			demoSighting{zone: i, at: demoInHours(rng, today.AddDate(0, 0, -1-rng.IntN(10))), outside: true, note: "未登记流动摊贩，推车沿街叫卖"})
	}
	plan = slices.DeleteFunc(plan, func(p demoSighting) bool { return p.vendor == suspended && p.at.After(suspendedAt) })
	if suspended != 0 {
		plan = append(plan, demoSighting{zone: suspendedZone, vendor: suspended, at: demoInHours(rng, today.AddDate(0, 0, -2)),
			note: "登记已暂停，仍在夜市出摊，已劝导"})
	}
	slices.SortStableFunc(plan, func(a, b demoSighting) int { return a.at.Compare(b.at) })
	for i, p := range plan {
		z := zones[p.zone]
		pt, err := demoPoint(ctx, pool, z, p.outside, seed+int64(i))
		if err != nil {
			return sum, err
		}
		mu.Lock()
		clock = p.at.Add(time.Duration(2+i%9) * time.Minute)
		mu.Unlock()
		f := SightingFields{Lon: &pt[0], Lat: &pt[1], AccuracyM: ptrTo(float64(4 + i%12)), At: p.at.Format(time.RFC3339), Note: p.note}
		if p.vendor != 0 {
			f.VendorID = &p.vendor
		}
		in, err := f.Input(nil, "")
		if err != nil {
			return sum, err
		}
		who := access.Principal{Role: access.LaneChief, Username: "demo", PersonID: z.lane, Scope: access.Scope{All: true}}
		s, _, err := v.RecordSighting(ctx, who, in)
		if err != nil {
			return sum, fmt.Errorf("demo sighting %d: %w", i, err)
		}
		sum.Sightings++
		if s.Outside {
			sum.Outside++
		}
		if s.IncidentID != 0 && !cases[s.IncidentID] {
			cases[s.IncidentID] = true
			sum.Incidents++
		}
	}
	mu.Lock()
	clock = now
	mu.Unlock()
	offenders, err := v.RepeatOffenders(ctx, admin)
	if err != nil {
		return sum, err
	}
	sum.RepeatOffenders = len(offenders)
	return sum, nil
}

func ptrTo[T any](v T) *T { return &v }

// demoInHours is a moment of day d that every demo zone's hours cover (18:40–22:40).
func demoInHours(rng *rand.Rand, d time.Time) time.Time {
	return d.Add(18*time.Hour + 40*time.Minute + time.Duration(rng.IntN(4*60))*time.Minute)
}

// demoPoint is a point inside the zone, or in the street of its community within 200 m of it.
func demoPoint(ctx context.Context, pool *pgxpool.Pool, z demoZone, outside bool, seed int64) ([2]float64, error) {
	var p [2]float64
	q := `SELECT ST_X(g), ST_Y(g) FROM (SELECT (ST_Dump(ST_GeneratePoints(a.geom, 1, $2))).geom AS g FROM area_directory a WHERE a.id = $1) x`
	if outside {
		q = `SELECT ST_X(g), ST_Y(g) FROM (SELECT (ST_Dump(ST_GeneratePoints(
				ST_Intersection(ST_Difference(ST_Buffer(a.geom::geography, 200)::geometry, ST_Buffer(a.geom::geography, 10)::geometry), u.boundary),
				1, $2))).geom AS g
			FROM area_directory a JOIN unit_directory u ON u.id = a.community_id WHERE a.id = $1) x`
	}
	err := pool.QueryRow(ctx, q, z.id, seed%1_000_000+1).Scan(&p[0], &p[1])
	if err != nil {
		return p, fmt.Errorf("demo point near zone %d: %w", z.id, err)
	}
	return p, nil
}

// demoPortrait is a small plain picture standing in for a vendor's photo.
func demoPortrait(rng *rand.Rand) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 32, 32))
	c := color.RGBA{uint8(80 + rng.IntN(150)), uint8(80 + rng.IntN(150)), uint8(80 + rng.IntN(150)), 255}
	for y := range 32 {
		for x := range 32 {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img) // encoding to memory cannot fail
	return b.Bytes()
}
