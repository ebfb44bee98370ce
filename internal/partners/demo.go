package partners

import (
	"context"
	"fmt"
	"math/rand"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/merchants"
	"streetchief/internal/registry"
)

// DemoSummary counts what SeedDemo wrote.
type DemoSummary struct {
	Companies, Contracts, Lapsed, Handovers, Teams, Reps, Neither int
	// Elapsed is how long the seeding took.
	Elapsed time.Duration
}

func (d DemoSummary) String() string {
	return fmt.Sprintf("%d property companies, %d contracts (%d lapsed, %d handed over), %d residents' teams, %d building representatives; %d compounds with neither, in %s",
		d.Companies, d.Contracts, d.Lapsed, d.Handovers, d.Teams, d.Reps, d.Neither, d.Elapsed.Round(time.Millisecond))
}

// demoCompound is a compound of the demo city, in community order.
type demoCompound struct {
	id, community int64
	name          string
}

// demoCompanies are fictional companies of the kind that manage Xinluo's compounds.
var demoCompanies = []string{
	"龙岩市祥和物业服务有限公司", "福建闽西宏福物业管理有限公司", "龙岩市安居物业服务有限公司", "龙岩市新罗区龙津物业管理有限公司",
	"福建莲城物业服务有限公司", "龙岩市恒信物业服务有限公司", "龙岩市金鹭物业管理有限公司", "福建中闽物业服务有限公司",
}

var (
	demoSurnames = []rune("陈林黄张李王吴刘蔡杨郑邱罗谢赖曾廖温")
	demoGiven    = []string{"建国", "秀英", "志强", "美玲", "伟东", "丽华", "文斌", "春梅", "国平", "海燕", "德明", "小红", "金水", "玉兰"}
)

// SeedDemo gives the demo city's compounds their partners, written through the Service's own rules:
// most under contract with one of eight companies (some lapsed, the first compound of the first
// community handed over from one company to another), old compounds without management run by a
// residents' team, building representatives here and there, and a few compounds with neither — the
// gaps. The same seed gives the same partners.
func SeedDemo(ctx context.Context, pool *pgxpool.Pool, seed int64) (DemoSummary, error) {
	var sum DemoSummary
	start := time.Now()
	rows, err := pool.Query(ctx, `SELECT id, COALESCE(community_id, 0), name FROM area_directory WHERE kind = $1 ORDER BY community_id, id`, CompoundKind)
	if err != nil {
		return sum, err
	}
	compounds, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (demoCompound, error) {
		var c demoCompound
		return c, r.Scan(&c.id, &c.community, &c.name)
	})
	if err != nil || len(compounds) == 0 {
		return sum, err
	}
	now := time.Now().In(Beijing)
	inTx := func(fn func(svc *Service, reg *registry.Store) error) error {
		return registry.NewStore(pool).InTx(ctx, func(reg *registry.Store, tx pgx.Tx) error {
			return fn(&Service{db: tx, registry: reg}, reg)
		})
	}
	sum, err = seedDemo(ctx, inTx, compounds, now, seed)
	sum.Elapsed = time.Since(start)
	return sum, err
}

// demoBatch is how many compounds one transaction seeds: each change holds its compound's advisory
// lock until the commit, and a city of thousands of compounds in one transaction would run out of
// the server's lock table (max_locks_per_transaction × max_connections).
const demoBatch = 500

