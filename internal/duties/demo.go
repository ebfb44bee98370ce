package duties

import (
	"context"
	"fmt"
	"math/rand"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/registry"
)

// DemoSummary counts what SeedDemo wrote.
type DemoSummary struct {
	Members, Deputies, PartyMembers, Records, Confirmed, Pending, Returned, Voided, Evaluations int
	Silent, WithoutPledge                                                                       string // the deliberate gaps, by name
	Elapsed                                                                                     time.Duration
}

func (d DemoSummary) String() string {
	return fmt.Sprintf("%d members (%d deputies and committee members, %d party members), %d duty records: %d confirmed, %d pending, %d returned, %d voided; %d evaluations of last year; silent deputy %s, no current pledge %s, in %s",
		d.Members, d.Deputies, d.PartyMembers, d.Records, d.Confirmed, d.Pending, d.Returned, d.Voided, d.Evaluations, d.Silent, d.WithoutPledge,
		d.Elapsed.Round(time.Millisecond))
}

// demoCommunities is how many communities (the first by id, the demo lane chief's among them) hold
// members: enough for a district's picture, few enough to load in well under a second.
const demoCommunities = 8

var (
	demoSurnames = []rune("王李张刘陈杨黄吴林罗郑谢邱赖曾钟廖范邓温游卢傅苏蓝")
	demoGiven    = []rune("建华国明秀兰志强海燕丽红伟芳金水春梅文斌德福玉珍荣生永清")
	demoTypes    = []MemberType{PeoplesCongressDeputy, CPPCCMember, PartyCongressDeputy}
	demoLevels   = []Level{"district", "city", "district", "subdistrict"}
	demoUnits    = []string{"新罗区城市管理局", "龙岩市实验小学"}
	demoWhat     = map[string][]string{
		"home_visit":      {"走访辖区独居老人，了解生活困难", "入户听取居民对背街小巷改造的意见"},
		"civility_advice": {"在路口劝导电动车不戴头盔", "劝导沿街店铺不占道经营"},
		"environment":     {"参与小区卫生死角清理", "带领居民清理楼道堆放杂物"},
		"volunteering":    {"参加文明交通志愿服务", "在社区新时代文明实践站值守"},
		"policy_outreach": {"宣传垃圾分类政策", "宣讲创建全国文明城市知识"},
		"motion":          {"收集居民关于停车难的建议，形成建议稿", "调研农贸市场改造，提出议案"},
	}
	demoKinds = []string{"home_visit", "civility_advice", "environment", "volunteering", "policy_outreach", "motion"}
)

type demoCommunity struct {
	id, sub           int64
	name              string
	lon, lat          float64
	lane, streetChief access.Principal
}

