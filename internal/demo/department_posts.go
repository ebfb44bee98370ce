package demo

import (
	"fmt"
	"time"

	"streetchief/internal/registry"
)

// demoDepartment is one of the registry's seeded enforcement departments (by code) and the
// organisation its district team works for; %s is the subdistrict's short name. cityOrg, when set, is
// the city's team: the police, traffic police and fire brigade answer at city level only, urban
// management at both.
type demoDepartment struct {
	code, org string
	cityOrg   string
	both      bool // the city's and the district's team each name their people
}

// level is the level of the department's first team: the city's where it has one.
func (d demoDepartment) level() registry.Level {
	if d.cityOrg != "" && !d.both {
		return registry.CityLevel
	}
	return registry.DistrictLevel
}

// orgOf is the organisation of the department's team at level in subdistrict u.
func (d demoDepartment) orgOf(level registry.Level, u AdminUnit) string {
	org := d.org
	if level == registry.CityLevel && d.cityOrg != "" {
		org = d.cityOrg
	}
	if d.code == "public_security" {
		org = fmt.Sprintf(org, short(u.Name))
	}
	return org
}

// fixedPostsStart is when the district introduced fixed posts (定岗定人), after the street chiefs.
var fixedPostsStart = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)

// departmentPosts fills the fixed-posts matrix: in every subdistrict each department's responsible
// leader (负责领导) at the level the department answers at (both for urban management, whose city team
// also names a responsible person), some deputies; a few leaders not yet named, beside the liaisons
// the departments have not named (see people). Then one or two leaders linked to each subdistrict
// (a city one, and every other subdistrict a district one, some for a department they lead) and three
// cadres cross-appointed between the city's and the district's teams.
func (g *gen) departmentPosts() {
	var subs []AdminUnit
	for _, u := range g.city.AdminUnits {
		if u.Level == LevelSubdistrict {
			subs = append(subs, u)
		}
	}
	for _, u := range subs {
		for _, d := range departments {
			teams := []registry.Level{d.level()}
			if d.both {
				teams = append(teams, registry.CityLevel)
			}
			for _, level := range teams {
				org := d.orgOf(level, u)
				post := func(role registry.PostRole, title string, deputy bool) {
					a := Assignment{AdminUnit: u.Key, Role: role, Department: d.code, Level: level, Deputy: deputy}
					g.assignSince(fixedPostsStart, a, g.person(org, title, true), func() int { return g.person(org, title, false) })
				}
				if g.r.IntN(20) != 0 { // a few leaders are not named yet
					post(registry.DepartmentLeader, "负责领导", false)
				}
				if g.r.IntN(4) == 0 {
					post(registry.DepartmentLeader, "副职负责领导", true)
				}
				if level != d.level() { // the second team's responsible person; the first's is the liaison
					post(registry.DepartmentLiaison, "负责人", false)
				}
				if g.r.IntN(5) == 0 {
					post(registry.DepartmentLiaison, "副职负责人", true)
				}
			}
		}
	}
	for i, u := range subs {
		link := func(level registry.Level, org, title, dept string) {
			a := Assignment{AdminUnit: u.Key, Role: registry.LinkedLeader, Department: dept, Level: level}
			g.assignSince(fixedPostsStart, a, g.person(org, title, true), func() int { return g.person(org, title, false) })
		}
		dept := ""
		if i%3 == 0 {
			dept = "public_security"
		}
		link(registry.CityLevel, "龙岩市人民政府", "挂钩市领导", dept)
		if i%2 == 0 {
			link(registry.DistrictLevel, "新罗区人民政府", "挂钩区领导", "urban_management")
		}
	}
	for i, x := range []struct {
		level      registry.Level
		dept, org  string
		subdistIdx int
	}{
		{registry.CityLevel, "urban_management", "龙岩市城市管理局", 0},
		{registry.DistrictLevel, "market_regulation", "新罗区市场监督管理局", 2},
		{registry.CityLevel, "", "龙岩市人民政府办公室", 4},
	} {
		u := subs[(x.subdistIdx+i)%len(subs)]
		a := Assignment{AdminUnit: u.Key, Role: registry.CrossAppointee, Department: x.dept, Level: x.level}
		g.assignSince(fixedPostsStart, a, g.person(x.org, "交叉任职", true), func() int { return g.person(x.org, "交叉任职", false) })
	}
}