// seedDemo writes the demo's partners through the Service and registry store inTx binds to a
// transaction: the companies in one, then the compounds demoBatch at a time, in order, so the same
// seed gives the same partners however the batches fall.
func seedDemo(ctx context.Context, inTx func(func(svc *Service, reg *registry.Store) error) error, compounds []demoCompound,
	now time.Time, seed int64) (DemoSummary, error) {
	var sum DemoSummary
	var clock time.Time
	who := access.System("demo")
	rng := rand.New(rand.NewSource(seed))
	person := func(reg *registry.Store) (int64, error) {
		name := string(demoSurnames[rng.Intn(len(demoSurnames))]) + demoGiven[rng.Intn(len(demoGiven))]
		p, err := reg.CreatePerson(ctx, who, registry.PersonInput{Name: name, Phone: fmt.Sprintf("139%08d", rng.Intn(1e8)), Active: true,
			Organisation: "居民"})
		return p.ID, err
	}
	clock = now.AddDate(-8, 0, 0)
	companies := make([]Company, len(demoCompanies))
	err := inTx(func(svc *Service, reg *registry.Store) error {
		svc.now = func() time.Time { return clock }
		for i, name := range demoCompanies {
			contact, err := person(reg)
			if err != nil {
				return err
			}
			first := fmt.Sprintf("91350802%s%07d", "MA", 3000000+i*7919)
			if companies[i], err = svc.AddCompany(ctx, who, CompanyInput{Name: name, LicenceNo: first + string(merchants.LicenceCheckChar(first)),
				ContactPersonID: contact, Phone: fmt.Sprintf("0597-22%05d", 31000+i*17)}); err != nil {
				return fmt.Errorf("demo company %s: %w", name, err)
			}
			sum.Companies++
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	year := func(y int) *Moment { return &Moment{time.Date(now.Year()+y, time.January, 1, 0, 0, 0, 0, Beijing)} }
	for from := 0; from < len(compounds); from += demoBatch {
		batch := compounds[from:min(from+demoBatch, len(compounds))]
		err := inTx(func(svc *Service, reg *registry.Store) error {
			svc.now = func() time.Time { return clock }
			for i, c := range batch {
				if err := seedDemoCompound(ctx, svc, reg, demoPlan{c: c, handover: from+i == 0, rng: rng, clock: &clock, now: now,
					who: who, companies: companies, year: year, person: person}, &sum); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// demoPlan is what seeding one compound draws on.
type demoPlan struct {
	c         demoCompound
	handover  bool // the first compound: handed over from one company to another
	rng       *rand.Rand
	clock     *time.Time
	now       time.Time
	who       access.Principal
	companies []Company
	year      func(int) *Moment
	person    func(*registry.Store) (int64, error)
}

// seedDemoCompound gives one compound its partners, or none.
func seedDemoCompound(ctx context.Context, svc *Service, reg *registry.Store, p demoPlan, sum *DemoSummary) error {
	rng, now, who, c, year := p.rng, p.now, p.who, p.c, p.year
	roll := rng.Float64()
	if p.handover {
		roll = -1
	}
	company := p.companies[rng.Intn(len(p.companies))]
	switch {
	case roll < 0:
		next := p.companies[(indexOf(p.companies, company)+1)%len(p.companies)]
		if err := demoContract(ctx, svc, p.clock, who, c.id, company, year(-6), year(3)); err != nil {
			return err
		}
		handover := &Moment{midnight(now.AddDate(0, -5, 0))}
		*p.clock = handover.Add(-10 * 24 * time.Hour)
		if _, err := svc.SignContract(ctx, who, c.id, ContractInput{CompanyID: next.ID, SignedOn: &Day{*p.clock}, From: handover,
			Until: &Moment{handover.AddDate(3, 0, 0)}, Handover: true, Reason: "业主大会决定改聘物业服务企业"}); err != nil {
			return fmt.Errorf("demo handover: %w", err)
		}
		sum.Contracts += 2
		sum.Handovers++
	case roll < 0.70:
		if err := demoContract(ctx, svc, p.clock, who, c.id, company, year(-1-rng.Intn(4)), year(1+rng.Intn(3))); err != nil {
			return err
		}
		sum.Contracts++
	case roll < 0.76:
		// A contract that ran out and was not renewed: the compound is a gap unless a team runs it.
		if err := demoContract(ctx, svc, p.clock, who, c.id, company, year(-4), &Moment{midnight(now.AddDate(0, -1-rng.Intn(8), 0))}); err != nil {
			return err
		}
		sum.Contracts++
		sum.Lapsed++
		if rng.Intn(4) == 0 {
			sum.Neither++
			return nil
		}
		fallthrough
	case roll < 0.985:
		// An old compound without management, looked after by its residents.
		leader, err := p.person(reg)
		if err != nil {
			return err
		}
		*p.clock = now.AddDate(-2-rng.Intn(3), -rng.Intn(12), 0)
		if _, err := svc.AddTeam(ctx, who, c.id, TeamInput{Type: SelfGovernance, Name: c.name + "居民自治小组", LeaderPersonID: leader,
			Members: 5 + rng.Intn(11), From: &Moment{*p.clock}}); err != nil {
			return fmt.Errorf("demo team: %w", err)
		}
		sum.Teams++
	default:
		sum.Neither++
		return nil
	}
	// Building representatives in one compound of eight.
	if rng.Intn(8) == 0 {
		for b := 1; b <= 1+rng.Intn(3); b++ {
			rep, err := p.person(reg)
			if err != nil {
				return err
			}
			*p.clock = now.AddDate(-1-rng.Intn(3), -rng.Intn(12), 0)
			if _, err := svc.AddRep(ctx, who, c.id, RepInput{PersonID: rep, Building: fmt.Sprintf("%d栋", b), From: &Moment{*p.clock}}); err != nil {
				return fmt.Errorf("demo building representative: %w", err)
			}
			sum.Reps++
		}
	}
	return nil
}

// demoContract signs c on for compound from until, signed and recorded 20 days before it starts.
func demoContract(ctx context.Context, svc *Service, clock *time.Time, who access.Principal, compound int64, c Company, from, until *Moment) error {
	*clock = from.Add(-20 * 24 * time.Hour)
	_, err := svc.SignContract(ctx, who, compound, ContractInput{CompanyID: c.ID, SignedOn: &Day{*clock}, From: from, Until: until})
	if err != nil {
		return fmt.Errorf("demo contract: %w", err)
	}
	return nil
}

func indexOf(cs []Company, c Company) int {
	for i := range cs {
		if cs[i].ID == c.ID {
			return i
		}
	}
	return 0
}

// midnight is the start of t's day in Beijing.
func midnight(t time.Time) time.Time {
	t = t.In(Beijing)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, Beijing)
}