// SeedDemo writes the demo's deputies, committee members and party members with a year of duty
// records through the service's rules, the clock set to each moment: most records confirmed by the
// lane chief, the last fortnight's pending, one returned, one voided; last year's evaluations of
// the party members; one deputy silent for four months (a silent_deputies gap) and one whose pledge
// lapsed. It runs after the city and its posts are loaded.
func SeedDemo(ctx context.Context, pool *pgxpool.Pool, seed int64) (DemoSummary, error) {
	var sum DemoSummary
	now := time.Now()
	coms, err := demoTerritory(ctx, pool, now)
	if err != nil || len(coms) == 0 {
		return sum, err
	}
	rng := rand.New(rand.NewSource(seed))
	reg := registry.NewStore(pool)
	admin := access.System("demo")
	clock := now
	svc := NewService(pool, nil).WithClock(func() time.Time { return clock })
	today := beijingDay(now)
	started := today.AddDate(-1, -6, 0)
	person := func() (int64, error) {
		name := string(demoSurnames[rng.Intn(len(demoSurnames))]) + string(demoGiven[rng.Intn(len(demoGiven))]) + string(demoGiven[rng.Intn(len(demoGiven))])
		p, err := reg.CreatePerson(ctx, admin, registry.PersonInput{Name: name, Active: true, Organisation: "履职人员"})
		return p.ID, err
	}
	type demoMember struct {
		Member
		com  demoCommunity
		me   access.Principal
		stop int // days before today the records stop (a silent deputy)
	}
	var members []demoMember
	add := func(c demoCommunity, t MemberType, unit string) error {
		pid, err := person()
		if err != nil {
			return err
		}
		in := MemberInput{PersonID: pid, Type: t, Level: demoLevels[rng.Intn(len(demoLevels))], CommunityID: c.id, UnitName: unit,
			From: started.Format(time.DateOnly)}
		if c.id == 0 {
			in.CommunityID = 0
		}
		m, err := svc.AddMember(ctx, admin, in)
		if err != nil {
			return fmt.Errorf("demo member: %w", err)
		}
		members = append(members, demoMember{Member: m, com: c,
			me: access.Principal{Username: "履职·" + m.Name, PersonID: pid, Role: access.Participant}})
		if t == PartyMember {
			sum.PartyMembers++
		} else {
			sum.Deputies++
		}
		return nil
	}
	for i, c := range coms {
		if i == demoCommunities {
			break
		}
		// The first member of each community is a deputy: the demo participant account is the
		// first community's.
		if err := add(c, demoTypes[i%len(demoTypes)], ""); err != nil {
			return sum, err
		}
		if i%3 == 0 {
			if err := add(c, demoTypes[(i+1)%len(demoTypes)], ""); err != nil {
				return sum, err
			}
		}
		if i%2 == 0 {
			if err := add(c, PartyMember, ""); err != nil {
				return sum, err
			}
		}
	}
	for _, u := range demoUnits {
		for range 2 {
			if err := add(demoCommunity{name: u, lon: coms[0].lon, lat: coms[0].lat}, PartyMember, u); err != nil {
				return sum, err
			}
		}
	}
	sum.Members = len(members)
	// After the demo participant (the first deputy), one deputy stops recording four months ago and
	// the next one's pledge lapsed.
	silent, lapsed := -1, -1
	for i, m := range members {
		if i == 0 || m.Type == PartyMember || m.CommunityID == 0 {
			continue
		}
		switch {
		case silent < 0:
			silent = i
			members[i].stop = 120
		case lapsed < 0:
			lapsed = i
		}
	}
	for i, m := range members {
		if m.Type == PartyMember || m.CommunityID == 0 {
			continue
		}
		signed := started.AddDate(0, 0, 5)
		until := signed.AddDate(2, 0, 0)
		if i == lapsed {
			until = today.AddDate(0, -2, 0)
			sum.WithoutPledge = m.Name
		}
		clock = signed.Add(10 * time.Hour)
		if _, err := svc.SignPledge(ctx, m.com.lane, m.ID, PledgeInput{SignedOn: signed.Format(time.DateOnly), Until: until.Format(time.DateOnly),
			Items: []string{"带头遵守社会公德、文明出行", "每月走访联系居民不少于一次", "积极参与创建全国文明城市", "及时反映群众诉求"},
			Body:  "本人自愿作出以上承诺，接受组织和群众监督。"}); err != nil {
			return sum, fmt.Errorf("demo pledge: %w", err)
		}
	}
	if silent >= 0 {
		sum.Silent = members[silent].Name
	}
	returned, voided := false, false
	for _, m := range members {
		lane := m.com.lane
		if m.CommunityID == 0 {
			lane = admin
		}
		for day := today.AddDate(-1, 0, 3+rng.Intn(10)); !day.After(today.AddDate(0, 0, -m.stop)); day = day.AddDate(0, 0, 24+rng.Intn(20)) {
			kind := demoKinds[rng.Intn(len(demoKinds))]
			if m.Type == PartyMember && kind == "motion" {
				kind = "volunteering"
			}
			lon, lat := m.com.lon+(rng.Float64()-0.5)*0.004, m.com.lat+(rng.Float64()-0.5)*0.004
			in := RecordInput{MemberID: m.ID, Day: day.Format(time.DateOnly), Kind: kind, Lon: &lon, Lat: &lat,
				Description: demoWhat[kind][rng.Intn(2)], Hours: float64(1+rng.Intn(6)) / 2}
			clock = day.Add(12 * time.Hour)
			if clock.After(now) {
				clock = now
			}
			enterer := m.me
			if rng.Intn(4) == 0 || m.CommunityID == 0 {
				enterer = lane // entered by the community; confirmed then by its admin
			}
			r, err := svc.EnterRecord(ctx, enterer, in)
			if err != nil {
				return sum, fmt.Errorf("demo record: %w", err)
			}
			sum.Records++
			decided := day.AddDate(0, 0, 3).Add(16 * time.Hour)
			if decided.After(now) {
				sum.Pending++
				continue
			}
			clock = decided
			confirmer := lane
			if enterer.Username == lane.Username {
				confirmer = admin
			}
			switch {
			case !returned && m.com.id == coms[0].id && day.Before(today.AddDate(0, -2, 0)):
				returned = true
				sum.Returned++
				_, err = svc.Return(ctx, confirmer, r.ID, "照片与描述不符，请补充活动地点和参与人数后重新提交")
			case !voided && m.com.id == coms[0].id && returned:
				voided = true
				sum.Voided++
				_, err = svc.Void(ctx, confirmer, r.ID, "与同日另一条记录重复")
			default:
				sum.Confirmed++
				_, err = svc.Confirm(ctx, confirmer, r.ID)
			}
			if err != nil {
				return sum, fmt.Errorf("demo decision: %w", err)
			}
		}
		if m.stop > 0 {
			continue
		}
		// This week's work, not yet looked at by the community.
		clock = now
		lon, lat := m.com.lon, m.com.lat
		_, err := svc.EnterRecord(ctx, m.me, RecordInput{MemberID: m.ID, Day: today.AddDate(0, 0, -1-rng.Intn(5)).Format(time.DateOnly),
			Kind: "volunteering", Lon: &lon, Lat: &lat, Description: "参加周末文明交通志愿服务", Hours: 2})
		if err == nil && m.CommunityID == 0 {
			sum.Records++
			sum.Pending++
			_, err = svc.EnterRecord(ctx, admin, RecordInput{MemberID: m.ID, Day: today.AddDate(0, 0, -2).Format(time.DateOnly),
				Kind: "volunteering", Lon: &lon, Lat: &lat, Description: "单位党员进社区志愿服务", Hours: 2})
		}
		if err != nil {
			return sum, fmt.Errorf("demo record: %w", err)
		}
		sum.Records++
		sum.Pending++
	}
	clock = time.Date(today.Year(), 1, 15, 10, 0, 0, 0, beijing)
	t, err := svc.TemplateFor(ctx, today.Year()-1)
	if err != nil {
		return sum, err
	}
	for i, m := range members {
		if m.Type != PartyMember {
			continue
		}
		who := m.com.streetChief
		if m.CommunityID == 0 {
			who = admin
		}
		scores := map[string]float64{}
		for _, it := range t.Items {
			scores[it.Code] = it.MaxPoints - float64(rng.Intn(int(it.MaxPoints*0.4)+1))
		}
		if i%5 == 4 {
			for _, it := range t.Items {
				scores[it.Code] = float64(int(it.MaxPoints * 0.55))
			}
		}
		in := EvaluationInput{MemberID: m.ID, Year: today.Year() - 1, Scores: scores, Evaluator: who.Username, Notes: "年度考评"}
		if _, err := svc.Evaluate(ctx, who, in); err != nil {
			return sum, fmt.Errorf("demo evaluation: %w", err)
		}
		sum.Evaluations++
	}
	sum.Elapsed = time.Since(now)
	return sum, nil
}

