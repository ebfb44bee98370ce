package demo

import (
	"fmt"
	"streetchief/internal/registry"
	"time"
)

// departments are the registry's seeded enforcement departments and their teams (see demoDepartment).
var departments = []demoDepartment{
	{code: "urban_management", org: "新罗区城市管理和综合执法局", cityOrg: "龙岩市城市管理局", both: true},
	{code: "market_regulation", org: "新罗区市场监督管理局"},
	{code: "food_drug", org: "新罗区食品药品监督管理局"},
	{code: "environment", org: "龙岩市新罗生态环境局"},
	{code: "public_security", org: "龙岩市公安局新罗分局%s派出所", cityOrg: "龙岩市公安局新罗分局%s派出所"},
	{code: "water", org: "新罗区水利局"},
	{code: "culture", org: "新罗区文体旅游局"},
	{code: "traffic_police", org: "龙岩市公安局交通警察支队新罗大队", cityOrg: "龙岩市公安局交通警察支队新罗大队"},
	{code: "fire", org: "新罗区消防救援大队", cityOrg: "龙岩市消防救援支队新罗大队"},
}

// DepartmentCodes lists the department codes the demo's liaisons refer to; Load looks them up.
func DepartmentCodes() []string {
	out := make([]string, len(departments))
	for i, d := range departments {
		out[i] = d.code
	}
	return out
}

// The history starts when Longyan introduced street chiefs; every date lies well in the past so
// "current" means the same whenever the demo is loaded.
var historyStart = time.Date(2018, 6, 1, 0, 0, 0, 0, time.UTC)

// people creates the officials, cadres and grid workers and makes them responsible: a street chief
// (街长) per subdistrict, a lane chief (巷长) per community, a manager per area and a liaison per
// subdistrict for most departments, an inspector per subdistrict. About one target in ten changed hands once.
func (g *gen) people() {
	c := g.city
	staff := map[int][]int{} // community key → lane chief, then its grid workers
	perCommunity := map[int]int{}
	for _, a := range c.Areas {
		perCommunity[a.Community]++
	}
	for _, u := range c.AdminUnits {
		switch u.Level {
		case LevelSubdistrict:
			org := u.Name + "办事处"
			g.assign(Assignment{AdminUnit: u.Key, Role: registry.StreetChief}, g.person(org, "街长", true),
				func() int { return g.person(org, "街长", false) })
		case LevelCommunity:
			org := u.Name + "居委会"
			if u.Attributes["type"] == "村" {
				org = u.Name + "村委会"
			}
			chief := g.person(org, "巷长", true)
			g.assign(Assignment{AdminUnit: u.Key, Role: registry.LaneChief}, chief,
				func() int { return g.person(org, "巷长", false) })
			staff[u.Key] = []int{chief}
			for range 2 + perCommunity[u.Key]/40 {
				staff[u.Key] = append(staff[u.Key], g.person(org, "网格员", true))
			}
		}
	}
	for _, a := range c.Areas {
		if a.Name == c.UnassignedAreaName {
			continue
		}
		team := staff[a.Community]
		var manager int
		switch a.Kind {
		case KindNightMarket:
			manager = g.person("新罗区城市管理和综合执法局", "夜市管理员", true)
		case KindFarmersMarket:
			manager = g.person(a.Name+"管理处", "市场管理员", true)
		default:
			// The lane chief looks after some areas himself; grid workers after the rest.
			if g.r.IntN(4) == 0 {
				manager = team[0]
			} else {
				manager = team[1+g.r.IntN(len(team)-1)]
			}
		}
		g.assign(Assignment{Area: a.Key, Role: registry.AreaManager}, manager, func() int {
			for {
				if p := pick(g.r, team); p != manager {
					return p
				}
			}
		})
	}
	for _, u := range c.AdminUnits {
		if u.Level != LevelSubdistrict {
			continue
		}
		for _, d := range departments {
			if g.r.IntN(7) == 0 { // a few departments have not named a liaison for every subdistrict
				continue
			}
			org := d.orgOf(d.level(), u)
			g.assign(Assignment{AdminUnit: u.Key, Role: registry.DepartmentLiaison, Department: d.code, Level: d.level()},
				g.person(org, "联络员", true), func() int { return g.person(org, "联络员", false) })
		}
	}
	// Last, so the rest of the city is the same with or without them: the district's inspectors (督查员),
	// one over every subdistrict, who check merchants' and lane chiefs' work and verify closures.
	for _, u := range c.AdminUnits {
		if u.Level != LevelSubdistrict {
			continue
		}
		org := "新罗区街长制工作督查组"
		g.assign(Assignment{AdminUnit: u.Key, Role: registry.Inspector}, g.person(org, "督查员", true),
			func() int { return g.person(org, "督查员", false) })
	}
	// After everything else for the same reason: the fixed posts of joint enforcement (定岗定人).
	g.departmentPosts()
}

// assign records a current assignment of person to a's target, preceded about one time in ten by a
// previous holder whose range ends where the current one begins.
func (g *gen) assign(a Assignment, person int, previous func() int) {
	g.assignSince(historyStart, a, person, previous)
}

// assignSince is assign for a post first filled after start.
func (g *gen) assignSince(start time.Time, a Assignment, person int, previous func() int) {
	a.Note = "演示数据"
	if g.r.IntN(10) == 0 {
		p := a
		p.Person = previous()
		p.From = start.AddDate(0, 0, g.r.IntN(600))
		p.Until = p.From.AddDate(0, 0, 180+g.r.IntN(540))
		p.Note = "演示数据（已交接）"
		g.city.Assignments = append(g.city.Assignments, p)
		a.From = p.Until
	} else {
		a.From = start.AddDate(0, 0, g.r.IntN(1500))
	}
	a.Person = person
	g.city.Assignments = append(g.city.Assignments, a)
}

// person creates a fictional person: a generated name and a phone number from a range no one owns.
func (g *gen) person(org, title string, active bool) int {
	key := len(g.city.People) + 1
	g.city.People = append(g.city.People, Person{
		Key:          key,
		Name:         personName(g.r),
		Phone:        fmt.Sprintf("1390000%04d", key%10000),
		Organisation: org,
		Active:       active,
		Attributes:   map[string]any{"demo": true, "title": title},
	})
	return key
}
