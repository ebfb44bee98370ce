package volunteers

import (
	"context"
	"fmt"
	"math/rand"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/funds"
)

// DemoSummary counts what SeedDemo wrote.
type DemoSummary struct {
	Contracts, Volunteers, Left, Activities, Payments, Voided int
	Hours                                                     float64
}

func (d DemoSummary) String() string {
	return fmt.Sprintf("%d contracts with %s, %d volunteers (%d left), %d activities (%.0f volunteer-hours), %d payments booked in the ledger (%d voided)",
		d.Contracts, funds.DemoOrganisation, d.Volunteers, d.Left, d.Activities, d.Hours, d.Payments, d.Voided)
}

// demoYears are the contracts' years: the funds demo's, whose standing allocations they spend.
var demoYears = []int{2025, 2026}

const demoContractFen = 1_000_000 * 100 // the policy's yearly minimum, paid in four quarters

var (
	demoSurnames = []rune("林陈黄张李吴王郑刘赖邱罗谢曾蓝廖江")
	demoGiven    = []string{"秀英", "建华", "丽娟", "志强", "晓梅", "文杰", "美玲", "国平", "雅琴", "海峰", "春兰", "伟明", "小燕", "金水", "宏伟", "佳怡"}
	demoSkills   = []string{"急救", "文明劝导", "交通引导", "环境清扫", "助老陪护", "宣传讲解", "摄影", "心理疏导"}
	// demoKinds weights each month's kinds: March's 学雷锋 and spring clean-ups, summer's traffic and
	// civility duty, autumn's publicity, winter's visits to the elderly before Spring Festival.
	demoKinds = map[time.Month][]ActivityKind{
		1: {"elderly_care", "elderly_care", "environment", "publicity"}, 2: {"elderly_care", "environment", "civility"},
		3: {"environment", "environment", "civility", "publicity"}, 4: {"environment", "traffic", "civility"},
		5: {"civility", "traffic", "environment"}, 6: {"traffic", "civility", "publicity"}, 7: {"traffic", "civility"},
		8: {"traffic", "civility"}, 9: {"publicity", "civility", "environment"}, 10: {"publicity", "traffic", "environment"},
		11: {"environment", "civility", "publicity"}, 12: {"elderly_care", "publicity", "environment", "other"},
	}
	demoWhat = map[ActivityKind]string{
		"environment": "社区环境清扫、清理卫生死角", "civility": "路口文明劝导、不文明行为提醒", "traffic": "早晚高峰交通引导",
		"elderly_care": "走访慰问独居老人、助老服务", "publicity": "创城知识宣传、发放倡议书", "other": "国际志愿者日集中服务",
	}
	// demoWeeklyChance is how likely a subdistrict holds an activity in a week of a month: busy in
	// March and December, slack in the heat of July and August and over Spring Festival.
	demoWeeklyChance = map[time.Month]float64{1: 0.8, 2: 0.5, 3: 1, 4: 0.9, 5: 0.85, 6: 0.75, 7: 0.55, 8: 0.55, 9: 0.85, 10: 0.8, 11: 0.85, 12: 1}
)

type demoCommunity struct {
	id, sub int64
	points  []orb.Point
}

