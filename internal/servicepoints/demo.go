package servicepoints

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"streetchief/internal/access"
)

// DemoSummary counts what SeedDemo wrote.
type DemoSummary struct {
	Points int
	ByType map[string]int
	Closed int
}

func (d DemoSummary) String() string {
	kinds := make([]string, 0, len(d.ByType))
	for k, n := range d.ByType {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(kinds)
	return fmt.Sprintf("%d service points (%s), %d closed", d.Points, strings.Join(kinds, ", "), d.Closed)
}

type demoCommunity struct {
	id, sub     int64
	name, sname string
	subIndex    int
	at          [5]orb.Point // points inside the community, drawn from the seed: one per kind
}

// The demo's holes, on purpose: no mothers' room in the fourth subdistrict, rest stops for
// sanitation workers in four of the seven only.
const demoNoMothersRoom = 3

var demoRestStops = []int{0, 1, 2, 4}

var demoContacts = []string{"林秀英", "陈建华", "黄丽萍", "张志强", "吴美玲", "郑国平", "王淑芬", "刘德明", "谢春兰", "邱文斌"}

// SeedDemo registers the demo city's service points through the service's own rules: after-school
// rooms in every third community, mothers' rooms in every fourth (none in one subdistrict), rest stops
// in four subdistricts, care stations and public toilets, with plausible hours and operators; one
// after-school room revised and then closed, one mothers' room closed and reopened. It runs after
// the city is loaded and writes the same points for the same seed.
func SeedDemo(ctx context.Context, pool *pgxpool.Pool, seed int64) (DemoSummary, error) {
	sum := DemoSummary{ByType: map[string]int{}}
	coms, err := demoCommunities(ctx, pool, seed)
	if err != nil || len(coms) == 0 {
		return sum, err
	}
	svc := NewService(pool)
	sys := access.System("demo")
	rng := rand.New(rand.NewSource(seed))
	today := beijingDay(time.Now())
	opened := func() time.Time { return today.AddDate(0, 0, -90-rng.Intn(3*365)) }
	contact := func() (string, string) {
		return demoContacts[rng.Intn(len(demoContacts))], fmt.Sprintf("1390597%04d", rng.Intn(10000))
	}
	capacity := func(lo, hi int) *int { n := lo + rng.Intn(hi-lo+1); return &n }
	weekdays := []int{1, 2, 3, 4, 5}
	everyDay := []int{1, 2, 3, 4, 5, 6, 7}
	var created []Point
	add := func(in Input) error {
		in.ContactName, in.ContactPhone = contact()
		p, err := svc.Create(ctx, sys, in, opened(), "区文明办便民服务点建设")
		if err != nil {
			return fmt.Errorf("demo service point %s: %w", in.Name, err)
		}
		created = append(created, p)
		sum.Points++
		sum.ByType[in.Type]++
		return nil
	}
	short := func(name string) string { return strings.TrimSuffix(strings.TrimSuffix(name, "社区"), "街道") }
	lastSub := -1
	for j, c := range coms {
		if j%3 == 0 {
			if err := add(Input{Type: AfterSchool, Name: short(c.name) + "四点半学校", Location: c.at[0], Address: c.sname + c.name + "党群服务中心二楼",
				Hours: []Window{{Weekdays: weekdays, Opens: "16:30", Closes: "18:30"}}, OperatorOrg: c.name + "居委会", Capacity: capacity(20, 40)}); err != nil {
				return sum, err
			}
		}
		if j%4 == 1 && c.subIndex != demoNoMothersRoom {
			if err := add(Input{Type: MothersRoom, Name: short(c.name) + "妈妈小屋", Location: c.at[1], Address: c.sname + c.name + "妇女之家",
				Hours:       []Window{{Weekdays: weekdays, Opens: "08:30", Closes: "17:30"}, {Weekdays: []int{6}, Opens: "09:00", Closes: "12:00"}},
				OperatorOrg: c.sname + "妇联", Capacity: capacity(2, 6)}); err != nil {
				return sum, err
			}
		}
		if c.subIndex == lastSub {
			continue
		}
		// The first community of each subdistrict hosts its district-wide kinds.
		lastSub = c.subIndex
		if slices.Contains(demoRestStops, c.subIndex) {
			if err := add(Input{Type: SanitationRest, Name: short(c.sname) + "环卫工人休息点", Location: c.at[2], Address: c.sname + "环卫所旁",
				Hours: []Window{{Weekdays: everyDay, Opens: "05:00", Closes: "21:00"}}, OperatorOrg: "新罗区环境卫生服务中心", Capacity: capacity(6, 12)}); err != nil {
				return sum, err
			}
		}
		if c.subIndex%2 == 0 {
			if err := add(Input{Type: LoveStation, Name: short(c.sname) + "爱心驿站", Location: c.at[3], Address: c.sname + "总工会服务站",
				Hours: []Window{{Weekdays: everyDay, Opens: "08:00", Closes: "20:00"}}, OperatorOrg: c.sname + "总工会", Capacity: capacity(10, 20)}); err != nil {
				return sum, err
			}
		}
		if c.subIndex%3 == 1 {
			if err := add(Input{Type: PublicToilet, Name: short(c.sname) + "公厕", Location: c.at[4], Address: c.sname + "广场东侧",
				Hours: []Window{{Weekdays: everyDay, Opens: "06:00", Closes: "23:00"}}, OperatorOrg: "新罗区环境卫生服务中心"}); err != nil {
				return sum, err
			}
		}
	}
	return sum, demoHistory(ctx, svc, sys, created, today, &sum)
}

// demoHistory gives the register a past: an after-school room enlarged and then closed for a
// refit, a mothers' room closed for a month and reopened.
func demoHistory(ctx context.Context, svc *Service, sys access.Principal, created []Point, today time.Time, sum *DemoSummary) error {
	var school, room *Point
	for i := range created {
		switch p := &created[i]; {
		case p.Type == AfterSchool && school == nil:
			school = p
		case p.Type == MothersRoom && room == nil:
			room = p
		}
	}
	if school != nil {
		c := 45
		if _, err := svc.Revise(ctx, sys, school.ID, Patch{Capacity: &c, Reason: "扩建教室，增加座位"}); err != nil {
			return err
		}
		if _, err := svc.SetStatus(ctx, sys, school.ID, Closed, today.AddDate(0, 0, -40), "场地改造，暂停开放"); err != nil {
			return err
		}
		sum.Closed++
	}
	if room != nil {
		if _, err := svc.SetStatus(ctx, sys, room.ID, Closed, today.AddDate(0, 0, -70), "负责人调整，暂停开放"); err != nil {
			return err
		}
		if _, err := svc.SetStatus(ctx, sys, room.ID, Open, today.AddDate(0, 0, -35), "新负责人到岗，恢复开放"); err != nil {
			return err
		}
	}
	return nil
}

// demoCommunities are the city's communities by subdistrict, each with a point drawn inside it
// from the seed (PostGIS's seeded ST_GeneratePoints, so the same seed places the same points).
func demoCommunities(ctx context.Context, pool *pgxpool.Pool, seed int64) ([]demoCommunity, error) {
	rows, err := pool.Query(ctx, `SELECT c.id, c.name, s.id, s.name,
			ST_AsBinary(ST_GeneratePoints(c.boundary, 5, (($1::bigint * 7919 + c.id) % 100000 + 1)::int))
		FROM unit_directory c JOIN unit_directory s ON s.id = c.parent_id AND s.level = 'subdistrict'
		WHERE c.level = 'community' ORDER BY s.id, c.id`, seed)
	if err != nil {
		return nil, fmt.Errorf("demo communities: %w", err)
	}
	coms, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (demoCommunity, error) {
		var c demoCommunity
		var b []byte
		if err := r.Scan(&c.id, &c.name, &c.sub, &c.sname, &b); err != nil {
			return c, err
		}
		g, err := wkb.Unmarshal(b)
		if mp, ok := g.(orb.MultiPoint); err == nil && ok && len(mp) == len(c.at) {
			copy(c.at[:], mp)
		} else if err == nil {
			err = fmt.Errorf("community %d: %d points drawn inside it", c.id, len(mp))
		}
		return c, err
	})
	idx := -1
	var last int64
	for i := range coms {
		if coms[i].sub != last {
			idx, last = idx+1, coms[i].sub
		}
		coms[i].subIndex = idx
	}
	return coms, err
}