// demoTerritory lists the communities by id with a point inside, their lane chief and street chief.
func demoTerritory(ctx context.Context, pool *pgxpool.Pool, now time.Time) ([]demoCommunity, error) {
	rows, err := pool.Query(ctx, `SELECT c.id, c.parent_id, c.name, ST_X(ST_PointOnSurface(c.boundary)), ST_Y(ST_PointOnSurface(c.boundary)),
		COALESCE((SELECT s.person_id FROM assignment_standing s WHERE s.admin_unit_id = c.id AND s.role = 'lane_chief' AND s.valid @> $1::timestamptz ORDER BY s.is_primary DESC, s.id LIMIT 1), 0),
		COALESCE((SELECT s.person_id FROM assignment_standing s WHERE s.admin_unit_id = c.parent_id AND s.role = 'street_chief' AND s.valid @> $1::timestamptz ORDER BY s.is_primary DESC, s.id LIMIT 1), 0)
		FROM unit_directory c WHERE c.level = 'community' AND c.parent_id IS NOT NULL
		  AND EXISTS (SELECT 1 FROM assignment_standing s WHERE s.admin_unit_id = c.id AND s.role = 'lane_chief' AND s.valid @> $1::timestamptz)
		ORDER BY c.id LIMIT $2`, now, demoCommunities)
	if err != nil {
		return nil, fmt.Errorf("demo territory: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (demoCommunity, error) {
		var c demoCommunity
		var lane, chief int64
		err := r.Scan(&c.id, &c.sub, &c.name, &c.lon, &c.lat, &lane, &chief)
		c.lane = access.Principal{Username: "巷长·" + c.name, PersonID: lane, Role: access.LaneChief, Scope: access.Scope{Communities: []int64{c.id}}}
		c.streetChief = access.Principal{Username: "街长·" + c.name, PersonID: chief, Role: access.StreetChief,
			Scope: access.Scope{Subdistricts: []int64{c.sub}, Communities: []int64{c.id}}}
		return c, err
	})
}