// SeedDemo writes the demo's volunteer services through the service's rules: DemoOrganisation with
// its 2025 and 2026 contracts of 1,000,000 yuan, quarterly payments booked in the funds ledger (one
// booked twice by mistake and voided), about 80 volunteers across the communities, and a year of
// activities to yesterday, weekly-ish per subdistrict with the seasons. It runs before funds.SeedDemo,
// whose own stand-in purchases are skipped once the contracts' payments are booked, so the demo's
// volunteer budget is spent once. It writes nothing when the organisation exists.
func SeedDemo(ctx context.Context, pool *pgxpool.Pool, seed int64) (DemoSummary, error) {
	var sum DemoSummary
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM volunteer_org WHERE name = $1)`, funds.DemoOrganisation).Scan(&exists); err != nil || exists {
		return sum, err
	}
	now := time.Now()
	s := NewService(pool, nil).WithClock(func() time.Time { return now })
	who := access.System("demo")
	rng := rand.New(rand.NewSource(seed))
	org, err := s.CreateOrganisation(ctx, who, OrganisationInput{Name: funds.DemoOrganisation, RegistrationNo: "52350802MJ0000001X",
		ContactName: "黄主任", ContactPhone: "0597-2300000"})
	if err != nil {
		return sum, err
	}
	if err := s.seedContracts(ctx, who, org.ID, now, &sum); err != nil {
		return sum, err
	}
	communities, err := demoCommunities(ctx, pool, seed)
	if err != nil || len(communities) == 0 {
		return sum, err
	}
	bySub := map[int64][]int64{} // volunteers by subdistrict
	subs := []int64{}
	for i := 0; i < 80; i++ {
		c := communities[i%len(communities)]
		name := string(demoSurnames[rng.Intn(len(demoSurnames))]) + demoGiven[rng.Intn(len(demoGiven))]
		joined := time.Date(2024, 1, 1, 0, 0, 0, 0, beijing).AddDate(0, 0, rng.Intn(540))
		v, err := s.AddVolunteer(ctx, who, VolunteerInput{OrgID: org.ID, CommunityID: c.id, Name: name,
			Phone: fmt.Sprintf("139%08d", 50000000+rng.Intn(49999999)), Skills: []string{demoSkills[rng.Intn(len(demoSkills))], demoSkills[rng.Intn(len(demoSkills))]},
			JoinedOn: joined.Format(time.DateOnly)})
		if err != nil {
			return sum, err
		}
		sum.Volunteers++
		if i%16 == 7 { // a few moved away during the year and no longer take part
			left := dateOf(now.AddDate(0, -rng.Intn(6)-1, 0))
			if _, err := s.ChangeMembership(ctx, who, v.ID, Membership{Kind: "left", On: left, Reason: "迁出本社区"}); err != nil {
				return sum, err
			}
			sum.Left++
			continue
		}
		if bySub[c.sub] == nil {
			subs = append(subs, c.sub)
		}
		bySub[c.sub] = append(bySub[c.sub], v.ID)
	}
	comsOf := map[int64][]demoCommunity{}
	for _, c := range communities {
		comsOf[c.sub] = append(comsOf[c.sub], c)
	}
	yesterday := dateOf(now).AddDate(0, 0, -1)
	for week := 52; week >= 0; week-- {
		for _, sub := range subs {
			day := Date{yesterday.AddDate(0, 0, -7*week-rng.Intn(7))}
			if rng.Float64() > demoWeeklyChance[day.Month()] || len(comsOf[sub]) == 0 {
				continue
			}
			a, err := s.seedActivity(ctx, who, rng, org.ID, day, comsOf[sub], bySub[sub])
			if err != nil {
				return sum, err
			}
			sum.Activities++
			sum.Hours += a.VolunteerHours
		}
	}
	return sum, nil
}

func (s *Service) seedContracts(ctx context.Context, who access.Principal, org int64, now time.Time, sum *DemoSummary) error {
	for _, y := range demoYears {
		c, err := s.CreateContract(ctx, who, ContractInput{OrgID: org, Year: y, Terms: Terms{
			PeriodFrom: fmt.Sprintf("%d-01-01", y), PeriodTo: fmt.Sprintf("%d-12-31", y), Yuan: demoContractFen,
			HoursTarget: 12000, SignedOn: fmt.Sprintf("%d-01-02", y)}})
		if err != nil {
			return err
		}
		sum.Contracts++
		for q, end := range []string{"03-31", "06-30", "09-30", "12-31"} {
			paid := fmt.Sprintf("%d-%s", y, end)
			if d, _ := ParseDate("paid_on", paid); d.After(now) {
				break
			}
			note := fmt.Sprintf("第%d季度服务费", q+1)
			if _, err := s.Pay(ctx, who, c.ID, PaymentInput{PaidOn: paid, Yuan: demoContractFen / 4, Note: note}); err != nil {
				return err
			}
			sum.Payments++
			if y == demoYears[len(demoYears)-1] && q == 1 {
				// The second quarter's invoice was booked twice; finance voided the copy.
				dup, err := s.Pay(ctx, who, c.ID, PaymentInput{PaidOn: paid, Yuan: demoContractFen / 4, Note: note})
				if err != nil {
					return err
				}
				if _, err := s.VoidPayment(ctx, who, dup.ID, "同一发票重复记账，已冲销"); err != nil {
					return err
				}
				sum.Payments++
				sum.Voided++
			}
		}
	}
	return nil
}

// demoCommunities reads the communities with a few points inside each, the same for the same seed.
func demoCommunities(ctx context.Context, pool *pgxpool.Pool, seed int64) ([]demoCommunity, error) {
	rows, err := pool.Query(ctx, `SELECT c.id, c.parent_id, array_agg(ST_X(p.geom) ORDER BY p.path), array_agg(ST_Y(p.geom) ORDER BY p.path)
		FROM unit_directory c, ST_Dump(ST_GeneratePoints(c.boundary, 8, $1::int)) p
		WHERE c.level = 'community' AND c.boundary IS NOT NULL AND EXISTS (SELECT 1 FROM unit_directory d WHERE d.level = 'district' AND ST_Covers(d.boundary, c.boundary))
		GROUP BY c.id, c.parent_id ORDER BY c.id`, int(seed%1_000_000+1))
	if err != nil {
		return nil, fmt.Errorf("demo communities: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (demoCommunity, error) {
		var c demoCommunity
		var xs, ys []float64
		if err := r.Scan(&c.id, &c.sub, &xs, &ys); err != nil {
			return c, err
		}
		for i := range xs {
			c.points = append(c.points, orb.Point{xs[i], ys[i]})
		}
		return c, nil
	})
}

func (s *Service) seedActivity(ctx context.Context, who access.Principal, rng *rand.Rand, org int64, day Date, coms []demoCommunity, vols []int64) (Activity, error) {
	c := coms[rng.Intn(len(coms))]
	kinds := demoKinds[day.Month()]
	kind := kinds[rng.Intn(len(kinds))]
	start := day.Add(time.Duration(8+rng.Intn(8))*time.Hour + time.Duration(rng.Intn(2)*30)*time.Minute)
	length := 2 + rng.Intn(3) // hours
	in := ActivityInput{OrgID: org, StartsAt: start, EndsAt: start.Add(time.Duration(length) * time.Hour),
		Place: c.points[rng.Intn(len(c.points))], Kind: kind, Description: demoWhat[kind],
		HeadCount: rng.Intn(15), CentiHours: 100*length - 50*rng.Intn(2)}
	picked := map[int64]bool{}
	for n := 3 + rng.Intn(8); n > 0 && len(vols) > 0; n-- {
		if id := vols[rng.Intn(len(vols))]; !picked[id] {
			picked[id] = true
			in.VolunteerIDs = append(in.VolunteerIDs, id)
		}
	}
	// Only volunteers who had joined by the day take part.
	if len(in.VolunteerIDs) > 0 {
		rows, err := s.db.Query(ctx, `SELECT v FROM unnest($1::bigint[]) v WHERE (SELECT kind FROM volunteer_membership m
			WHERE m.volunteer_id = v AND m.on_date <= $2 ORDER BY on_date DESC, id DESC LIMIT 1) = 'joined' ORDER BY v`, in.VolunteerIDs, day.Time)
		if err != nil {
			return Activity{}, err
		}
		if in.VolunteerIDs, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return Activity{}, err
		}
	}
	if len(in.VolunteerIDs)+in.HeadCount == 0 {
		in.HeadCount = 5
	}
	return s.RecordActivity(ctx, who, in)
}
